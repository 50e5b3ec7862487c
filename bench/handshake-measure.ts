/**
 * Handshake and session figures for bench/link (owned by the link layer): messages and
 * bytes on air, and X25519 / AES-CCM operations per handshake, counted by running one real
 * handshake over a CryptoSuite wrapped with counters. Portable: no Node API, no clock, so
 * the same figures come out on Node, on the host XS engine and on a device.
 */
import type { CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import { HANDSHAKE_PROTOCOL_NAME, type HandshakeIdentity, HandshakeInitiator, respondToHandshake } from "picket/link/handshake";
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

/**
 * Runs one Picket handshake between two fresh members over `crypto` and counts each
 * side's operations. Roster and PSK are set up before counting starts.
 */
export function measureHandshake(crypto: CryptoSuite): HandshakeFigures {
	const initiatorCounts = zeroCounts();
	const responderCounts = zeroCounts();
	let current = initiatorCounts;
	const counted = countingSuite(crypto, () => current);
	const keys = new Map<number, X25519KeyPair>([
		[1, crypto.x25519KeyPair()],
		[2, crypto.x25519KeyPair()],
	]);
	const roster = { member: (id: number) => (keys.has(id) ? { id, staticPublicKey: keys.get(id)!.publicKey } : undefined) };
	const psk = crypto.sha256(Uint8Array.of(1, 2, 3));
	const identity = (id: number): HandshakeIdentity => ({ crypto: counted, domainId: new Uint8Array(8), memberId: id, staticKeyPair: keys.get(id)!, psk, roster });

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
