/**
 * A pairwise session: the two CipherStates of the handshake's Split() (Noise rev 34 §5.2),
 * carrying unicast commands (picket/link/session-command) between two members.
 *
 * Session frame, one ESP-NOW frame (≤ 250 B), matched to its session by the sender's MAC:
 *
 * | byte     | size | field   | content                                                        |
 * |----------|------|---------|----------------------------------------------------------------|
 * | 0        | 1    | byte 0  | version 0, kind Session (2), detail 0 (picket/link/frame-kind) |
 * | 1..4     | 4    | counter | u32 big-endian, this direction's frame counter, from 0         |
 * | 5..n−9   | n−13 | command | AES-CCM ciphertext of the command                              |
 * | n−8..n−1 | 8    | tag     | AES-CCM tag                                                    |
 *
 * Cipher: AESCCM8 = Picket's AESCCM (picket/link/noise/noise-functions) with an 8-byte tag,
 * keyed by Split()'s k1 (initiator → responder) or k2 (responder → initiator); nonce =
 * 5 zero bytes ‖ counter as 64-bit big-endian, set explicitly with SetNonce (§11.4
 * out-of-order transport); associated data = bytes 0..4, so byte 0 and the counter are
 * authenticated. Overhead: 13 bytes per frame.
 *
 * Why an 8-byte tag where Noise transport has 16: it is the alert layer's 64-bit tag (the
 * DESIGN budget), saves 8 bytes on every unicast, and 2^-64 per forgery attempt is far out
 * of reach of a radio link (at 1,000 frames/s, ~6·10^8 years for one expected success).
 * The keys are never used with another tag length: k1 and k2 exist only here.
 *
 * Replay protection, per direction: the sender's counter strictly increases (never
 * stored: a session lives in RAM and a reboot means a new handshake, new keys, so no nonce
 * can repeat); the receiver keeps a 64-wide sliding window over counters (RFC 4303
 * §3.4.3): newer than the highest = fresh, already seen = "replayed", 64 or more below the
 * highest = "stale". The window moves only after the tag verified, so forgeries never move it.
 * ESP-NOW unicast retries and re-sent commands can arrive late or twice; both are handled.
 */
import { PicketError } from "picket/core/picket-error";
import { RADIO_FRAME_MAX } from "picket/device/radio";
import { FrameKind, PICKET_VERSION, frameByte0, frameDetail, frameKind, frameVersion } from "picket/link/frame-kind";
import type { CipherState } from "picket/link/noise/cipher-state";
import { decodeSessionCommand, encodeSessionCommand, type SessionCommand } from "picket/link/session-command";

export type SessionErrorCode =
	| "truncated" // shorter than header + tag + one command byte
	| "oversized" // longer than one ESP-NOW frame
	| "unknown-version"
	| "unexpected-message" // not a session frame
	| "bad-tag"
	| "replayed"
	| "stale" // older than the replay window
	| "bad-command" // authentic frame, malformed command (a buggy or hostile member)
	| "exhausted" // this direction's counter is used up: run a new handshake
	| "unconfirmed"; // key material refused to a peer not yet confirmed (see `peerConfirmed`)

export const SESSION_HEADER_LENGTH = 5;
export const SESSION_TAG_LENGTH = 8;
export const SESSION_OVERHEAD = SESSION_HEADER_LENGTH + SESSION_TAG_LENGTH;
export const SESSION_REPLAY_WINDOW = 64;
const MAX_COUNTER = 0xffffffff;

function fail(code: SessionErrorCode, message?: string): never {
	throw new PicketError<SessionErrorCode>(code, message);
}

export interface SessionOptions {
	/** The peer's member id. */
	readonly peerId: number;
	/** This side's sending CipherState (initiator: c1, responder: c2) and receiving one. */
	readonly send: CipherState;
	readonly receive: CipherState;
	/** The handshake hash h, for channel binding and logs (§11.2). */
	readonly handshakeHash: Uint8Array;
	/**
	 * True when the handshake already authenticated the peer in a way that resists key
	 * compromise impersonation (the initiator, after message 2); the responder's session
	 * becomes confirmed with the first authentic frame from the initiator.
	 */
	readonly peerConfirmed: boolean;
}

/** An authentic, fresh session frame: its command and the counter it travelled under. */
export interface OpenedSessionFrame {
	readonly command: SessionCommand;
	readonly counter: number;
}

export class Session {
	readonly peerId: number;
	readonly handshakeHash: Uint8Array;
	#send: CipherState;
	#receive: CipherState;
	#nextCounter = 0;
	#peerConfirmed: boolean;
	/** Highest counter accepted, −1 before the first. */
	#top = -1;
	/** seen[c % 64] for c in (top − 64, top]. */
	#seen = new Uint8Array(SESSION_REPLAY_WINDOW);

	constructor(options: SessionOptions) {
		this.peerId = options.peerId;
		this.handshakeHash = options.handshakeHash;
		this.#send = options.send;
		this.#receive = options.receive;
		this.#peerConfirmed = options.peerConfirmed;
	}

	/**
	 * KK's message 1 can be forged by someone holding this device's own static key and the
	 * domain PSK (key compromise impersonation, Noise §7.7 source property 1); until the
	 * peer has sent an authentic session frame, this side does not send it key material.
	 */
	get peerConfirmed(): boolean {
		return this.#peerConfirmed;
	}

	/** Seals one command into a session frame. */
	seal(command: SessionCommand): Uint8Array {
		if (command.kind === "epoch-delivery" && !this.#peerConfirmed) fail("unconfirmed", "a key-epoch delivery waits for the peer's first frame");
		const plaintext = encodeSessionCommand(command);
		if (SESSION_OVERHEAD + plaintext.length > RADIO_FRAME_MAX) fail("oversized", `${SESSION_OVERHEAD + plaintext.length} bytes`);
		if (this.#nextCounter > MAX_COUNTER) fail("exhausted");
		const counter = this.#nextCounter++;
		const header = sessionHeader(counter);
		this.#send.setNonce(counter);
		const sealed = this.#send.encryptWithAd(header, plaintext);
		const frame = new Uint8Array(header.length + sealed.length);
		frame.set(header);
		frame.set(sealed, header.length);
		return frame;
	}

	/** Opens one session frame: the command, or a PicketError<SessionErrorCode>. */
	open(frame: Uint8Array): SessionCommand {
		return this.openFrame(frame).command;
	}

	/** `open`, with the frame's counter (consecutive chunks of one delivery have consecutive counters). */
	openFrame(frame: Uint8Array): OpenedSessionFrame {
		if (frame.length < SESSION_OVERHEAD + 1) fail("truncated", `${frame.length} bytes`);
		if (frame.length > RADIO_FRAME_MAX) fail("oversized", `${frame.length} bytes`);
		if (frameVersion(frame[0]) !== PICKET_VERSION) fail("unknown-version");
		if (frameKind(frame[0]) !== FrameKind.Session || frameDetail(frame[0]) !== 0) fail("unexpected-message", "not a session frame");
		const header = frame.subarray(0, SESSION_HEADER_LENGTH);
		const counter = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(1);
		// Cheap checks first: a replayed or stale counter is refused without touching AES.
		this.#checkFresh(counter);
		this.#receive.setNonce(counter);
		let plaintext: Uint8Array;
		try {
			plaintext = this.#receive.decryptWithAd(header, frame.subarray(SESSION_HEADER_LENGTH));
		} catch {
			fail("bad-tag");
		}
		this.#accept(counter);
		this.#peerConfirmed = true;
		return { command: decodeSessionCommand(plaintext), counter };
	}

	#checkFresh(counter: number): void {
		if (counter > this.#top) return;
		if (counter <= this.#top - SESSION_REPLAY_WINDOW) fail("stale", `counter ${counter}, window top ${this.#top}`);
		if (this.#seen[counter % SESSION_REPLAY_WINDOW] === 1) fail("replayed", `counter ${counter}`);
	}

	#accept(counter: number): void {
		if (counter > this.#top) {
			// Forget the slots the window slides past, then move the top.
			const advance = Math.min(counter - this.#top, SESSION_REPLAY_WINDOW);
			for (let step = 1; step <= advance; step++) this.#seen[(this.#top + step) % SESSION_REPLAY_WINDOW] = 0;
			this.#top = counter;
		}
		this.#seen[counter % SESSION_REPLAY_WINDOW] = 1;
	}
}

function sessionHeader(counter: number): Uint8Array {
	const header = new Uint8Array(SESSION_HEADER_LENGTH);
	header[0] = frameByte0(FrameKind.Session, 0);
	new DataView(header.buffer).setUint32(1, counter);
	return header;
}
