/**
 * Plays one Cacophony vector through two HandshakeStates (initiator and responder) and
 * then their transport CipherStates, and lists every byte that differs from the vector.
 * Portable: it uses only the suite it is given.
 */
import { fromHex, toHex } from "picket/core/bytes";
import type { CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import type { CipherState } from "picket/link/noise/cipher-state";
import { handshakePattern } from "picket/link/noise/handshake-patterns";
import { HandshakeState, type TransportPair } from "picket/link/noise/handshake-state";
import { sha256Hash, x25519Dh } from "picket/link/noise/noise-functions";
import type { NoiseVector } from "picket/test/fixtures/noise/psk-25519-sha256";
import { VECTOR_CIPHERS } from "picket/test/support/noise-vector-ciphers";

export interface VectorOutcome {
	readonly protocolName: string;
	/** Human-readable differences; empty when the engine reproduces the vector. */
	readonly mismatches: readonly string[];
	readonly messagesChecked: number;
}

export function runNoiseVector(vector: NoiseVector, crypto: CryptoSuite): VectorOutcome {
	const [, patternName, , cipherName] = vector.protocol_name.split("_");
	const pattern = handshakePattern(patternName);
	const cipher = VECTOR_CIPHERS[cipherName];
	const keyPair = (secret: string | undefined): X25519KeyPair | undefined => {
		if (secret === undefined) return undefined;
		const secretKey = fromHex(secret);
		return { secretKey, publicKey: crypto.x25519PublicKey(secretKey) };
	};
	const hex = (value: string | undefined) => (value === undefined ? undefined : fromHex(value));
	const common = { pattern, cipher, dh: x25519Dh(crypto), hash: sha256Hash(crypto) };
	const initiator = new HandshakeState({
		...common,
		initiator: true,
		prologue: fromHex(vector.init_prologue),
		psks: vector.init_psks.map(fromHex),
		s: keyPair(vector.init_static),
		e: keyPair(vector.init_ephemeral),
		rs: hex(vector.init_remote_static),
	});
	const responder = new HandshakeState({
		...common,
		initiator: false,
		prologue: fromHex(vector.resp_prologue),
		psks: vector.resp_psks.map(fromHex),
		s: keyPair(vector.resp_static),
		e: keyPair(vector.resp_ephemeral),
		rs: hex(vector.resp_remote_static),
	});
	const mismatches: string[] = [];
	if (initiator.protocolName !== vector.protocol_name) mismatches.push(`protocol name ${initiator.protocolName}`);
	let initiatorTransport: TransportPair | undefined;
	let responderTransport: TransportPair | undefined;
	let messagesChecked = 0;
	vector.messages.forEach((expected, index) => {
		const fromInitiator = pattern.oneWay || index % 2 === 0;
		const payload = fromHex(expected.payload);
		let ciphertext: Uint8Array;
		let received: Uint8Array;
		if (initiatorTransport === undefined || responderTransport === undefined) {
			const [writer, reader] = fromInitiator ? [initiator, responder] : [responder, initiator];
			const written = writer.writeMessage(payload);
			ciphertext = written.message;
			const read = reader.readMessage(ciphertext);
			received = read.payload;
			if (written.transport !== undefined) [initiatorTransport, responderTransport] = fromInitiator ? [written.transport, read.transport] : [read.transport, written.transport];
		} else {
			// c1 carries initiator → responder, c2 responder → initiator (§5.2 Split).
			const [send, receive]: [CipherState, CipherState] = fromInitiator ? [initiatorTransport[0], responderTransport[0]] : [responderTransport[1], initiatorTransport[1]];
			ciphertext = send.encryptWithAd(new Uint8Array(0), payload);
			received = receive.decryptWithAd(new Uint8Array(0), ciphertext);
		}
		if (toHex(ciphertext) !== expected.ciphertext) mismatches.push(`message ${index} ciphertext ${toHex(ciphertext)}`);
		if (toHex(received) !== expected.payload) mismatches.push(`message ${index} payload read back as ${toHex(received)}`);
		messagesChecked++;
	});
	for (const [side, state] of [["initiator", initiator], ["responder", responder]] as const) {
		if (!state.finished) mismatches.push(`${side} did not finish`);
		if (toHex(state.handshakeHash) !== vector.handshake_hash) mismatches.push(`${side} handshake hash ${toHex(state.handshakeHash)}`);
	}
	return { protocolName: vector.protocol_name, mismatches, messagesChecked };
}
