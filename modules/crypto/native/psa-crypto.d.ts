/**
 * Types of the host functions in psa-crypto.js (C in psa-crypto.c and picket-psa.c, over the PSA API).
 * Firmware code uses them through `createNativeSuite()` (picket/crypto/native-suite), which
 * turns the conventions below into the CryptoSuite contract.
 *
 * Calling contract:
 * - Byte arguments: ArrayBuffer, Uint8Array (or another 8-bit view) or DataView; they are read,
 *   never kept or written.
 * - Byte results: a new ArrayBuffer the caller owns.
 * - Outcomes caused by data from the air are return values: `ccmOpen` gives `undefined` when
 *   authentication fails (nothing of the plaintext leaks), `ecdsaP256Verify` gives `false` for
 *   a wrong signature.
 * - Misuse throws. A RangeError's message carries a CryptoErrorCode and ": " —
 *   "bad-length: …", "weak-public-key: …", "bad-signature-encoding: …" (XS debug builds put
 *   "@xs_picket_…: " before it) — for the suite to map;
 *   a TypeError means a missing or non-buffer argument; an Error "psa-failure: …" means Mbed TLS
 *   itself failed.
 */

/** Bytes the native functions read. */
export type NativeBytes = ArrayBuffer | Uint8Array | DataView;

/** AES-128-CCM seal: 16-byte key, 13-byte nonce, tag 4, 6, …, 16 bytes. Returns ciphertext ‖ tag. */
export function ccmSeal(key: NativeBytes, nonce: NativeBytes, associatedData: NativeBytes, plaintext: NativeBytes, tagLength: number): ArrayBuffer;
/** AES-128-CCM open; `undefined` when the tag does not authenticate the input. */
export function ccmOpen(key: NativeBytes, nonce: NativeBytes, associatedData: NativeBytes, sealed: NativeBytes, tagLength: number): ArrayBuffer | undefined;
/** X25519 public key (32 B) of a 32-byte secret. */
export function x25519PublicKey(secretKey: NativeBytes): ArrayBuffer;
/** X25519 shared secret (32 B); throws "weak-public-key: …" on the all-zero result (RFC 7748 §6.1). */
export function x25519SharedSecret(secretKey: NativeBytes, peerPublicKey: NativeBytes): ArrayBuffer;
export function sha256(message: NativeBytes): ArrayBuffer;
export function hmacSha256(key: NativeBytes, message: NativeBytes): ArrayBuffer;
/** RFC 5869 HKDF-SHA-256, 0 ≤ length ≤ 8160. */
export function hkdfSha256(inputKeyMaterial: NativeBytes, salt: NativeBytes, info: NativeBytes, length: number): ArrayBuffer;
/** ECDSA P-256 over SHA-256(message); key SEC1 65 B or 33 B, signature r ‖ s 64 B. */
export function ecdsaP256Verify(publicKey: NativeBytes, message: NativeBytes, signature: NativeBytes): boolean;
/** ECDSA P-256 over a SHA-256 digest (32 B) computed elsewhere; key and signature as ecdsaP256Verify. */
export function ecdsaP256VerifyDigest(publicKey: NativeBytes, digest: NativeBytes, signature: NativeBytes): boolean;
/**
 * Streaming SHA-256 over a static pool of two PSA operations (a PSA operation must not move,
 * and XS moves buffers): begin returns a stream number; finish or abort frees it. Begin throws
 * "bad-length: …" when both are in use; update/finish of an unknown stream throw "bad-length: …".
 */
export function sha256Begin(): number;
export function sha256Update(stream: number, bytes: NativeBytes): void;
export function sha256Finish(stream: number): ArrayBuffer;
export function sha256Abort(stream: number): void;
/** Bytes from psa_generate_random: on the ESP32 ESP-IDF's hardware RNG directly (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG in IDF's esp_config.h), on the host Mbed TLS's CTR_DRBG seeded from getrandom; length ≤ 65536. */
export function randomBytes(length: number): ArrayBuffer;
