/**
 * Picket's handshake: Noise KKpsk0 (rev 34 §7.4 KK with the §9.2 psk0 modifier) over
 * 25519, Picket's AESCCM and SHA256, i.e. "Noise_KKpsk0_25519_AESCCM12_SHA256", between two
 * members whose static public keys the signed roster pins. One round trip, then a
 * picket/link/session.
 *
 *   KKpsk0:
 *     -> s                      (pre-message: both statics known from the roster)
 *     <- s
 *     ...
 *     -> psk, e, es, ss         message 1
 *     <- e, ee, se              message 2
 *
 * Frames on the air, payloads empty (96 B for the pair, within the DESIGN's 100 B):
 *
 * | message | byte  | size | field                                                          |
 * |---------|-------|------|----------------------------------------------------------------|
 * | 1       | 0     | 1    | byte 0: version 0, kind Handshake (1), detail 1 = message 1    |
 * |         | 1..2  | 2    | initiator member id, u16 big-endian                            |
 * |         | 3..34 | 32   | e: initiator ephemeral public key                              |
 * |         | 35..46| 12   | tag of EncryptAndHash(empty payload)                           |
 * |         | 47..50| 4    | mac1: HMAC-SHA256(mac1 key, responder id u16 ‖ bytes 0..46)[0..3] |
 * | 2       | 0     | 1    | byte 0: version 0, kind Handshake (1), detail 2 = message 2    |
 * |         | 1..32 | 32   | e: responder ephemeral public key                              |
 * |         | 33..44| 12   | tag of EncryptAndHash(empty payload)                           |
 *
 * Message 1 is 51 B, message 2 is 45 B. Message 2 names nobody: the initiator matches it
 * to its pending handshake by the sender's MAC. Prologue (bound into h, so both sides must
 * agree on it or message 1 fails its tag): "picket v1 handshake" ‖ domain id (8) ‖
 * initiator id u16 ‖ responder id u16. The PSK is the domain's handshake PSK of the
 * current epoch (picket/link/key-schedule deriveHandshakePsk); a revoked member lacks the
 * new epoch's PSK and is gone from the roster.
 *
 * mac1 (WireGuard §5.4.4's idea, keyed from the PSK rather than the responder's static key):
 * KKpsk0's own tag on message 1 can only be checked after es and ss, two X25519 (about
 * 100 ms each on an ESP32), so without it anyone could occupy every neighbour with forged
 * messages 1 at a few frames a second. mac1 key = HMAC-SHA256(PSK, "picket v1 mac1"); a
 * responder checks mac1 before any public-key work, so a forgery by an outsider (no PSK)
 * costs it two HMACs and no X25519. The responder id inside mac1 means a message 1 recorded
 * on its way to A fails at every other device. Four bytes: a blind forgery passes once in
 * 2^32 tries, and then meets the rate limits of picket/link/pairwise-sessions. A replayed
 * genuine message 1 passes mac1; pairwise-sessions answers it at most once per ephemeral
 * and within its rate limits.
 *
 * Handshake tag: 12 bytes (cipher "AESCCM12", the protocol name says so) so that mac1 fits
 * the 100 B budget; a forged handshake tag needs 2^96 tries, each online, after mac1.
 * Session frames keep their own 8-byte tag (AESCCM8, picket/link/session).
 *
 * Why KKpsk0 and not another published pattern:
 * - KK sends no static key: the roster already pins both, so the two messages carry only
 *   ephemerals and tags. IKpsk2 would add the encrypted initiator static (+48 B: 99 B for
 *   message 1 alone, 148 B in all); XXpsk3 needs three messages and sends both statics.
 * - Mutual authentication and forward secrecy come from es, ss (message 1) and ee, se
 *   (message 2): the session keys depend on both ephemerals and both statics, so a stolen
 *   static key later does not open recorded sessions.
 * - psk0 mixes the domain PSK before anything is encrypted: a device outside the domain
 *   (no PSK) cannot produce an acceptable message 1 even with a stolen static key, and a
 *   member cannot handshake across epochs. Published vectors exist for exactly this pattern.
 *
 * Properties to know (Noise §7.7 for KK):
 * - Key compromise impersonation: whoever holds a device's own static key and the domain
 *   PSK can forge message 1 to that device as any member (message 1 source property 1).
 *   The responder therefore treats the peer as confirmed only after its first authentic
 *   session frame (source property 2) and sends no key material before (Session.peerConfirmed).
 *   The initiator is protected: message 2 resists KCI.
 * - Identity hiding: none, by design. Member ids travel in the clear here as in every alert
 *   header, and ESP-NOW shows MAC addresses; KK at least never sends a static key.
 * - A replayed message 1 yields a reply nobody can use (it needs the initiator's ephemeral
 *   secret); the responder's new session stays unconfirmed, so a link layer should keep an
 *   existing session with that peer until the new one is confirmed, and must not let it
 *   displace the peer's genuine pending handshake (picket/link/pairwise-sessions recognises
 *   answered ephemerals, handshakeEphemeral, and keeps several answers pending).
 */
import { concatBytes, constantTimeEqual, readU16, utf8 } from "picket/core/bytes";
import { PicketError, isPicketError } from "picket/core/picket-error";
import type { CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import { FrameKind, PICKET_VERSION, frameByte0, frameDetail, frameKind, frameVersion } from "picket/link/frame-kind";
import { DOMAIN_ID_LENGTH, HANDSHAKE_PSK_LENGTH } from "picket/link/key-schedule";
import { KKPSK0 } from "picket/link/noise/handshake-patterns";
import { HandshakeState } from "picket/link/noise/handshake-state";
import { aesCcmCipher, sha256Hash, x25519Dh } from "picket/link/noise/noise-functions";
import { Session, SESSION_TAG_LENGTH } from "picket/link/session";

export type HandshakeErrorCode =
	| "truncated"
	| "oversized"
	| "unknown-version"
	| "unexpected-message" // not a handshake frame, the wrong message number, or nothing pending
	| "unknown-sender" // message 1 from an id the roster does not hold
	| "not-in-roster" // this device, or the peer it wants to reach, is not in the roster (as given)
	| "bad-mac1" // message 1 not made with this epoch's PSK for this responder: rejected before any X25519
	| "bad-tag" // wrong PSK, wrong static key, wrong prologue, or tampered bytes
	| "weak-public-key" // a low-order ephemeral: the DH output was all zeros
	| "bad-length"; // a local key of the wrong size (a provisioning bug, not air input)

/** Noise protocol name of Picket's handshake (AESCCM: see picket/link/noise/noise-functions). */
export const HANDSHAKE_PROTOCOL_NAME = "Noise_KKpsk0_25519_AESCCM12_SHA256";
/** The handshake's AEAD tag (picket/link/noise AESCCM12). */
export const HANDSHAKE_TAG_LENGTH = 12;
export const HANDSHAKE_MAC1_LENGTH = 4;
export const HANDSHAKE_MESSAGE_1_LENGTH = 1 + 2 + 32 + HANDSHAKE_TAG_LENGTH + HANDSHAKE_MAC1_LENGTH;
export const HANDSHAKE_MESSAGE_2_LENGTH = 1 + 32 + HANDSHAKE_TAG_LENGTH;
export const MAX_MEMBER_ID = 0xffff;
const PROLOGUE_LABEL = utf8("picket v1 handshake");
const MAC1_LABEL = utf8("picket v1 mac1");
const MAC1_OFFSET = HANDSHAKE_MESSAGE_1_LENGTH - HANDSHAKE_MAC1_LENGTH;

/** The slice of a roster member the handshake reads; picket/link/membership's Member has it. */
export interface HandshakeMember {
	readonly id: number;
	readonly staticPublicKey: Uint8Array;
}

/** The roster lookup the handshake needs; picket/link/membership's Membership satisfies it. */
export interface HandshakeRoster {
	member(id: number): HandshakeMember | undefined;
}

/** What this device brings to every handshake. */
export interface HandshakeIdentity {
	readonly crypto: CryptoSuite;
	readonly domainId: Uint8Array;
	readonly memberId: number;
	readonly staticKeyPair: X25519KeyPair;
	/** deriveHandshakePsk(domain, secret, epoch) of the current epoch, 32 B. */
	readonly psk: Uint8Array;
	readonly roster: HandshakeRoster;
}

export interface HandshakeOptions {
	/** A fixed ephemeral key pair, for tests and measurements only; otherwise the suite makes one. */
	readonly ephemeral?: X25519KeyPair;
}

/** The responder's outcome of message 1: the reply to send and the (unconfirmed) session. */
export interface HandshakeResponse {
	readonly reply: Uint8Array;
	readonly session: Session;
	readonly initiatorId: number;
}

function fail(code: HandshakeErrorCode, message?: string): never {
	throw new PicketError<HandshakeErrorCode>(code, message);
}

const NOISE_CODES_PASSED_THROUGH: readonly string[] = ["bad-tag", "truncated", "oversized", "weak-public-key", "unexpected-message"];

/** Runs a Noise step and reports its failures with this module's codes. */
function noiseStep<T>(step: () => T): T {
	try {
		return step();
	} catch (error) {
		if (isPicketError(error) && NOISE_CODES_PASSED_THROUGH.includes(error.code)) fail(error.code as HandshakeErrorCode, error.message);
		throw error;
	}
}

function u16(value: number): Uint8Array {
	return Uint8Array.of(value >>> 8, value & 255);
}

/** Checks the identity is usable and that the roster still holds this device under its own key. */
function checkIdentity(identity: HandshakeIdentity): void {
	if (identity.domainId.length !== DOMAIN_ID_LENGTH) fail("bad-length", "domain id must be 8 bytes");
	if (identity.psk.length !== HANDSHAKE_PSK_LENGTH) fail("bad-length", "handshake PSK must be 32 bytes");
	if (identity.staticKeyPair.secretKey.length !== 32 || identity.staticKeyPair.publicKey.length !== 32) fail("bad-length", "static key pair must be X25519");
	const self = identity.roster.member(identity.memberId);
	if (self === undefined || !constantTimeEqual(self.staticPublicKey, identity.staticKeyPair.publicKey)) {
		fail("not-in-roster", `member ${identity.memberId} with this static key`);
	}
}

function peerStaticKey(identity: HandshakeIdentity, peerId: number, code: "unknown-sender" | "not-in-roster"): Uint8Array {
	const peer = Number.isInteger(peerId) && peerId >= 0 && peerId <= MAX_MEMBER_ID && peerId !== identity.memberId ? identity.roster.member(peerId) : undefined;
	if (peer === undefined || peer.staticPublicKey.length !== 32) fail(code, `member ${peerId}`);
	return peer.staticPublicKey;
}

function handshakeState(identity: HandshakeIdentity, initiator: boolean, initiatorId: number, responderId: number, remoteStatic: Uint8Array, options: HandshakeOptions): HandshakeState {
	const { crypto } = identity;
	const state = new HandshakeState({
		pattern: KKPSK0,
		initiator,
		prologue: concatBytes(PROLOGUE_LABEL, identity.domainId, u16(initiatorId), u16(responderId)),
		s: identity.staticKeyPair,
		e: options.ephemeral,
		rs: remoteStatic,
		psks: [identity.psk],
		cipher: aesCcmCipher(crypto, HANDSHAKE_TAG_LENGTH),
		dh: x25519Dh(crypto),
		hash: sha256Hash(crypto),
		transportCipher: aesCcmCipher(crypto, SESSION_TAG_LENGTH),
	});
	if (state.protocolName !== HANDSHAKE_PROTOCOL_NAME) throw new Error(`protocol name ${state.protocolName}`); // a programming error, never air input
	return state;
}

/** Byte 0 checks shared by both messages. */
function checkFrame(frame: Uint8Array, messageNumber: 1 | 2, length: number): void {
	if (frame.length === 0) fail("truncated", "empty frame");
	if (frameVersion(frame[0]) !== PICKET_VERSION) fail("unknown-version", `version ${frameVersion(frame[0])}`);
	if (frameKind(frame[0]) !== FrameKind.Handshake) fail("unexpected-message", "not a handshake frame");
	if (frameDetail(frame[0]) !== messageNumber) fail("unexpected-message", `handshake message ${frameDetail(frame[0])}, expected ${messageNumber}`);
	if (frame.length < length) fail("truncated", `message ${messageNumber} is ${length} bytes, got ${frame.length}`);
	if (frame.length > length) fail("oversized", `message ${messageNumber} is ${length} bytes, got ${frame.length}`);
}

/** The initiator's side: message 1 on creation, then `finish` with message 2. */
export class HandshakeInitiator {
	readonly responderId: number;
	/** Message 1, ready to send (again, if it is lost: resending the same bytes is safe). */
	readonly message1: Uint8Array;
	#state: HandshakeState;
	#finished = false;

	constructor(identity: HandshakeIdentity, responderId: number, options: HandshakeOptions = {}) {
		checkIdentity(identity);
		const remoteStatic = peerStaticKey(identity, responderId, "not-in-roster");
		this.responderId = responderId;
		this.#state = handshakeState(identity, true, identity.memberId, responderId, remoteStatic, options);
		const { message } = noiseStep(() => this.#state.writeMessage(new Uint8Array(0)));
		const unauthenticated = concatBytes(Uint8Array.of(frameByte0(FrameKind.Handshake, 1)), u16(identity.memberId), message);
		this.message1 = concatBytes(unauthenticated, message1Mac(identity, responderId, unauthenticated));
	}

	/**
	 * Reads message 2 and returns the session. A failure (forgery, corruption) leaves the
	 * handshake pending, so the genuine message 2 can still complete it.
	 */
	finish(frame: Uint8Array): Session {
		if (this.#finished) fail("unexpected-message", "handshake already finished");
		checkFrame(frame, 2, HANDSHAKE_MESSAGE_2_LENGTH);
		const { transport } = noiseStep(() => this.#state.readMessage(frame.subarray(1)));
		if (transport === undefined) fail("unexpected-message", "message 2 did not end the handshake");
		this.#finished = true;
		return new Session({ peerId: this.responderId, send: transport[0], receive: transport[1], handshakeHash: this.#state.handshakeHash, peerConfirmed: true });
	}
}

/** mac1 of message 1's first 47 bytes for `responderId` (table above). */
function message1Mac(identity: HandshakeIdentity, responderId: number, unauthenticated: Uint8Array): Uint8Array {
	const { crypto } = identity;
	const key = crypto.hmacSha256(identity.psk, MAC1_LABEL);
	return crypto.hmacSha256(key, concatBytes(u16(responderId), unauthenticated)).subarray(0, HANDSHAKE_MAC1_LENGTH);
}

/**
 * Throws "bad-mac1" unless `frame` is a message 1 whose mac1 this device (`identity`, as the
 * responder) accepts. Two HMACs, no public-key work: the first check on every message 1.
 */
export function checkMessage1Mac(identity: HandshakeIdentity, frame: Uint8Array): void {
	checkFrame(frame, 1, HANDSHAKE_MESSAGE_1_LENGTH);
	const expected = message1Mac(identity, identity.memberId, frame.subarray(0, MAC1_OFFSET));
	if (!constantTimeEqual(expected, frame.subarray(MAC1_OFFSET))) fail("bad-mac1", "message 1 not made for this device with this epoch's PSK");
}

/** The initiator id message 1 claims, or undefined when `frame` is no message 1 (for routing before any crypto). */
export function handshakeInitiatorId(frame: Uint8Array): number | undefined {
	if (frame.length !== HANDSHAKE_MESSAGE_1_LENGTH || frame[0] !== frameByte0(FrameKind.Handshake, 1)) return undefined;
	return readU16(frame, 1);
}

/**
 * The initiator's ephemeral public key in message 1 (bytes 3..34, a view), or undefined when
 * `frame` is no message 1. Honest initiators draw a fresh one per handshake, so it names
 * the handshake: a responder recognises a message 1 it already answered by it.
 */
export function handshakeEphemeral(frame: Uint8Array): Uint8Array | undefined {
	if (handshakeInitiatorId(frame) === undefined) return undefined;
	return frame.subarray(3, 35);
}

/** The responder's side: reads message 1, writes message 2, returns the session. */
export function respondToHandshake(identity: HandshakeIdentity, frame: Uint8Array, options: HandshakeOptions = {}): HandshakeResponse {
	checkFrame(frame, 1, HANDSHAKE_MESSAGE_1_LENGTH);
	checkIdentity(identity);
	const initiatorId = readU16(frame, 1);
	const remoteStatic = peerStaticKey(identity, initiatorId, "unknown-sender");
	checkMessage1Mac(identity, frame);
	const state = handshakeState(identity, false, initiatorId, identity.memberId, remoteStatic, options);
	noiseStep(() => state.readMessage(frame.subarray(3, MAC1_OFFSET)));
	const { message, transport } = noiseStep(() => state.writeMessage(new Uint8Array(0)));
	if (transport === undefined) fail("unexpected-message", "message 2 did not end the handshake");
	const reply = concatBytes(Uint8Array.of(frameByte0(FrameKind.Handshake, 2)), message);
	const session = new Session({ peerId: initiatorId, send: transport[1], receive: transport[0], handshakeHash: state.handshakeHash, peerConfirmed: false });
	return { reply, session, initiatorId };
}
