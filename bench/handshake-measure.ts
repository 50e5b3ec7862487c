/**
 * Handshake and session figures for bench/link (owned by the link layer): messages and
 * bytes on air, and X25519 / AES-CCM operations per handshake, counted by running one real
 * handshake over a CryptoSuite wrapped with counters. Portable: no Node API, no clock, so
 * the same figures come out on Node, on the host XS engine and on a device.
 */
import type { CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import { FrameKind, frameByte0 } from "picket/link/frame-kind";
import { HANDSHAKE_MESSAGE_1_LENGTH, HANDSHAKE_PROTOCOL_NAME, type HandshakeIdentity, HandshakeInitiator, respondToHandshake } from "picket/link/handshake";
import { PairwiseSessions } from "picket/link/pairwise-sessions";
import { FakeTimers } from "picket/test/support/fake-timers";
import { SESSION_OVERHEAD } from "picket/link/session";
import { encodeSessionCommand } from "picket/link/session-command";

/** Calls into the suite, by operation. X25519 counts scalar multiplications (key generation included). */
export interface OperationCounts {
	x25519: number;
	ccmSeal: number;
	ccmOpen: number;
	sha256: number;
	hmacSha256: number;
}

export interface HandshakeFigures {
	readonly protocolName: string;
	readonly messages: number;
	readonly message1Bytes: number;
	readonly message2Bytes: number;
	readonly totalBytes: number;
	readonly initiator: OperationCounts;
	readonly responder: OperationCounts;
	/** Per-frame overhead of a session frame (header + tag), and the size of an acknowledge frame. */
	readonly sessionOverheadBytes: number;
	readonly acknowledgeFrameBytes: number;
}

function zeroCounts(): OperationCounts {
	return { x25519: 0, ccmSeal: 0, ccmOpen: 0, sha256: 0, hmacSha256: 0 };
}

/** `crypto` with every call counted into `counts()` (the object in use at the time of the call). */
export function countingSuite(crypto: CryptoSuite, counts: () => OperationCounts): CryptoSuite {
	return {
		...crypto,
		name: `${crypto.name} (counted)`,
		ccmSeal: (...args) => (counts().ccmSeal++, crypto.ccmSeal(...args)),
		ccmOpen: (...args) => (counts().ccmOpen++, crypto.ccmOpen(...args)),
		x25519KeyPair: () => (counts().x25519++, crypto.x25519KeyPair()),
		x25519PublicKey: (secretKey) => (counts().x25519++, crypto.x25519PublicKey(secretKey)),
		x25519SharedSecret: (secretKey, publicKey) => (counts().x25519++, crypto.x25519SharedSecret(secretKey, publicKey)),
		sha256: (message) => (counts().sha256++, crypto.sha256(message)),
		hmacSha256: (key, message) => (counts().hmacSha256++, crypto.hmacSha256(key, message)),
	};
}

/** Two members (ids 1 and 2) and their identities over `crypto`. */
function testPair(crypto: CryptoSuite): (id: number) => HandshakeIdentity {
	const keys = new Map<number, X25519KeyPair>([
		[1, crypto.x25519KeyPair()],
		[2, crypto.x25519KeyPair()],
	]);
	const roster = { member: (id: number) => (keys.has(id) ? { id, staticPublicKey: keys.get(id)!.publicKey } : undefined) };
	const psk = crypto.sha256(Uint8Array.of(1, 2, 3));
	return (id) => ({ crypto, domainId: new Uint8Array(8), memberId: id, staticKeyPair: keys.get(id)!, psk, roster });
}

export interface ForgedMessage1Figures {
	readonly frames: number;
	readonly x25519: number;
	readonly hmacSha256: number;
	readonly answered: number;
}

/**
 * `count` forged messages 1 (a member's id, then random bytes: what an outsider can send)
 * into a device's pairwise session layer, and the public-key work they cost it. Before mac1
 * each cost two X25519 (es, ss) before its tag failed.
 */
export function measureForgedMessages1(crypto: CryptoSuite, count: number): ForgedMessage1Figures {
	const counts = zeroCounts();
	const identity = testPair(crypto);
	const timers = new FakeTimers();
	let answered = 0;
	const responder = new PairwiseSessions({ identity: { ...identity(2), crypto: countingSuite(crypto, () => counts) }, timers, transmit: () => answered++ });
	for (let i = 0; i < count; i++) {
		const forged = crypto.randomBytes(HANDSHAKE_MESSAGE_1_LENGTH);
		forged.set([frameByte0(FrameKind.Handshake, 1), 0, 1], 0);
		responder.receive(forged, Uint8Array.of(2, 0, 0, 0, i >>> 8, i & 255));
	}
	responder.close();
	return { frames: count, x25519: counts.x25519, hmacSha256: counts.hmacSha256, answered };
}

/**
 * Runs one Picket handshake between two fresh members over `crypto` and counts each
 * side's operations. Roster and PSK are set up before counting starts.
 */
export function measureHandshake(crypto: CryptoSuite): HandshakeFigures {
	const initiatorCounts = zeroCounts();
	const responderCounts = zeroCounts();
	let current = initiatorCounts;
	const counted = countingSuite(crypto, () => current);
	const pair = testPair(crypto);
	const identity = (id: number): HandshakeIdentity => ({ ...pair(id), crypto: counted });

	const initiator = new HandshakeInitiator(identity(1), 2);
	current = responderCounts;
	const response = respondToHandshake(identity(2), initiator.message1);
	current = initiatorCounts;
	initiator.finish(response.reply);
	return {
		protocolName: HANDSHAKE_PROTOCOL_NAME,
		messages: 2,
		message1Bytes: initiator.message1.length,
		message2Bytes: response.reply.length,
		totalBytes: initiator.message1.length + response.reply.length,
		initiator: initiatorCounts,
		responder: responderCounts,
		sessionOverheadBytes: SESSION_OVERHEAD,
		acknowledgeFrameBytes: SESSION_OVERHEAD + encodeSessionCommand({ kind: "acknowledge", incident: 0, origin: 0 }).length,
	};
}
