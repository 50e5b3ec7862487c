/**
 * The crypto contract every Picket module depends on. Two providers implement it: a
 * portable software suite (Node and XS) and a native suite over Mbed TLS's PSA API
 * (ESP32, where AES runs on the hardware accelerator, and the host XS runtime).
 *
 * All inputs and outputs are Uint8Array. Failures throw PicketError with a CryptoErrorCode.
 */
import type { PicketError } from "picket/core/picket-error";

export type CryptoErrorCode =
	| "bad-tag" // AEAD authentication failed: nothing of the plaintext is returned
	| "bad-length" // a key, nonce, tag or input has a length the operation does not accept
	| "weak-public-key" // X25519 produced the all-zero shared secret (RFC 7748 §6.1)
	| "bad-signature-encoding" // a signature or public key that cannot be parsed
	| "unavailable"; // the provider lacks this operation (e.g. Ed25519 on the native suite)

export type CryptoError = PicketError<CryptoErrorCode>;

/** CCM tag lengths Picket accepts (NIST SP 800-38C allows 4..16, even). */
export type CcmTagLength = 4 | 6 | 8 | 10 | 12 | 14 | 16;

/** Fills a new array of `length` bytes from a cryptographically secure source the host injects. */
export type RandomSource = (length: number) => Uint8Array;

export interface X25519KeyPair {
	readonly secretKey: Uint8Array; // 32 B
	readonly publicKey: Uint8Array; // 32 B
}

/**
 * SHA-256 over input given piece by piece (a firmware image read from flash, which no board
 * can hold at once). `digest` ends the stream; `abort` frees it unfinished (the native suite
 * holds a PSA operation from a small pool until one of the two is called).
 */
export interface Sha256Stream {
	update(bytes: Uint8Array): void;
	digest(): Uint8Array;
	abort(): void;
}

export interface CryptoSuite {
	/** Short name for logs and benchmarks ("software", "native"). */
	readonly name: string;

	/** AES-128-CCM: 16-byte key, 13-byte nonce (L = 2, payload ≤ 65,535 B). Returns ciphertext ‖ tag. */
	ccmSeal(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, plaintext: Uint8Array, tagLength: CcmTagLength): Uint8Array;
	/**
	 * Inverse of ccmSeal; throws "bad-tag" when anything was altered (and returns no
	 * plaintext), "bad-length" for a key or nonce of the wrong size or input shorter than the tag.
	 */
	ccmOpen(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, sealed: Uint8Array, tagLength: CcmTagLength): Uint8Array;

	/** A fresh X25519 key pair from the suite's random source. */
	x25519KeyPair(): X25519KeyPair;
	x25519PublicKey(secretKey: Uint8Array): Uint8Array;
	/** RFC 7748 X25519; throws "weak-public-key" on the all-zero result (§6.1). */
	x25519SharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;

	sha256(message: Uint8Array): Uint8Array;
	hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array;
	/** RFC 5869 HKDF-SHA-256 (extract then expand); length ≤ 255 × 32. */
	hkdfSha256(inputKeyMaterial: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;

	/**
	 * ECDSA P-256 over SHA-256(message); public key SEC1 (65 B uncompressed or 33 B
	 * compressed), signature r ‖ s (64 B). Accepts high-S signatures, as OpenSSL and Mbed TLS
	 * do. Returns false for a well-formed but wrong signature; throws
	 * "bad-signature-encoding" for a signature of the wrong length or an unparsable key.
	 */
	ecdsaP256Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;

	/** A new streaming SHA-256. */
	sha256Stream(): Sha256Stream;
	/**
	 * ECDSA P-256 over a SHA-256 digest computed elsewhere (32 B; "bad-length" otherwise): a
	 * firmware image is hashed as it is read, then its signature checked against the digest.
	 * Key, signature and results as ecdsaP256Verify.
	 */
	ecdsaP256VerifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean;

	randomBytes(length: number): Uint8Array;
}
