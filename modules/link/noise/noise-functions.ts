/**
 * The three sets of functions a Noise protocol is built from (Noise rev 34 §4): DH, CIPHER
 * and HASH. Picket fixes DH = 25519 and HASH = SHA256 over its CryptoSuite and injects the
 * CIPHER, so the same engine runs the published vectors (AESGCM, ChaChaPoly, supplied by
 * the tests) and Picket's production cipher, AESCCM.
 *
 * ## AESCCM: Picket's cipher, not a registered Noise cipher name
 *
 * The Noise registry names only AESGCM and ChaChaPoly. Picket's radios have AES-CCM in
 * hardware and nothing else, so Picket defines, by analogy with AESGCM (§12.4):
 *
 * | Noise function     | AESCCM                                                              |
 * |--------------------|---------------------------------------------------------------------|
 * | ENCRYPT(k, n, ad, p) | AES-128-CCM (NIST SP 800-38C), key = k[0..16), tag 16 B (handshake) |
 * | nonce (13 B, L = 2)  | 5 zero bytes ‖ n as 64-bit big-endian                              |
 * | REKEY(k)             | the §4.2 default: first 32 B of ENCRYPT(k, 2^64 − 1, "", 32 zeros) |
 *
 * Noise's k is 32 bytes; AES-128 keeps its first 16 (128-bit security, the level of
 * Curve25519 itself). The protocol name says "AESCCM" (e.g. Noise_KKpsk0_25519_AESCCM_SHA256)
 * so a transcript can never be confused with a registered cipher's. A CCM cipher with a
 * shorter tag gets its own name: "AESCCM12" (Picket's handshake, whose 100 B budget also
 * carries a mac1), "AESCCM8" (Picket's session frames).
 */
import type { CcmTagLength, CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import { PicketError } from "picket/core/picket-error";

export type NoiseErrorCode =
	| "bad-tag" // DECRYPT failed: the message was altered, or the keys differ
	| "truncated" // a handshake message is shorter than its tokens need
	| "oversized" // a handshake message or payload is longer than Noise allows (65,535 B)
	| "nonce-exhausted" // n reached the largest nonce this engine counts to
	| "unexpected-message" // a message out of turn, or after the handshake finished
	| "missing-key" // a token needs a key the caller did not supply
	| "weak-public-key" // DH gave the all-zero output (RFC 7748 §6.1)
	| "bad-pattern"; // a pattern name or modifier this engine does not know

export type NoiseError = PicketError<NoiseErrorCode>;

/** Noise §3: every message, handshake or transport, is at most 65,535 bytes. */
export const NOISE_MAX_MESSAGE = 65535;

/**
 * Largest n the engine uses. Noise allows up to 2^64 − 2; numbers count exactly to 2^53 − 1,
 * beyond any device's lifetime, so CipherState stops there ("nonce-exhausted").
 */
export const NOISE_MAX_NONCE = Number.MAX_SAFE_INTEGER - 1;

/** CIPHER functions (§4.2), keyed by a 32-byte k. */
export interface NoiseCipher {
	/** The name in the protocol name: "AESGCM", "ChaChaPoly", "AESCCM". */
	readonly name: string;
	/** Bytes ENCRYPT adds to the plaintext (16 for every registered cipher). */
	readonly tagLength: number;
	encrypt(k: Uint8Array, n: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
	/** Throws PicketError "bad-tag" on authentication failure. */
	decrypt(k: Uint8Array, n: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
	rekey(k: Uint8Array): Uint8Array;
}

/** DH functions (§4.1) for Curve25519. */
export interface NoiseDh {
	readonly name: "25519";
	readonly dhLength: 32;
	generateKeyPair(): X25519KeyPair;
	/** Throws PicketError "weak-public-key" when the output is all zeros. */
	dh(keyPair: X25519KeyPair, publicKey: Uint8Array): Uint8Array;
}

/** HASH functions (§4.3) for SHA-256. */
export interface NoiseHash {
	readonly name: "SHA256";
	readonly hashLength: 32;
	readonly blockLength: 64;
	hash(data: Uint8Array): Uint8Array;
	/** HKDF(chaining_key, input_key_material, num_outputs) of §4.3: two or three 32-byte outputs. */
	hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 2 | 3): Uint8Array[];
}

/** A nonce written from n as two 32-bit halves, so 2^64 − 1 (for REKEY) is expressible too. */
export type NonceLayout = (high: number, low: number) => Uint8Array;

/** An AEAD as the Noise CIPHER functions: nonce layout from n, ENCRYPT/DECRYPT, default REKEY. */
export interface AeadDefinition {
	readonly name: string;
	readonly tagLength: number;
	readonly nonce: NonceLayout;
	seal(k: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
	/** Throws (anything) when authentication fails; the cipher reports it as "bad-tag". */
	open(k: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

function nonceHalves(n: number): [number, number] {
	return [Math.floor(n / 0x100000000), n >>> 0];
}

/** Builds a NoiseCipher from an AEAD definition; REKEY is the §4.2 default. */
export function defineCipher(aead: AeadDefinition): NoiseCipher {
	return {
		name: aead.name,
		tagLength: aead.tagLength,
		encrypt: (k, n, ad, plaintext) => aead.seal(k, aead.nonce(...nonceHalves(n)), ad, plaintext),
		decrypt(k, n, ad, ciphertext) {
			if (ciphertext.length < aead.tagLength) throw new PicketError<NoiseErrorCode>("bad-tag", "ciphertext shorter than its tag");
			try {
				return aead.open(k, aead.nonce(...nonceHalves(n)), ad, ciphertext);
			} catch {
				throw new PicketError<NoiseErrorCode>("bad-tag");
			}
		},
		rekey: (k) => aead.seal(k, aead.nonce(0xffffffff, 0xffffffff), new Uint8Array(0), new Uint8Array(32)).subarray(0, 32),
	};
}

/** A `length`-byte nonce: zero bytes, then n as 64-bit big-endian in the last 8 bytes (AESGCM: 12, AESCCM: 13). */
export function bigEndianNonce(length: number): NonceLayout {
	return (high, low) => {
		const nonce = new Uint8Array(length);
		const view = new DataView(nonce.buffer);
		view.setUint32(length - 8, high);
		view.setUint32(length - 4, low);
		return nonce;
	};
}

/** Picket's AESCCM cipher (see the table above) over the suite's AES-128-CCM. */
export function aesCcmCipher(crypto: CryptoSuite, tagLength: CcmTagLength = 16): NoiseCipher {
	return defineCipher({
		name: tagLength === 16 ? "AESCCM" : `AESCCM${tagLength}`,
		tagLength,
		nonce: bigEndianNonce(13),
		seal: (k, nonce, ad, plaintext) => crypto.ccmSeal(k.subarray(0, 16), nonce, ad, plaintext, tagLength),
		open: (k, nonce, ad, ciphertext) => crypto.ccmOpen(k.subarray(0, 16), nonce, ad, ciphertext, tagLength),
	});
}

/** DH = 25519 over the suite. */
export function x25519Dh(crypto: CryptoSuite): NoiseDh {
	return {
		name: "25519",
		dhLength: 32,
		generateKeyPair: () => crypto.x25519KeyPair(),
		dh(keyPair, publicKey) {
			// The suite already throws "weak-public-key" on the all-zero output; checked again
			// here because a Noise engine must never mix an all-zero secret into its keys.
			const shared = crypto.x25519SharedSecret(keyPair.secretKey, publicKey);
			let any = 0;
			for (const byte of shared) any |= byte;
			if (any === 0) throw new PicketError<NoiseErrorCode>("weak-public-key");
			return shared;
		},
	};
}

const BYTE_1 = Uint8Array.of(1);

/** HASH = SHA256 over the suite, with Noise's own HKDF built from HMAC-HASH (§4.3). */
export function sha256Hash(crypto: CryptoSuite): NoiseHash {
	return {
		name: "SHA256",
		hashLength: 32,
		blockLength: 64,
		hash: (data) => crypto.sha256(data),
		hkdf(chainingKey, inputKeyMaterial, outputs) {
			const tempKey = crypto.hmacSha256(chainingKey, inputKeyMaterial);
			const output1 = crypto.hmacSha256(tempKey, BYTE_1);
			const output2 = crypto.hmacSha256(tempKey, appendByte(output1, 2));
			if (outputs === 2) return [output1, output2];
			return [output1, output2, crypto.hmacSha256(tempKey, appendByte(output2, 3))];
		},
	};
}

function appendByte(bytes: Uint8Array, byte: number): Uint8Array {
	const joined = new Uint8Array(bytes.length + 1);
	joined.set(bytes);
	joined[bytes.length] = byte;
	return joined;
}
