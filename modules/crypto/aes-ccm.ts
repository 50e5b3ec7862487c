/**
 * AES-128-CCM (Counter with CBC-MAC), written exactly per NIST SP 800-38C and RFC 3610
 * over the AES block function of `@noble/ciphers`. Generic over the nonce length
 * (7..13 bytes, so L = 15 − nonce length is 8..2) and the tag length (4..16, even), so the
 * RFC 3610 §8 packets and the SP 800-38C Appendix C examples run unchanged; Picket itself
 * uses a 13-byte nonce through the CryptoSuite contract.
 *
 * Block layouts (SP 800-38C §A.2, RFC 3610 §2.2 and §2.3; q = L = 15 − n):
 *
 * | block    | byte 0                                          | bytes 1..n | bytes n+1..15     |
 * |----------|-------------------------------------------------|------------|-------------------|
 * | B0       | Adata·64 ‖ ((t − 2)/2)·8 ‖ (q − 1)              | nonce      | payload length, q B big-endian |
 * | Ctr_i    | q − 1                                           | nonce      | i, q B big-endian |
 *
 * Associated-data length prefix (SP 800-38C §A.2.2), then the data, zero-padded to 16 B:
 *
 * | a                   | prefix                       |
 * |---------------------|------------------------------|
 * | 0                   | none (and no AAD blocks)     |
 * | 1 ≤ a < 2^16 − 2^8  | a, 2 B big-endian            |
 * | a < 2^32            | ff fe ‖ a, 4 B big-endian    |
 *
 * Tag T = MSB_t(CBC-MAC over B0 ‖ AAD blocks ‖ zero-padded payload); the sealed output is
 * (payload ⊕ MSB_len(S1 ‖ S2 ‖ …)) ‖ (T ⊕ MSB_t(S0)) with S_i = AES(Ctr_i).
 */
import { unsafe as aesInternals } from "@noble/ciphers/aes.js";
import { constantTimeEqual } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import type { CryptoErrorCode } from "picket/crypto/crypto-suite";

const BLOCK = 16;

/** Raised by seal and open: "bad-length" for a key/nonce/tag/payload size CCM refuses, "bad-tag" when authentication fails. */
export type CcmErrorCode = Extract<CryptoErrorCode, "bad-tag" | "bad-length">;

/**
 * One AES-128 key, expanded once. `@noble/ciphers` exposes its raw block function only as
 * `unsafe.encryptBlock` (an in-place transform of a 32-bit-aligned 16-byte block); the
 * package is pinned to an exact version and every CCM vector exercises this path, so a
 * change in that internal API shows up as failing vectors, not as silent wrong output.
 */
class Aes128 {
	readonly #expandedKey: Uint32Array;
	/** Fresh allocation, so it is 4-byte aligned as encryptBlock requires. */
	readonly #scratch = new Uint8Array(BLOCK);

	constructor(key: Uint8Array) {
		if (key.length !== 16) throw new PicketError<CcmErrorCode>("bad-length", "AES-128 key must be 16 bytes");
		this.#expandedKey = aesInternals.expandKeyLE(key);
	}

	/** Encrypts `block` (16 B) into `output` (16 B); the two may be the same array. */
	encrypt(block: Uint8Array, output: Uint8Array): void {
		this.#scratch.set(block);
		aesInternals.encryptBlock(this.#expandedKey, this.#scratch);
		output.set(this.#scratch);
	}

	/** Wipes the key schedule; the instance is unusable afterwards. */
	destroy(): void {
		this.#expandedKey.fill(0);
		this.#scratch.fill(0);
	}
}

/** Checks the parameters SP 800-38C §A.1 allows and returns q, the width of the length and counter fields. */
function checkParameters(nonce: Uint8Array, tagLength: number, payloadLength: number, associatedDataLength: number): number {
	if (nonce.length < 7 || nonce.length > 13) throw new PicketError<CcmErrorCode>("bad-length", "CCM nonce must be 7..13 bytes");
	if (!Number.isInteger(tagLength) || tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) {
		throw new PicketError<CcmErrorCode>("bad-length", "CCM tag must be 4, 6, …, 16 bytes");
	}
	const q = 15 - nonce.length;
	// The payload length must fit in q bytes; for q ≥ 6 every JS array length fits.
	if (q < 6 && payloadLength >= 2 ** (8 * q)) throw new PicketError<CcmErrorCode>("bad-length", `CCM payload too long for a ${nonce.length}-byte nonce`);
	// Picket never needs the 8-byte (ff ff) AAD length form.
	if (associatedDataLength >= 2 ** 32) throw new PicketError<CcmErrorCode>("bad-length", "associated data too long");
	return q;
}

/** Writes `value` big-endian into `target[offset .. offset + width)`. */
function writeBigEndian(target: Uint8Array, offset: number, width: number, value: number): void {
	for (let i = width - 1; i >= 0; i--) {
		target[offset + i] = value % 256;
		value = Math.floor(value / 256);
	}
}

/** XORs `bytes` into the CBC-MAC state block by block (zero padding implied), encrypting after each block. */
function macAbsorb(aes: Aes128, state: Uint8Array, bytes: Uint8Array, firstBlockOffset: number): void {
	// `firstBlockOffset` lets the AAD continue the block its length prefix started.
	let position = firstBlockOffset;
	for (let i = 0; i < bytes.length; i++) {
		state[position++] ^= bytes[i];
		if (position === BLOCK) {
			aes.encrypt(state, state);
			position = 0;
		}
	}
	if (position !== 0) aes.encrypt(state, state);
}

/** The unmasked tag T: CBC-MAC over B0, the encoded associated data and the payload (SP 800-38C §6.1 steps 1–4). */
function cbcMac(aes: Aes128, nonce: Uint8Array, associatedData: Uint8Array, payload: Uint8Array, tagLength: number, q: number): Uint8Array {
	const state = new Uint8Array(BLOCK);
	state[0] = (associatedData.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (q - 1);
	state.set(nonce, 1);
	writeBigEndian(state, 1 + nonce.length, q, payload.length);
	aes.encrypt(state, state);

	if (associatedData.length > 0) {
		let prefixLength: number;
		if (associatedData.length < 0xff00) {
			prefixLength = 2;
			state[0] ^= associatedData.length >> 8;
			state[1] ^= associatedData.length & 0xff;
		} else {
			prefixLength = 6;
			state[0] ^= 0xff;
			state[1] ^= 0xfe;
			state[2] ^= associatedData.length >>> 24;
			state[3] ^= (associatedData.length >>> 16) & 0xff;
			state[4] ^= (associatedData.length >>> 8) & 0xff;
			state[5] ^= associatedData.length & 0xff;
		}
		macAbsorb(aes, state, associatedData, prefixLength);
	}
	macAbsorb(aes, state, payload, 0);
	return state.subarray(0, tagLength);
}

/**
 * CTR mode over Ctr_1, Ctr_2, … (SP 800-38C §6.1 steps 5–8): XORs the key stream into
 * `bytes`, writing `output`. Returns S0 = AES(Ctr_0), which masks the tag.
 */
function counterMode(aes: Aes128, nonce: Uint8Array, q: number, bytes: Uint8Array, output: Uint8Array): Uint8Array {
	const counter = new Uint8Array(BLOCK);
	counter[0] = q - 1;
	counter.set(nonce, 1);
	const stream = new Uint8Array(BLOCK);
	const tagMask = new Uint8Array(BLOCK);
	aes.encrypt(counter, tagMask);
	for (let offset = 0, index = 1; offset < bytes.length; offset += BLOCK, index++) {
		writeBigEndian(counter, 1 + nonce.length, q, index);
		aes.encrypt(counter, stream);
		const end = Math.min(BLOCK, bytes.length - offset);
		for (let i = 0; i < end; i++) output[offset + i] = bytes[offset + i] ^ stream[i];
	}
	stream.fill(0);
	return tagMask;
}

/**
 * CCM generation-encryption (SP 800-38C §6.1): returns ciphertext ‖ tag, `tagLength` bytes
 * longer than the plaintext. Throws PicketError "bad-length" for sizes CCM refuses.
 */
export function ccmSeal(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, plaintext: Uint8Array, tagLength: number): Uint8Array {
	const q = checkParameters(nonce, tagLength, plaintext.length, associatedData.length);
	const aes = new Aes128(key);
	try {
		const tag = cbcMac(aes, nonce, associatedData, plaintext, tagLength, q);
		const sealed = new Uint8Array(plaintext.length + tagLength);
		const tagMask = counterMode(aes, nonce, q, plaintext, sealed);
		for (let i = 0; i < tagLength; i++) sealed[plaintext.length + i] = tag[i] ^ tagMask[i];
		return sealed;
	} finally {
		aes.destroy();
	}
}

/**
 * CCM decryption-verification (SP 800-38C §6.2): returns the plaintext, or throws
 * PicketError "bad-tag" — having wiped the decrypted bytes — when the tag does not match
 * (the comparison takes the same time wherever the tags differ). Throws "bad-length" when
 * `sealed` is shorter than its tag or a size is one CCM refuses.
 */
export function ccmOpen(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, sealed: Uint8Array, tagLength: number): Uint8Array {
	if (sealed.length < tagLength) throw new PicketError<CcmErrorCode>("bad-length", "sealed input shorter than its tag");
	const ciphertextLength = sealed.length - tagLength;
	const q = checkParameters(nonce, tagLength, ciphertextLength, associatedData.length);
	const aes = new Aes128(key);
	try {
		const plaintext = new Uint8Array(ciphertextLength);
		const tagMask = counterMode(aes, nonce, q, sealed.subarray(0, ciphertextLength), plaintext);
		const expectedTag = cbcMac(aes, nonce, associatedData, plaintext, tagLength, q);
		const receivedTag = new Uint8Array(tagLength);
		for (let i = 0; i < tagLength; i++) receivedTag[i] = sealed[ciphertextLength + i] ^ tagMask[i];
		if (!constantTimeEqual(expectedTag, receivedTag)) {
			plaintext.fill(0);
			throw new PicketError<CcmErrorCode>("bad-tag");
		}
		return plaintext;
	} finally {
		aes.destroy();
	}
}
