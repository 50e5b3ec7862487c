/*
 * Picket's crypto primitives over Mbed TLS's PSA Crypto API (see picket-psa.h).
 *
 * One source for both targets:
 *   - ESP32: ESP-IDF's Mbed TLS (3.x, CONFIG_MBEDTLS_PSA_CRYPTO_C); its AES goes to the
 *     hardware accelerator, so CCM here runs on it.
 *   - Host: Debian's libmbedtls-dev 2.28 (-lmbedcrypto), linked into the host XS runtime
 *     and into the C test harness.
 *
 * Everything is PSA except two pieces Mbed TLS's PSA layer does not offer:
 *   - CCM with 65,280 bytes (2^16 − 2^8) of associated data or more. Mbed TLS's CCM only
 *     writes the 2-byte associated-data length encoding (ccm.h: "add_len must be less than
 *     2^16 - 2^8"), so PSA returns PSA_ERROR_INVALID_ARGUMENT for it. RFC 3610 §2.2 has a
 *     6-byte encoding (0xFF 0xFE ‖ 32-bit length) for these; ccm_classic() below does CCM
 *     for that case over the classic mbedtls_aes block API (also the hardware AES on the
 *     ESP32). Picket's associated data is a frame header, far below the limit: the path
 *     exists so the provider meets the whole of the contract (NIST SP 800-38C example C.4).
 *   - SEC1 compressed P-256 public keys. PSA imports Weierstrass public keys only as
 *     0x04 ‖ x ‖ y (PSA Crypto API 1.0 §9.6.5), so a 33-byte key is decompressed here with the
 *     classic bignum API (y = (x³ − 3x + b)^((p+1)/4) mod p, valid because p ≡ 3 mod 4).
 * and one workaround that stays within PSA:
 *   - PSA refuses to import a zero-length key, so HMAC with an empty key uses 64 zero bytes,
 *     which is the same function: HMAC pads every key shorter than the block to 64 bytes
 *     with zeros (RFC 2104 §2).
 * What Debian's 2.28 supports through PSA was checked by the harness: CCM with every
 * shortened tag 4..16, X25519 (Montgomery key pair import, public-key export,
 * psa_raw_key_agreement with PSA_ALG_ECDH), HKDF-SHA-256 with secret given as bytes,
 * HMAC, SHA-256, psa_verify_message with ECDSA(SHA-256), psa_generate_random.
 */
#include "picket-psa.h"

#include <string.h>

#include "psa/crypto.h"
#include "mbedtls/aes.h"
#include "mbedtls/bignum.h"
#include "mbedtls/ecp.h"
#include "mbedtls/platform_util.h"

static int32_t lastStatus = PSA_SUCCESS;

int32_t picket_psa_last_status(void)
{
	return lastStatus;
}

/* Records a PSA failure and answers PICKET_PSA_FAILURE. */
static picket_psa_result failure(psa_status_t status)
{
	lastStatus = status;
	return PICKET_PSA_FAILURE;
}

/* psa_crypto_init is idempotent and cheap once done; calling it first in every entry point
 * spares the host and the device an initialisation step the binding could forget. */
static picket_psa_result ready(void)
{
	psa_status_t status = psa_crypto_init();
	return (status == PSA_SUCCESS) ? PICKET_PSA_OK : failure(status);
}

static void wipe(uint8_t *out, size_t length)
{
	if (out != NULL && length > 0)
		mbedtls_platform_zeroize(out, length);
}

/* Imports `length` bytes as a volatile key with one usage and one algorithm. */
static psa_status_t import_key(psa_key_type_t type, psa_key_usage_t usage, psa_algorithm_t algorithm,
	const uint8_t *data, size_t length, psa_key_id_t *key)
{
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	psa_status_t status;

	psa_set_key_type(&attributes, type);
	psa_set_key_usage_flags(&attributes, usage);
	psa_set_key_algorithm(&attributes, algorithm);
	status = psa_import_key(&attributes, data, length, key);
	psa_reset_key_attributes(&attributes);
	return status;
}

/* ---- AES-128-CCM (RFC 3610, NIST SP 800-38C) ---- */

int picket_ccm_tag_length_valid(size_t tagLength)
{
	return tagLength >= 4 && tagLength <= 16 && (tagLength & 1) == 0;
}

static picket_psa_result check_ccm(size_t keyLength, size_t nonceLength, size_t tagLength, size_t payloadLength)
{
	if (keyLength != PICKET_CCM_KEY_LENGTH || nonceLength != PICKET_CCM_NONCE_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if (!picket_ccm_tag_length_valid(tagLength) || payloadLength > PICKET_CCM_MAX_PAYLOAD)
		return PICKET_PSA_BAD_LENGTH;
	return ready();
}

/* Mbed TLS's CCM (and so PSA's) refuses associated data of 2^16 − 2^8 bytes or more. */
#define CCM_MBEDTLS_MAX_ASSOCIATED_DATA 0xFF00

/* CBC-MAC state of RFC 3610 §2.2: X accumulates 16-byte blocks, `filled` bytes of the current one. */
typedef struct {
	mbedtls_aes_context *aes;
	uint8_t x[16];
	size_t filled;
	int error;
} ccm_mac;

static void ccm_mac_absorb(ccm_mac *mac, const uint8_t *bytes, size_t length)
{
	size_t index;

	for (index = 0; index < length; index++) {
		mac->x[mac->filled++] ^= bytes[index];
		if (mac->filled == 16) {
			mac->error |= mbedtls_aes_crypt_ecb(mac->aes, MBEDTLS_AES_ENCRYPT, mac->x, mac->x);
			mac->filled = 0;
		}
	}
}

/* Ends a field (associated data, payload) with zero padding to the block (§2.2). */
static void ccm_mac_pad(ccm_mac *mac)
{
	if (mac->filled != 0) {
		mac->error |= mbedtls_aes_crypt_ecb(mac->aes, MBEDTLS_AES_ENCRYPT, mac->x, mac->x);
		mac->filled = 0;
	}
}

/* out = in XOR S_1, S_2, … (RFC 3610 §2.3), A_i = flags(L − 1) ‖ nonce ‖ i (2 bytes). */
static int ccm_ctr(mbedtls_aes_context *aes, const uint8_t *nonce, const uint8_t *in, size_t length, uint8_t *out)
{
	uint8_t counter[16], stream[16];
	size_t offset, index;
	int error = 0;

	counter[0] = 1; /* L − 1, L = 2 */
	memcpy(counter + 1, nonce, PICKET_CCM_NONCE_LENGTH);
	for (offset = 0; offset < length; offset += 16) {
		size_t block = offset / 16 + 1;
		counter[14] = (uint8_t)(block >> 8);
		counter[15] = (uint8_t)block;
		error |= mbedtls_aes_crypt_ecb(aes, MBEDTLS_AES_ENCRYPT, counter, stream);
		for (index = 0; index < 16 && offset + index < length; index++)
			out[offset + index] = in[offset + index] ^ stream[index];
	}
	mbedtls_platform_zeroize(stream, sizeof(stream));
	return error;
}

/*
 * AES-128-CCM for associated data of 0xFF00 bytes or more, which Mbed TLS's CCM refuses.
 * Seal: in = plaintext, out = ciphertext ‖ tag. Open: in = ciphertext ‖ tag, out = plaintext,
 * PICKET_PSA_BAD_TAG (out zeroed) when the tag does not match. Lengths are checked by the caller.
 */
static picket_psa_result ccm_classic(int open, const uint8_t *key, const uint8_t *nonce, const uint8_t *associatedData,
	size_t associatedDataLength, const uint8_t *in, size_t payloadLength, size_t tagLength, uint8_t *out)
{
	mbedtls_aes_context aes;
	ccm_mac mac;
	uint8_t block[16], tag[16];
	uint8_t difference = 0;
	size_t index;
	int error;

	if ((uint64_t)associatedDataLength > 0xFFFFFFFFu)
		return PICKET_PSA_BAD_LENGTH; /* the 10-byte encoding (0xFF 0xFF) is out of Picket's scope */
	mbedtls_aes_init(&aes);
	memset(&mac, 0, sizeof(mac));
	mac.aes = &aes;
	error = mbedtls_aes_setkey_enc(&aes, key, 128);

	/* Open decrypts first: the MAC is over the plaintext. */
	if (open)
		error |= ccm_ctr(&aes, nonce, in, payloadLength, out);

	/* B_0 = flags ‖ nonce ‖ payload length; flags = Adata · 64 + (M − 2)/2 · 8 + (L − 1) */
	block[0] = (uint8_t)(0x40 | (((tagLength - 2) / 2) << 3) | 1);
	memcpy(block + 1, nonce, PICKET_CCM_NONCE_LENGTH);
	block[14] = (uint8_t)(payloadLength >> 8);
	block[15] = (uint8_t)payloadLength;
	ccm_mac_absorb(&mac, block, 16);
	/* 0xFF 0xFE ‖ 32-bit length, for 2^16 − 2^8 ≤ l(a) < 2^32 */
	block[0] = 0xFF;
	block[1] = 0xFE;
	block[2] = (uint8_t)((uint64_t)associatedDataLength >> 24);
	block[3] = (uint8_t)(associatedDataLength >> 16);
	block[4] = (uint8_t)(associatedDataLength >> 8);
	block[5] = (uint8_t)associatedDataLength;
	ccm_mac_absorb(&mac, block, 6);
	ccm_mac_absorb(&mac, associatedData, associatedDataLength);
	ccm_mac_pad(&mac);
	ccm_mac_absorb(&mac, open ? out : in, payloadLength);
	ccm_mac_pad(&mac);
	error |= mac.error;

	/* T = MAC XOR S_0, truncated to M bytes */
	block[0] = 1;
	memcpy(block + 1, nonce, PICKET_CCM_NONCE_LENGTH);
	block[14] = 0;
	block[15] = 0;
	error |= mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, block, tag);
	for (index = 0; index < tagLength; index++)
		tag[index] ^= mac.x[index];

	if (open) {
		for (index = 0; index < tagLength; index++)
			difference |= (uint8_t)(tag[index] ^ in[payloadLength + index]); /* constant time */
	}
	else {
		error |= ccm_ctr(&aes, nonce, in, payloadLength, out);
		memcpy(out + payloadLength, tag, tagLength);
	}
	mbedtls_platform_zeroize(&mac, sizeof(mac));
	mbedtls_platform_zeroize(tag, sizeof(tag));
	mbedtls_platform_zeroize(block, sizeof(block));
	mbedtls_aes_free(&aes);
	if (error != 0) {
		wipe(out, payloadLength + (open ? 0 : tagLength));
		return failure(PSA_ERROR_GENERIC_ERROR);
	}
	if (difference != 0) {
		wipe(out, payloadLength);
		return PICKET_PSA_BAD_TAG;
	}
	return PICKET_PSA_OK;
}

picket_psa_result picket_ccm_seal(const uint8_t *key, size_t keyLength, const uint8_t *nonce, size_t nonceLength,
	const uint8_t *associatedData, size_t associatedDataLength, const uint8_t *plaintext, size_t plaintextLength,
	size_t tagLength, uint8_t *out)
{
	psa_algorithm_t algorithm = PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, tagLength);
	psa_key_id_t keyId = 0;
	psa_status_t status;
	size_t written = 0;
	picket_psa_result result = check_ccm(keyLength, nonceLength, tagLength, plaintextLength);

	if (result != PICKET_PSA_OK)
		return result;
	if (associatedDataLength >= CCM_MBEDTLS_MAX_ASSOCIATED_DATA)
		return ccm_classic(0, key, nonce, associatedData, associatedDataLength, plaintext, plaintextLength, tagLength, out);
	status = import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, algorithm, key, keyLength, &keyId);
	if (status == PSA_SUCCESS)
		status = psa_aead_encrypt(keyId, algorithm, nonce, nonceLength, associatedData, associatedDataLength,
			plaintext, plaintextLength, out, plaintextLength + tagLength, &written);
	psa_destroy_key(keyId);
	if (status == PSA_SUCCESS && written != plaintextLength + tagLength)
		status = PSA_ERROR_CORRUPTION_DETECTED;
	if (status != PSA_SUCCESS) {
		wipe(out, plaintextLength + tagLength);
		return failure(status);
	}
	return PICKET_PSA_OK;
}

picket_psa_result picket_ccm_open(const uint8_t *key, size_t keyLength, const uint8_t *nonce, size_t nonceLength,
	const uint8_t *associatedData, size_t associatedDataLength, const uint8_t *sealed, size_t sealedLength,
	size_t tagLength, uint8_t *out)
{
	psa_algorithm_t algorithm = PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_CCM, tagLength);
	psa_key_id_t keyId = 0;
	psa_status_t status;
	size_t written = 0;
	size_t plaintextLength = sealedLength - tagLength;
	picket_psa_result result;

	if (sealedLength < tagLength)
		return PICKET_PSA_BAD_LENGTH;
	result = check_ccm(keyLength, nonceLength, tagLength, plaintextLength);
	if (result != PICKET_PSA_OK)
		return result;
	if (associatedDataLength >= CCM_MBEDTLS_MAX_ASSOCIATED_DATA)
		return ccm_classic(1, key, nonce, associatedData, associatedDataLength, sealed, plaintextLength, tagLength, out);
	status = import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_DECRYPT, algorithm, key, keyLength, &keyId);
	if (status == PSA_SUCCESS)
		status = psa_aead_decrypt(keyId, algorithm, nonce, nonceLength, associatedData, associatedDataLength,
			sealed, sealedLength, out, plaintextLength, &written);
	psa_destroy_key(keyId);
	if (status == PSA_SUCCESS && written != plaintextLength)
		status = PSA_ERROR_CORRUPTION_DETECTED;
	if (status != PSA_SUCCESS) {
		/* Never hand back a byte of an unauthenticated plaintext. */
		wipe(out, plaintextLength);
		return (status == PSA_ERROR_INVALID_SIGNATURE) ? PICKET_PSA_BAD_TAG : failure(status);
	}
	return PICKET_PSA_OK;
}

/* ---- X25519 (RFC 7748) ---- */

#define X25519_KEY_PAIR PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY)

picket_psa_result picket_x25519_public_key(const uint8_t *secretKey, size_t secretKeyLength, uint8_t *out)
{
	psa_key_id_t keyId = 0;
	psa_status_t status;
	size_t written = 0;
	picket_psa_result result;

	if (secretKeyLength != PICKET_X25519_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	/* Exporting the public half needs no usage flag (PSA 1.0 §9.6.3); DERIVE keeps the policy honest. */
	status = import_key(X25519_KEY_PAIR, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, secretKey, secretKeyLength, &keyId);
	if (status == PSA_SUCCESS)
		status = psa_export_public_key(keyId, out, PICKET_X25519_LENGTH, &written);
	psa_destroy_key(keyId);
	if (status == PSA_SUCCESS && written != PICKET_X25519_LENGTH)
		status = PSA_ERROR_CORRUPTION_DETECTED;
	if (status != PSA_SUCCESS) {
		wipe(out, PICKET_X25519_LENGTH);
		return failure(status);
	}
	return PICKET_PSA_OK;
}

static int all_zero(const uint8_t *bytes, size_t length)
{
	uint8_t accumulated = 0;
	size_t index;

	for (index = 0; index < length; index++)
		accumulated |= bytes[index];
	return accumulated == 0;
}

picket_psa_result picket_x25519_shared_secret(const uint8_t *secretKey, size_t secretKeyLength,
	const uint8_t *peerPublicKey, size_t peerPublicKeyLength, uint8_t *out)
{
	psa_key_id_t keyId = 0;
	psa_status_t status;
	size_t written = 0;
	picket_psa_result result;

	if (secretKeyLength != PICKET_X25519_LENGTH || peerPublicKeyLength != PICKET_X25519_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	status = import_key(X25519_KEY_PAIR, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, secretKey, secretKeyLength, &keyId);
	if (status != PSA_SUCCESS) {
		wipe(out, PICKET_X25519_LENGTH);
		return failure(status);
	}
	status = psa_raw_key_agreement(PSA_ALG_ECDH, keyId, peerPublicKey, peerPublicKeyLength, out, PICKET_X25519_LENGTH,
		&written);
	psa_destroy_key(keyId);
	if (status == PSA_ERROR_INVALID_ARGUMENT) {
		/* Mbed TLS's ladder ends on the point at infinity for a low-order peer key and reports it
		 * as a bad input rather than returning zeros: the same case as §6.1's all-zero check. */
		wipe(out, PICKET_X25519_LENGTH);
		return PICKET_PSA_WEAK_PUBLIC_KEY;
	}
	if (status == PSA_SUCCESS && written != PICKET_X25519_LENGTH)
		status = PSA_ERROR_CORRUPTION_DETECTED;
	if (status != PSA_SUCCESS) {
		wipe(out, PICKET_X25519_LENGTH);
		return failure(status);
	}
	if (all_zero(out, PICKET_X25519_LENGTH))
		return PICKET_PSA_WEAK_PUBLIC_KEY; /* RFC 7748 §6.1 */
	return PICKET_PSA_OK;
}

/* ---- SHA-256, HMAC-SHA-256 (RFC 4231), HKDF-SHA-256 (RFC 5869) ---- */

picket_psa_result picket_sha256(const uint8_t *message, size_t messageLength, uint8_t *out)
{
	psa_status_t status;
	size_t written = 0;
	picket_psa_result result;

	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	status = psa_hash_compute(PSA_ALG_SHA_256, message, messageLength, out, PICKET_SHA256_LENGTH, &written);
	if (status == PSA_SUCCESS && written != PICKET_SHA256_LENGTH)
		status = PSA_ERROR_CORRUPTION_DETECTED;
	if (status != PSA_SUCCESS) {
		wipe(out, PICKET_SHA256_LENGTH);
		return failure(status);
	}
	return PICKET_PSA_OK;
}

picket_psa_result picket_hmac_sha256(const uint8_t *key, size_t keyLength, const uint8_t *message, size_t messageLength,
	uint8_t *out)
{
	static const uint8_t emptyKeyEquivalent[64] = { 0 }; /* RFC 2104 §2: keys are zero-padded to the 64-byte block */
	psa_algorithm_t algorithm = PSA_ALG_HMAC(PSA_ALG_SHA_256);
	psa_key_id_t keyId = 0;
	psa_status_t status;
	size_t written = 0;
	picket_psa_result result;

	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	if (keyLength == 0) {
		key = emptyKeyEquivalent;
		keyLength = sizeof(emptyKeyEquivalent);
	}
	status = import_key(PSA_KEY_TYPE_HMAC, PSA_KEY_USAGE_SIGN_MESSAGE, algorithm, key, keyLength, &keyId);
	if (status == PSA_SUCCESS)
		status = psa_mac_compute(keyId, algorithm, message, messageLength, out, PICKET_SHA256_LENGTH, &written);
	psa_destroy_key(keyId);
	if (status == PSA_SUCCESS && written != PICKET_SHA256_LENGTH)
		status = PSA_ERROR_CORRUPTION_DETECTED;
	if (status != PSA_SUCCESS) {
		wipe(out, PICKET_SHA256_LENGTH);
		return failure(status);
	}
	return PICKET_PSA_OK;
}

picket_psa_result picket_hkdf_sha256(const uint8_t *inputKeyMaterial, size_t inputKeyMaterialLength, const uint8_t *salt,
	size_t saltLength, const uint8_t *info, size_t infoLength, uint8_t *out, size_t length)
{
	psa_key_derivation_operation_t operation = PSA_KEY_DERIVATION_OPERATION_INIT;
	psa_status_t status;
	picket_psa_result result;

	if (length > PICKET_HKDF_MAX_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	if (length == 0)
		return PICKET_PSA_OK;
	/* PSA's HKDF takes its inputs in RFC 5869 order: salt (extract key), secret, then info. An empty
	 * salt is given explicitly; HMAC pads it to HashLen zeros exactly as §2.2 specifies for "not provided". */
	status = psa_key_derivation_setup(&operation, PSA_ALG_HKDF(PSA_ALG_SHA_256));
	if (status == PSA_SUCCESS)
		status = psa_key_derivation_input_bytes(&operation, PSA_KEY_DERIVATION_INPUT_SALT, salt, saltLength);
	if (status == PSA_SUCCESS)
		status = psa_key_derivation_input_bytes(&operation, PSA_KEY_DERIVATION_INPUT_SECRET, inputKeyMaterial,
			inputKeyMaterialLength);
	if (status == PSA_SUCCESS)
		status = psa_key_derivation_input_bytes(&operation, PSA_KEY_DERIVATION_INPUT_INFO, info, infoLength);
	if (status == PSA_SUCCESS)
		status = psa_key_derivation_output_bytes(&operation, out, length);
	/* abort wipes the PRK and the T(i) blocks held in the operation */
	psa_key_derivation_abort(&operation);
	if (status != PSA_SUCCESS) {
		wipe(out, length);
		return failure(status);
	}
	return PICKET_PSA_OK;
}

/* ---- ECDSA P-256 verification (FIPS 186-4, SEC1 keys) ---- */

/* SEC1 §2.3.4: 0x02/0x03 ‖ x → 0x04 ‖ x ‖ y. Classic bignum API: PSA has no compressed import. */
static picket_psa_result p256_decompress(const uint8_t *compressed, uint8_t *uncompressed)
{
	mbedtls_ecp_group group;
	mbedtls_mpi x, y, rhs, exponent, check;
	picket_psa_result result = PICKET_PSA_BAD_ENCODING;
	int error;

	if (compressed[0] != 0x02 && compressed[0] != 0x03)
		return PICKET_PSA_BAD_ENCODING;
	mbedtls_ecp_group_init(&group);
	mbedtls_mpi_init(&x);
	mbedtls_mpi_init(&y);
	mbedtls_mpi_init(&rhs);
	mbedtls_mpi_init(&exponent);
	mbedtls_mpi_init(&check);
#define STEP(call)                            \
	do {                                      \
		if ((error = (call)) != 0) {          \
			result = failure(PSA_ERROR_GENERIC_ERROR); \
			goto done;                        \
		}                                     \
	} while (0)
	STEP(mbedtls_ecp_group_load(&group, MBEDTLS_ECP_DP_SECP256R1));
	STEP(mbedtls_mpi_read_binary(&x, compressed + 1, 32));
	if (mbedtls_mpi_cmp_mpi(&x, &group.P) >= 0)
		goto done; /* x must be a field element */
	/* rhs = x³ − 3x + b mod p (P-256 has a = −3; Mbed TLS leaves group.A unset for it) */
	STEP(mbedtls_mpi_mul_mpi(&rhs, &x, &x));
	STEP(mbedtls_mpi_mod_mpi(&rhs, &rhs, &group.P));
	STEP(mbedtls_mpi_sub_int(&rhs, &rhs, 3));
	STEP(mbedtls_mpi_mul_mpi(&rhs, &rhs, &x));
	STEP(mbedtls_mpi_add_mpi(&rhs, &rhs, &group.B));
	STEP(mbedtls_mpi_mod_mpi(&rhs, &rhs, &group.P));
	/* y = rhs^((p + 1) / 4) mod p */
	STEP(mbedtls_mpi_add_int(&exponent, &group.P, 1));
	STEP(mbedtls_mpi_shift_r(&exponent, 2));
	STEP(mbedtls_mpi_exp_mod(&y, &rhs, &exponent, &group.P, NULL));
	STEP(mbedtls_mpi_mul_mpi(&check, &y, &y));
	STEP(mbedtls_mpi_mod_mpi(&check, &check, &group.P));
	if (mbedtls_mpi_cmp_mpi(&check, &rhs) != 0)
		goto done; /* x is not the abscissa of a curve point */
	if ((unsigned)mbedtls_mpi_get_bit(&y, 0) != (unsigned)(compressed[0] & 1)) {
		if (mbedtls_mpi_cmp_int(&y, 0) == 0)
			goto done; /* y = 0 has no odd twin */
		STEP(mbedtls_mpi_sub_mpi(&y, &group.P, &y));
	}
	uncompressed[0] = 0x04;
	memcpy(uncompressed + 1, compressed + 1, 32);
	STEP(mbedtls_mpi_write_binary(&y, uncompressed + 33, 32));
	result = PICKET_PSA_OK;
#undef STEP
done:
	mbedtls_mpi_free(&check);
	mbedtls_mpi_free(&exponent);
	mbedtls_mpi_free(&rhs);
	mbedtls_mpi_free(&y);
	mbedtls_mpi_free(&x);
	mbedtls_ecp_group_free(&group);
	return result;
}

picket_psa_result picket_ecdsa_p256_verify(const uint8_t *publicKey, size_t publicKeyLength, const uint8_t *message,
	size_t messageLength, const uint8_t *signature, size_t signatureLength)
{
	psa_algorithm_t algorithm = PSA_ALG_ECDSA(PSA_ALG_SHA_256);
	uint8_t uncompressed[PICKET_P256_UNCOMPRESSED_LENGTH];
	psa_key_id_t keyId = 0;
	psa_status_t status;
	picket_psa_result result;

	if (signatureLength != PICKET_P256_SIGNATURE_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if (publicKeyLength == PICKET_P256_COMPRESSED_LENGTH) {
		if ((result = p256_decompress(publicKey, uncompressed)) != PICKET_PSA_OK)
			return result;
	}
	else if (publicKeyLength == PICKET_P256_UNCOMPRESSED_LENGTH)
		memcpy(uncompressed, publicKey, PICKET_P256_UNCOMPRESSED_LENGTH);
	else
		return PICKET_PSA_BAD_ENCODING;
	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	/* psa_import_key checks that the point lies on the curve (and is not the point at infinity). */
	status = import_key(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), PSA_KEY_USAGE_VERIFY_MESSAGE, algorithm,
		uncompressed, sizeof(uncompressed), &keyId);
	if (status == PSA_ERROR_INVALID_ARGUMENT || status == PSA_ERROR_NOT_SUPPORTED)
		return PICKET_PSA_BAD_ENCODING;
	if (status == PSA_SUCCESS)
		status = psa_verify_message(keyId, algorithm, message, messageLength, signature, signatureLength);
	psa_destroy_key(keyId);
	if (status == PSA_SUCCESS)
		return PICKET_PSA_OK;
	if (status == PSA_ERROR_INVALID_SIGNATURE)
		return PICKET_PSA_INVALID_SIGNATURE;
	return failure(status);
}

/* ---- Randomness ---- */

picket_psa_result picket_random(uint8_t *out, size_t length)
{
	psa_status_t status;
	picket_psa_result result;

	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	if (length == 0)
		return PICKET_PSA_OK;
	status = psa_generate_random(out, length);
	if (status != PSA_SUCCESS) {
		wipe(out, length);
		return failure(status);
	}
	return PICKET_PSA_OK;
}
