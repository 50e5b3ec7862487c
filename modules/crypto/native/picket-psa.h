/*
 * Picket's crypto primitives over the PSA Crypto API (Mbed TLS 2.28 on the host, TF-PSA-Crypto
 * 1.0 in ESP-IDF 6.0 on the ESP32), as plain C with no XS in sight, so the same functions are
 * called by the xsmc binding (psa-crypto.c) and by the host's C test harness
 * (hosts/xs/native-tests/).
 *
 * Every function:
 *   - takes caller-owned buffers and writes only to `out` (sized as documented);
 *   - imports any key it needs as a volatile PSA key and destroys it on every path;
 *   - returns a picket_psa_result; on anything but PICKET_PSA_OK the `out` buffer is zeroed.
 * Lengths are checked here as well as in the binding: a wrong length is PICKET_PSA_BAD_LENGTH,
 * never a read or write out of bounds.
 */
#ifndef PICKET_PSA_H
#define PICKET_PSA_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	PICKET_PSA_OK = 0,
	PICKET_PSA_BAD_LENGTH,        /* a key, nonce, tag or input length the operation does not accept */
	PICKET_PSA_BAD_TAG,           /* CCM authentication failed */
	PICKET_PSA_WEAK_PUBLIC_KEY,   /* X25519 result is all zero (RFC 7748 §6.1) */
	PICKET_PSA_BAD_ENCODING,      /* a P-256 public key that is not a valid SEC1 point */
	PICKET_PSA_INVALID_SIGNATURE, /* ECDSA verification failed */
	PICKET_PSA_BUSY,              /* every streaming SHA-256 operation is in use */
	PICKET_PSA_FAILURE            /* the crypto library failed (see picket_psa_last_status) */
} picket_psa_result;

#define PICKET_CCM_KEY_LENGTH 16
#define PICKET_CCM_NONCE_LENGTH 13   /* what the binding and the CryptoSuite contract use */
#define PICKET_CCM_MIN_NONCE_LENGTH 7 /* CCM itself takes 7..13 (L = 15 - n, RFC 3610 §2) */
#define PICKET_CCM_MAX_PAYLOAD 65535 /* L = 2 with a 13-byte nonce (RFC 3610 §2) */
#define PICKET_X25519_LENGTH 32
#define PICKET_SHA256_LENGTH 32
#define PICKET_HKDF_MAX_LENGTH (255 * 32) /* RFC 5869 §2.3 */
#define PICKET_P256_SIGNATURE_LENGTH 64   /* r ‖ s */
#define PICKET_P256_UNCOMPRESSED_LENGTH 65
#define PICKET_P256_COMPRESSED_LENGTH 33

/* The PSA status behind the last PICKET_PSA_FAILURE (XS is single-threaded per machine; this is for messages only). */
int32_t picket_psa_last_status(void);

/* True when tagLength is one CCM allows: 4, 6, ..., 16 (NIST SP 800-38C §A.1). */
int picket_ccm_tag_length_valid(size_t tagLength);

/*
 * AES-128-CCM, written once in picket-psa.c over an AES block function (the ESP32's AES
 * accelerator, or PSA's AES-ECB on the host). nonceLength 7..13; the payload must fit in
 * L = 15 - nonceLength bytes of length; any associated-data length. out must not overlap the inputs.
 * out: plaintextLength + tagLength bytes (ciphertext ‖ tag).
 */
picket_psa_result picket_ccm_seal(const uint8_t *key, size_t keyLength, const uint8_t *nonce, size_t nonceLength,
	const uint8_t *associatedData, size_t associatedDataLength, const uint8_t *plaintext, size_t plaintextLength,
	size_t tagLength, uint8_t *out);

/* out: sealedLength - tagLength bytes. PICKET_PSA_BAD_TAG when anything was altered; out is then zeroed. */
picket_psa_result picket_ccm_open(const uint8_t *key, size_t keyLength, const uint8_t *nonce, size_t nonceLength,
	const uint8_t *associatedData, size_t associatedDataLength, const uint8_t *sealed, size_t sealedLength,
	size_t tagLength, uint8_t *out);

/* out: 32 bytes. */
picket_psa_result picket_x25519_public_key(const uint8_t *secretKey, size_t secretKeyLength, uint8_t *out);

/* out: 32 bytes. PICKET_PSA_WEAK_PUBLIC_KEY for a low-order peer key. */
picket_psa_result picket_x25519_shared_secret(const uint8_t *secretKey, size_t secretKeyLength,
	const uint8_t *peerPublicKey, size_t peerPublicKeyLength, uint8_t *out);

/* out: 32 bytes. */
picket_psa_result picket_sha256(const uint8_t *message, size_t messageLength, uint8_t *out);

/* out: 32 bytes. Any key length, including zero. */
picket_psa_result picket_hmac_sha256(const uint8_t *key, size_t keyLength, const uint8_t *message, size_t messageLength,
	uint8_t *out);

/* out: length bytes, length ≤ 255 × 32. */
picket_psa_result picket_hkdf_sha256(const uint8_t *inputKeyMaterial, size_t inputKeyMaterialLength, const uint8_t *salt,
	size_t saltLength, const uint8_t *info, size_t infoLength, uint8_t *out, size_t length);

/* ECDSA P-256 over SHA-256(message). PICKET_PSA_OK when valid, PICKET_PSA_INVALID_SIGNATURE when not,
 * PICKET_PSA_BAD_ENCODING when the public key is not a point of the curve. */
picket_psa_result picket_ecdsa_p256_verify(const uint8_t *publicKey, size_t publicKeyLength, const uint8_t *message,
	size_t messageLength, const uint8_t *signature, size_t signatureLength);

/* ECDSA P-256 over a SHA-256 digest (32 bytes) computed elsewhere; results as picket_ecdsa_p256_verify. */
picket_psa_result picket_ecdsa_p256_verify_digest(const uint8_t *publicKey, size_t publicKeyLength, const uint8_t *digest,
	size_t digestLength, const uint8_t *signature, size_t signatureLength);

/* Streaming SHA-256 over a small static pool (PICKET_PSA_BUSY when every stream is in use);
 * finish (out: 32 bytes) and abort free the stream, an unknown stream is PICKET_PSA_BAD_LENGTH. */
picket_psa_result picket_sha256_stream_begin(int *stream);
picket_psa_result picket_sha256_stream_update(int stream, const uint8_t *bytes, size_t length);
picket_psa_result picket_sha256_stream_finish(int stream, uint8_t *out);
void picket_sha256_stream_abort(int stream);

picket_psa_result picket_random(uint8_t *out, size_t length);

#endif
