/**
 * The secure channel between a gateway and the command post, over the wired link
 * (picket/gateway/wire-frame). Both are roster members; the post's static key is in the
 * signed roster like every device's. They run Noise KKpsk0 (rev 34 §7.4 KK, §9.2 psk0,
 * "Noise_KKpsk0_25519_AESCCM_SHA256" as on the radio, picket/link/handshake) with the
 * domain's handshake PSK of the current epoch, then every frame is AEAD-sealed under the
 * transport keys with a counter.
 *
 * Receive pipeline, cheapest check first; nothing is handed on (or stored by the post)
 * before the last step passed:
 *   1. wire frame: sync, length, CRC (wire-frame.ts)
 *   2. type: handshake before the channel is up, transport after
 *   3. message 1: the claimed gateway id is a roster member with the role "gateway"
 *      ("unknown-gateway"), else no X25519 is spent
 *   4. AEAD: the handshake tags (wrong PSK, wrong static key on either side, altered bytes:
 *      "bad-tag"), then each transport frame's tag under its counter
 *   5. counter: exactly the next one ("replayed" below it, "out-of-order" above it: the
 *      stream is ordered, so a gap is a frame injected or removed)
 *
 * Message 1 (type 1) body: gateway id u16 ‖ e (32) ‖ tag (16) = 50 B.
 * Message 2 (type 2) body: e (32) ‖ tag (16) = 48 B.
 * Transport (type 3) body: counter u32 ‖ ciphertext ‖ tag (16); associated data = the type
 * byte ‖ the counter; nonce = the counter (SetNonce, §11.4).
 *
 * Prologue: "picket v1 post link" ‖ domain id ‖ gateway id u16 ‖ post id u16 — a label of
 * its own, so a radio handshake between the same two keys can never be spliced in here.
 * A wire link has no broadcast forgers, so unlike the radio a failed handshake read ends the
 * attempt: the post closes the connection and the gateway starts again.
 */
import { concatBytes, constantTimeEqual, readU16, readU32, utf8, writeU32 } from "picket/core/bytes";
import { PicketError, isPicketError } from "picket/core/picket-error";
import type { CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import type { Member, Membership } from "picket/link/membership";
import type { CipherState } from "picket/link/noise/cipher-state";
import { KKPSK0 } from "picket/link/noise/handshake-patterns";
import { HandshakeState } from "picket/link/noise/handshake-state";
import { aesCcmCipher, sha256Hash, x25519Dh } from "picket/link/noise/noise-functions";

export const enum PostLinkType {
	Message1 = 1,
	Message2 = 2,
	Transport = 3,
}

export const POST_LINK_MESSAGE_1_LENGTH = 50;
export const POST_LINK_MESSAGE_2_LENGTH = 48;
export const POST_LINK_TAG_LENGTH = 16;
const COUNTER_LENGTH = 4;
const MAX_COUNTER = 0xffffffff;
const PROLOGUE_LABEL = utf8("picket v1 post link");

export type PostLinkErrorCode =
	| "truncated"
	| "oversized"
	| "unexpected-message" // a type this side does not expect now
	| "unknown-gateway" // message 1 from an id that is no gateway of the roster
	| "not-a-post" // the gateway was told to reach a member that is not the post
	| "bad-tag"
	| "weak-public-key"
	| "replayed"
	| "out-of-order"
	| "exhausted";

/** What each side brings: its roster entry's key pair, the epoch's PSK and the roster. */
export interface PostLinkIdentity {
	readonly crypto: CryptoSuite;
	readonly domainId: Uint8Array;
	readonly memberId: number;
	readonly staticKeyPair: X25519KeyPair;
	readonly psk: Uint8Array;
	readonly roster: Membership;
}

function fail(code: PostLinkErrorCode, message?: string): never {
	throw new PicketError<PostLinkErrorCode>(code, message);
}

/** Runs a Noise step, reporting its failures with this module's codes. */
function noiseStep<T>(step: () => T): T {
	try {
		return step();
	} catch (error) {
		if (isPicketError(error) && (error.code === "bad-tag" || error.code === "weak-public-key" || error.code === "truncated")) fail(error.code, error.message);
		throw error;
	}
}

function u16(value: number): Uint8Array {
	return Uint8Array.of(value >>> 8, value & 255);
}

function memberWithRole(identity: PostLinkIdentity, id: number, role: Member["role"], code: PostLinkErrorCode): Member {
	const member = identity.roster.member(id);
	if (member === undefined || member.role !== role) fail(code, `member ${id}`);
	return member;
}

function handshakeState(identity: PostLinkIdentity, initiator: boolean, gatewayId: number, postId: number, remoteStatic: Uint8Array, ephemeral?: X25519KeyPair): HandshakeState {
	const { crypto } = identity;
	const self = identity.roster.member(identity.memberId);
	if (self === undefined || !constantTimeEqual(self.staticPublicKey, identity.staticKeyPair.publicKey)) fail(initiator ? "unknown-gateway" : "not-a-post", `this side, member ${identity.memberId}, is not in the roster with this key`);
	const cipher = aesCcmCipher(crypto, 16);
	return new HandshakeState({
		pattern: KKPSK0,
		initiator,
		prologue: concatBytes(PROLOGUE_LABEL, identity.domainId, u16(gatewayId), u16(postId)),
		s: identity.staticKeyPair,
		e: ephemeral,
		rs: remoteStatic,
		psks: [identity.psk],
		cipher,
		dh: x25519Dh(crypto),
		hash: sha256Hash(crypto),
	});
}

/** An established channel: seals and opens transport bodies in order. */
export class PostLinkChannel {
	readonly peerId: number;
	readonly handshakeHash: Uint8Array;
	#send: CipherState;
	#receive: CipherState;
	#sent = 0;
	#expected = 0;

	constructor(peerId: number, send: CipherState, receive: CipherState, handshakeHash: Uint8Array) {
		this.peerId = peerId;
		this.#send = send;
		this.#receive = receive;
		this.handshakeHash = handshakeHash;
	}

	/** The body of the next transport frame (type 3) carrying `plaintext`. */
	seal(plaintext: Uint8Array): Uint8Array {
		if (this.#sent > MAX_COUNTER) fail("exhausted");
		const header = new Uint8Array(1 + COUNTER_LENGTH);
		header[0] = PostLinkType.Transport;
		writeU32(header, 1, this.#sent);
		this.#send.setNonce(this.#sent);
		const sealed = this.#send.encryptWithAd(header, plaintext);
		this.#sent++;
		return concatBytes(header.subarray(1), sealed);
	}

	/** The plaintext of a transport body; the counter moves only once the tag verified. */
	open(body: Uint8Array): Uint8Array {
		if (body.length < COUNTER_LENGTH + POST_LINK_TAG_LENGTH) fail("truncated", `${body.length} bytes`);
		const counter = readU32(body, 0);
		const header = concatBytes(Uint8Array.of(PostLinkType.Transport), body.subarray(0, COUNTER_LENGTH));
		this.#receive.setNonce(counter);
		const plaintext = noiseStep(() => this.#receive.decryptWithAd(header, body.subarray(COUNTER_LENGTH)));
		if (counter < this.#expected) fail("replayed", `counter ${counter}, expected ${this.#expected}`);
		if (counter > this.#expected) fail("out-of-order", `counter ${counter}, expected ${this.#expected}`);
		this.#expected++;
		return plaintext;
	}
}

/** The gateway's side: message 1 on creation, then `finish` with message 2. */
export class PostLinkInitiator {
	readonly postId: number;
	readonly message1: Uint8Array;
	#state: HandshakeState;

	constructor(identity: PostLinkIdentity, postId: number, ephemeral?: X25519KeyPair) {
		const post = memberWithRole(identity, postId, "post", "not-a-post");
		this.postId = postId;
		this.#state = handshakeState(identity, true, identity.memberId, postId, post.staticPublicKey, ephemeral);
		const { message } = noiseStep(() => this.#state.writeMessage(new Uint8Array(0)));
		this.message1 = concatBytes(u16(identity.memberId), message);
	}

	finish(body: Uint8Array): PostLinkChannel {
		if (body.length < POST_LINK_MESSAGE_2_LENGTH) fail("truncated", `message 2 is ${POST_LINK_MESSAGE_2_LENGTH} bytes, got ${body.length}`);
		if (body.length > POST_LINK_MESSAGE_2_LENGTH) fail("oversized", `message 2 is ${POST_LINK_MESSAGE_2_LENGTH} bytes, got ${body.length}`);
		const { transport } = noiseStep(() => this.#state.readMessage(body));
		if (transport === undefined) fail("unexpected-message", "message 2 did not end the handshake");
		return new PostLinkChannel(this.postId, transport[0], transport[1], this.#state.handshakeHash);
	}
}

/** The gateway id message 1 claims (for logs before any crypto), or undefined when it is too short. */
export function claimedGateway(body: Uint8Array): number | undefined {
	return body.length >= 2 ? readU16(body, 0) : undefined;
}

/** The post's side: reads message 1 from a gateway of the roster, returns message 2 and the channel. */
export function acceptGateway(identity: PostLinkIdentity, body: Uint8Array, ephemeral?: X25519KeyPair): { readonly reply: Uint8Array; readonly channel: PostLinkChannel } {
	if (body.length < POST_LINK_MESSAGE_1_LENGTH) fail("truncated", `message 1 is ${POST_LINK_MESSAGE_1_LENGTH} bytes, got ${body.length}`);
	if (body.length > POST_LINK_MESSAGE_1_LENGTH) fail("oversized", `message 1 is ${POST_LINK_MESSAGE_1_LENGTH} bytes, got ${body.length}`);
	const gatewayId = readU16(body, 0);
	const gateway = memberWithRole(identity, gatewayId, "gateway", "unknown-gateway");
	const state = handshakeState(identity, false, gatewayId, identity.memberId, gateway.staticPublicKey, ephemeral);
	noiseStep(() => state.readMessage(body.subarray(2)));
	const { message, transport } = noiseStep(() => state.writeMessage(new Uint8Array(0)));
	if (transport === undefined) fail("unexpected-message", "message 2 did not end the handshake");
	return { reply: message, channel: new PostLinkChannel(gatewayId, transport[1], transport[0], state.handshakeHash) };
}
