/*
 * Picket's crypto primitives over the PSA Crypto API (see picket-psa.h).
 *
 * One source for both targets, told apart by ESP_PLATFORM (ESP-IDF and Moddable's ESP32 make
 * define it), which selects one thing only: the AES block function under CCM.
 *   - ESP32: ESP-IDF 6.0's Mbed TLS 4.0 / TF-PSA-Crypto 1.0, configured by IDF's
 *     mbedtls/esp_config.h (the manifest passes TF_PSA_CRYPTO_USER_CONFIG_FILE; without it the
 *     PSA operation structs would not match the library's). AES blocks go to the AES
 *     accelerator through esp_aes_crypt_ecb(): IDF 6.0's PSA AES driver has no CCM entry and
 *     the builtin PSA CCM runs on software AES, so CCM is written here once, over the block.
 *   - Host: Debian's libmbedtls-dev 2.28 (-lmbedcrypto), linked into the host XS runtime, the
 *     C test harness and the Moddable simulator build; AES blocks are PSA AES-ECB. So the CCM
 *     code the board runs is the code the RFC 3610 / SP 800-38C vectors and the node:crypto
 *     cross-check exercise in CI.
 * Everything else is the PSA API both libraries share: X25519 (psa_raw_key_agreement),
 * SHA-256, HMAC, HKDF, ECDSA P-256 verification (psa_verify_message after importing
 * 0x04 ‖ x ‖ y), random bytes. What ESP-IDF 6.0 accelerates beneath those PSA calls (its
 * esp_config.h with the default Kconfig): SHA-256 and HMAC (so HKDF) through its PSA SHA
 * drivers; X25519 and ECDSA run in TF-PSA-Crypto's software elliptic-curve code, whose
 * big-number multiplication IDF hands to the RSA/MPI accelerator (MBEDTLS_MPI_MUL_MPI_ALT);
 * random bytes come from the hardware RNG (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG).
 * Compressed P-256 keys are decompressed by p256-point.c: PSA imports 0x04 ‖ x ‖ y only, and
 * neither library offers a public decompression both share.
 * One workaround stays within PSA: PSA refuses to import a zero-length key, so HMAC with an
 * empty key uses 64 zero bytes, which is the same function: HMAC pads every key shorter than
 * the block to 64 bytes with zeros (RFC 2104 §2).
 */
#include "picket-psa.h"

#include <string.h>

#if defined(ESP_PLATFORM)
#if !defined(TF_PSA_CRYPTO_USER_CONFIG_FILE)
#error "TF_PSA_CRYPTO_USER_CONFIG_FILE must name ESP-IDF's mbedtls/esp_config.h (manifest.json, esp32 build)"
#endif
#include "aes/esp_aes.h"
#endif
#include "psa/crypto.h"
#include "mbedtls/platform_util.h" /* mbedtls_platform_zeroize, public in both libraries */

#include "p256-point.h"

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

static void wipe(void *out, size_t length)
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

/* ---- The AES-128 block function under CCM (CCM only ever encrypts blocks, RFC 3610 §2) ---- */

#if defined(ESP_PLATFORM)
typedef esp_aes_context aes_block_key; /* the AES accelerator, through ESP-IDF's AES driver */

static psa_status_t aes_block_start(aes_block_key *aes, const uint8_t key[PICKET_CCM_KEY_LENGTH])
{
	esp_aes_init(aes);
	return esp_aes_setkey(aes, key, 128) == 0 ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
}

static psa_status_t aes_block_encrypt(aes_block_key *aes, const uint8_t in[16], uint8_t out[16])
{
	return esp_aes_crypt_ecb(aes, ESP_AES_ENCRYPT, in, out) == 0 ? PSA_SUCCESS : PSA_ERROR_HARDWARE_FAILURE;
}

static void aes_block_end(aes_block_key *aes)
{
	esp_aes_free(aes); /* zeroes the key copy */
}
#else
typedef psa_key_id_t aes_block_key; /* PSA AES-ECB: Mbed TLS's software AES on the host */

static psa_status_t aes_block_start(aes_block_key *aes, const uint8_t key[PICKET_CCM_KEY_LENGTH])
{
	*aes = 0;
	return import_key(PSA_KEY_TYPE_AES, PSA_KEY_USAGE_ENCRYPT, PSA_ALG_ECB_NO_PADDING, key, PICKET_CCM_KEY_LENGTH, aes);
}

static psa_status_t aes_block_encrypt(aes_block_key *aes, const uint8_t in[16], uint8_t out[16])
{
	size_t written = 0;
	psa_status_t status = psa_cipher_encrypt(*aes, PSA_ALG_ECB_NO_PADDING, in, 16, out, 16, &written);
	return (status == PSA_SUCCESS && written != 16) ? PSA_ERROR_CORRUPTION_DETECTED : status;
}

static void aes_block_end(aes_block_key *aes)
{
	psa_destroy_key(*aes);
}
#endif

/* ---- AES-128-CCM (RFC 3610 §2, NIST SP 800-38C §6), over the block function above ---- */

int picket_ccm_tag_length_valid(size_t tagLength)
{
	return tagLength >= 4 && tagLength <= 16 && (tagLength & 1) == 0;
}

/* One CCM computation: the key, the nonce, and the CBC-MAC state X of RFC 3610 §2.2. */
typedef struct {
	aes_block_key aes;
	const uint8_t *nonce;
	size_t nonceLength;
	uint8_t x[16];
	size_t filled;       /* bytes of the current block already XORed into x */
	psa_status_t status; /* the first block-function failure, if any */
} ccm_state;

/* out = E(K, in); failures are kept in the state, so the callers stay straight-line. */
static void ccm_encrypt_block(ccm_state *ccm, const uint8_t in[16], uint8_t out[16])
{
	if (ccm->status == PSA_SUCCESS)
		ccm->status = aes_block_encrypt(&ccm->aes, in, out);
	if (ccm->status != PSA_SUCCESS)
		memset(out, 0, 16);
}

static void ccm_mac_block(ccm_state *ccm)
{
	uint8_t next[16];
	ccm_encrypt_block(ccm, ccm->x, next); /* separate buffers: IDF's PSA assumes no overlap */
	memcpy(ccm->x, next, 16);
	ccm->filled = 0;
	wipe(next, sizeof(next));
}

static void ccm_mac_absorb(ccm_state *ccm, const uint8_t *bytes, size_t length)
{
	size_t index;
	for (index = 0; index < length; index++) {
		ccm->x[ccm->filled++] ^= bytes[index];
		if (ccm->filled == 16)
			ccm_mac_block(ccm);
	}
}

/* A field (associated data, payload) ends with zero padding to the block (§2.2). */
static void ccm_mac_pad(ccm_state *ccm)
{
	if (ccm->filled != 0)
		ccm_mac_block(ccm);
}

/* A_i = flags (L − 1) ‖ nonce ‖ i in L bytes (§2.3); S_i = E(K, A_i). */
static void ccm_key_stream_block(ccm_state *ccm, uint64_t index, uint8_t stream[16])
{
	uint8_t counter[16];
	size_t byte, lengthSize = 15 - ccm->nonceLength;

	counter[0] = (uint8_t)(lengthSize - 1);
	memcpy(counter + 1, ccm->nonce, ccm->nonceLength);
	for (byte = 0; byte < lengthSize; byte++)
		counter[15 - byte] = (uint8_t)(index >> (8 * byte));
	ccm_encrypt_block(ccm, counter, stream);
}

/* out = in XOR S_1, S_2, … */
static void ccm_ctr(ccm_state *ccm, const uint8_t *in, size_t length, uint8_t *out)
{
	uint8_t stream[16];
	size_t offset, index;

	for (offset = 0; offset < length; offset += 16) {
		ccm_key_stream_block(ccm, offset / 16 + 1, stream);
		for (index = 0; index < 16 && offset + index < length; index++)
			out[offset + index] = in[offset + index] ^ stream[index];
	}
	wipe(stream, sizeof(stream));
}

/* T = CBC-MAC(B_0 ‖ encoded associated data ‖ payload) XOR S_0, the first tagLength bytes of it. */
static void ccm_tag(ccm_state *ccm, const uint8_t *associatedData, size_t associatedDataLength, const uint8_t *payload,
	size_t payloadLength, size_t tagLength, uint8_t tag[16])
{
	uint8_t block[16], stream[16];
	uint64_t adLength = associatedDataLength;
	size_t byte, lengthSize = 15 - ccm->nonceLength;

	/* B_0 = flags ‖ nonce ‖ l(m) in L bytes; flags = 64·Adata + 8·(M − 2)/2 + (L − 1) */
	block[0] = (uint8_t)((associatedDataLength ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (lengthSize - 1));
	memcpy(block + 1, ccm->nonce, ccm->nonceLength);
	for (byte = 0; byte < lengthSize; byte++)
		block[15 - byte] = (uint8_t)((uint64_t)payloadLength >> (8 * byte));
	ccm_mac_absorb(ccm, block, 16);

	/* l(a): 2 bytes below 2^16 − 2^8; 0xFF 0xFE ‖ 4 bytes below 2^32; else 0xFF 0xFF ‖ 8 bytes (§2.2) */
	if (associatedDataLength > 0) {
		size_t encodingLength = 2;
		if (adLength >= 0xFF00) {
			block[0] = 0xFF;
			block[1] = adLength <= 0xFFFFFFFFu ? 0xFE : 0xFF;
			encodingLength = adLength <= 0xFFFFFFFFu ? 6 : 10;
		}
		for (byte = 0; byte < (encodingLength == 2 ? 2 : encodingLength - 2); byte++)
			block[encodingLength - 1 - byte] = (uint8_t)(adLength >> (8 * byte));
		ccm_mac_absorb(ccm, block, encodingLength);
		ccm_mac_absorb(ccm, associatedData, associatedDataLength);
		ccm_mac_pad(ccm);
	}
	ccm_mac_absorb(ccm, payload, payloadLength);
	ccm_mac_pad(ccm);

	ccm_key_stream_block(ccm, 0, stream);
	for (byte = 0; byte < 16; byte++)
		tag[byte] = ccm->x[byte] ^ stream[byte];
	wipe(stream, sizeof(stream));
	wipe(block, sizeof(block));
}

/* The checks seal and open share. */
static picket_psa_result ccm_check(size_t keyLength, size_t nonceLength, size_t tagLength, size_t payloadLength)
{
	if (keyLength != PICKET_CCM_KEY_LENGTH || nonceLength < PICKET_CCM_MIN_NONCE_LENGTH || nonceLength > PICKET_CCM_NONCE_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if (!picket_ccm_tag_length_valid(tagLength))
		return PICKET_PSA_BAD_LENGTH;
	/* the payload length must fit in L = 15 − n bytes (a 13-byte nonce leaves 2: at most 65,535) */
	if (15 - nonceLength < 8 && ((uint64_t)payloadLength >> (8 * (15 - nonceLength))) != 0)
		return PICKET_PSA_BAD_LENGTH;
	return ready();
}

static picket_psa_result ccm_start(ccm_state *ccm, const uint8_t *key, const uint8_t *nonce, size_t nonceLength)
{
	memset(ccm, 0, sizeof(*ccm));
	ccm->nonce = nonce;
	ccm->nonceLength = nonceLength;
	ccm->status = aes_block_start(&ccm->aes, key);
	if (ccm->status != PSA_SUCCESS) {
		aes_block_end(&ccm->aes);
		return failure(ccm->status);
	}
	return PICKET_PSA_OK;
}

static psa_status_t ccm_end(ccm_state *ccm)
{
	psa_status_t status = ccm->status;
	aes_block_end(&ccm->aes);
	wipe(ccm, sizeof(*ccm));
	return status;
}

picket_psa_result picket_ccm_seal(const uint8_t *key, size_t keyLength, const uint8_t *nonce, size_t nonceLength,
	const uint8_t *associatedData, size_t associatedDataLength, const uint8_t *plaintext, size_t plaintextLength,
	size_t tagLength, uint8_t *out)
{
	ccm_state ccm;
	uint8_t tag[16];
	psa_status_t status;
	picket_psa_result result = ccm_check(keyLength, nonceLength, tagLength, plaintextLength);

	if (result != PICKET_PSA_OK)
		return result; /* lengths the caller's buffer was not sized by: nothing written */
	if ((result = ccm_start(&ccm, key, nonce, nonceLength)) != PICKET_PSA_OK) {
		wipe(out, plaintextLength + tagLength);
		return result;
	}
	ccm_tag(&ccm, associatedData, associatedDataLength, plaintext, plaintextLength, tagLength, tag);
	ccm_ctr(&ccm, plaintext, plaintextLength, out);
	memcpy(out + plaintextLength, tag, tagLength);
	wipe(tag, sizeof(tag));
	status = ccm_end(&ccm);
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
	ccm_state ccm;
	uint8_t tag[16];
	uint8_t difference = 0;
	size_t index, plaintextLength = sealedLength - tagLength;
	psa_status_t status;
	picket_psa_result result;

	if (sealedLength < tagLength)
		return PICKET_PSA_BAD_LENGTH;
	if ((result = ccm_check(keyLength, nonceLength, tagLength, plaintextLength)) != PICKET_PSA_OK)
		return result;
	if ((result = ccm_start(&ccm, key, nonce, nonceLength)) != PICKET_PSA_OK) {
		wipe(out, plaintextLength);
		return result;
	}
	/* The MAC is over the plaintext, so decrypt first; nothing leaves unless the tag matches. */
	ccm_ctr(&ccm, sealed, plaintextLength, out);
	ccm_tag(&ccm, associatedData, associatedDataLength, out, plaintextLength, tagLength, tag);
	for (index = 0; index < tagLength; index++)
		difference |= (uint8_t)(tag[index] ^ sealed[plaintextLength + index]); /* constant time */
	wipe(tag, sizeof(tag));
	status = ccm_end(&ccm);
	if (status != PSA_SUCCESS || difference != 0) {
		wipe(out, plaintextLength);
		return status != PSA_SUCCESS ? failure(status) : PICKET_PSA_BAD_TAG;
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

/*
 * ECDSA P-256 verify of `input`: the message itself (hashed here with SHA-256, psa_verify_message)
 * when `inputIsDigest` is 0, or a SHA-256 digest computed elsewhere (psa_verify_hash), as a
 * firmware image's is, streamed from flash.
 */
static picket_psa_result ecdsa_p256_verify(const uint8_t *publicKey, size_t publicKeyLength, const uint8_t *input,
	size_t inputLength, int inputIsDigest, const uint8_t *signature, size_t signatureLength)
{
	psa_algorithm_t algorithm = PSA_ALG_ECDSA(PSA_ALG_SHA_256);
	uint8_t uncompressed[PICKET_P256_UNCOMPRESSED_LENGTH];
	psa_key_id_t keyId = 0;
	psa_status_t status;
	picket_psa_result result;

	if (signatureLength != PICKET_P256_SIGNATURE_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if (inputIsDigest && inputLength != PICKET_SHA256_LENGTH)
		return PICKET_PSA_BAD_LENGTH;
	if (publicKeyLength == PICKET_P256_COMPRESSED_LENGTH) {
		if (!picket_p256_decompress(publicKey, uncompressed))
			return PICKET_PSA_BAD_ENCODING;
	}
	else if (publicKeyLength == PICKET_P256_UNCOMPRESSED_LENGTH)
		memcpy(uncompressed, publicKey, PICKET_P256_UNCOMPRESSED_LENGTH);
	else
		return PICKET_PSA_BAD_ENCODING;
	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	/* psa_import_key checks that the point lies on the curve (and is not the point at infinity). */
	status = import_key(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1),
		inputIsDigest ? PSA_KEY_USAGE_VERIFY_HASH : PSA_KEY_USAGE_VERIFY_MESSAGE, algorithm, uncompressed,
		sizeof(uncompressed), &keyId);
	if (status == PSA_ERROR_INVALID_ARGUMENT || status == PSA_ERROR_NOT_SUPPORTED)
		return PICKET_PSA_BAD_ENCODING;
	if (status == PSA_SUCCESS) {
		if (inputIsDigest)
			status = psa_verify_hash(keyId, algorithm, input, inputLength, signature, signatureLength);
		else
			status = psa_verify_message(keyId, algorithm, input, inputLength, signature, signatureLength);
	}
	psa_destroy_key(keyId);
	if (status == PSA_SUCCESS)
		return PICKET_PSA_OK;
	if (status == PSA_ERROR_INVALID_SIGNATURE)
		return PICKET_PSA_INVALID_SIGNATURE;
	return failure(status);
}

picket_psa_result picket_ecdsa_p256_verify(const uint8_t *publicKey, size_t publicKeyLength, const uint8_t *message,
	size_t messageLength, const uint8_t *signature, size_t signatureLength)
{
	return ecdsa_p256_verify(publicKey, publicKeyLength, message, messageLength, 0, signature, signatureLength);
}

picket_psa_result picket_ecdsa_p256_verify_digest(const uint8_t *publicKey, size_t publicKeyLength, const uint8_t *digest,
	size_t digestLength, const uint8_t *signature, size_t signatureLength)
{
	return ecdsa_p256_verify(publicKey, publicKeyLength, digest, digestLength, 1, signature, signatureLength);
}

/* ---- Streaming SHA-256 ----
 *
 * A fixed pool of PSA hash operations in static memory, addressed by index: XS may move the
 * data of any buffer it owns, and a PSA operation (which may hold an accelerator's context on
 * the ESP32) must stay where it was set up. Two streams are enough: a board hashes one image
 * at a time. A stream is freed by finish or abort.
 */
#define SHA256_STREAMS 2
static psa_hash_operation_t sha256Streams[SHA256_STREAMS];
static uint8_t sha256StreamInUse[SHA256_STREAMS];

picket_psa_result picket_sha256_stream_begin(int *stream)
{
	psa_status_t status;
	picket_psa_result result;
	int index;

	if ((result = ready()) != PICKET_PSA_OK)
		return result;
	for (index = 0; index < SHA256_STREAMS; index++) {
		if (!sha256StreamInUse[index])
			break;
	}
	if (index == SHA256_STREAMS)
		return PICKET_PSA_BUSY;
	sha256Streams[index] = psa_hash_operation_init();
	status = psa_hash_setup(&sha256Streams[index], PSA_ALG_SHA_256);
	if (status != PSA_SUCCESS)
		return failure(status);
	sha256StreamInUse[index] = 1;
	*stream = index;
	return PICKET_PSA_OK;
}

static int stream_valid(int stream)
{
	return stream >= 0 && stream < SHA256_STREAMS && sha256StreamInUse[stream];
}

picket_psa_result picket_sha256_stream_update(int stream, const uint8_t *bytes, size_t length)
{
	psa_status_t status;

	if (!stream_valid(stream))
		return PICKET_PSA_BAD_LENGTH;
	status = psa_hash_update(&sha256Streams[stream], bytes, length);
	if (status != PSA_SUCCESS) {
		picket_sha256_stream_abort(stream);
		return failure(status);
	}
	return PICKET_PSA_OK;
}

picket_psa_result picket_sha256_stream_finish(int stream, uint8_t *out)
{
	psa_status_t status;
	size_t written = 0;

	if (!stream_valid(stream))
		return PICKET_PSA_BAD_LENGTH;
	status = psa_hash_finish(&sha256Streams[stream], out, PICKET_SHA256_LENGTH, &written);
	sha256StreamInUse[stream] = 0;
	if (status == PSA_SUCCESS && written != PICKET_SHA256_LENGTH)
		status = PSA_ERROR_CORRUPTION_DETECTED;
	if (status != PSA_SUCCESS) {
		psa_hash_abort(&sha256Streams[stream]);
		wipe(out, PICKET_SHA256_LENGTH);
		return failure(status);
	}
	return PICKET_PSA_OK;
}

void picket_sha256_stream_abort(int stream)
{
	if (!stream_valid(stream))
		return;
	psa_hash_abort(&sha256Streams[stream]);
	sha256StreamInUse[stream] = 0;
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
