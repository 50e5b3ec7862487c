/*
 * XS binding of Picket's PSA crypto (picket-psa.c) — the host functions that
 * psa-crypto.js declares with `@ "xs_picket_..."`. Written the way Moddable native modules
 * are (xsmc API only), so the same file builds into a Moddable ESP32 app and into the host
 * XS runtime (hosts/xs/), which binds the host functions by C symbol name.
 *
 * Conventions of the binding (mirrored in psa-crypto.d.ts):
 *   - byte arguments: ArrayBuffer, any 8-bit TypedArray or DataView (xsmcGetBufferReadable);
 *   - byte results: a new ArrayBuffer (Moddable's crypt modules answer the same way); the
 *     TypeScript suite wraps it in a Uint8Array without copying;
 *   - an outcome the air can cause is a return value: ccmOpen → undefined on a bad tag,
 *     ecdsaP256Verify → false on a wrong signature;
 *   - misuse throws: TypeError for a missing or non-buffer argument, RangeError whose message
 *     carries a CryptoErrorCode followed by ": " ("bad-length: ...", "weak-public-key: ...",
 *     "bad-signature-encoding: ...") so the suite maps it to a PicketError (XS debug builds
 *     put "@xs_picket_...: " before it), and Error ("psa-failure: ...") when Mbed TLS itself
 *     fails.
 *
 * Why there is no "xsHost.h" or "mc.xs.h" here: a Moddable native usually includes them for
 * modLog/heap helpers and for the xsID_ property identifiers the XS linker generates. This file
 * reads no property by name and logs nothing, so it needs neither; the xsmc API alone is
 * identical on the device and on the host, and the file stays free of #ifdefs.
 *
 * Moving buffers: XS may compact its chunk heap whenever it allocates, which moves the data of
 * ArrayBuffers. So every wrapper (1) converts its integer arguments, (2) reads lengths and
 * validates, (3) allocates the result, and only then (4) takes the data pointers of the
 * arguments and of the result, and (5) calls picket-psa.c, which never calls back into XS.
 */
#include <stddef.h> /* xs.h uses size_t without including it on every platform */

#include "xsmc.h"

#include "picket-psa.h"

typedef struct {
	const uint8_t *data;
	size_t length;
} picket_view;

static void require_arguments(xsMachine *the, xsIntegerValue count, const char *name)
{
	if (xsmcArgc < count)
		xsTypeError("%s: expects %d arguments", name, (int)count);
}

/* Data pointer and length of argument `index`; valid until the next XS allocation. */
static picket_view argument_bytes(xsMachine *the, xsIntegerValue index)
{
	void *data = NULL;
	xsUnsignedValue count = 0;
	picket_view view;

	xsmcGetBufferReadable(xsArg(index), &data, &count);
	view.data = (const uint8_t *)data;
	view.length = (size_t)count;
	return view;
}

static size_t argument_length(xsMachine *the, xsIntegerValue index)
{
	return argument_bytes(the, index).length;
}

/* A non-negative integer argument no larger than `maximum`. */
static size_t argument_count(xsMachine *the, xsIntegerValue index, xsIntegerValue maximum, const char *what)
{
	xsIntegerValue value = xsmcToInteger(xsArg(index));
	if (value < 0 || value > maximum)
		xsRangeError("bad-length: %s must be 0..%d, not %d", what, (int)maximum, (int)value);
	return (size_t)value;
}

/* Allocates xsResult as a zeroed ArrayBuffer of `length` bytes. Take its pointer afterwards with result_bytes. */
static void allocate_result(xsMachine *the, size_t length)
{
	xsmcSetArrayBuffer(xsResult, NULL, (xsIntegerValue)length);
}

static uint8_t *result_bytes(xsMachine *the)
{
	void *data = NULL;
	xsUnsignedValue count = 0;

	xsmcGetBufferWritable(xsResult, &data, &count);
	return (uint8_t *)data;
}

/* Throws for every result but OK; `operation` names the function for library failures. */
static void throw_unless_ok(xsMachine *the, picket_psa_result result, const char *operation)
{
	switch (result) {
	case PICKET_PSA_OK:
		return;
	case PICKET_PSA_BAD_LENGTH:
		xsRangeError("bad-length: %s input of a length it does not accept", operation);
		break;
	case PICKET_PSA_WEAK_PUBLIC_KEY:
		xsRangeError("weak-public-key: the X25519 result is all zero (RFC 7748 section 6.1)");
		break;
	case PICKET_PSA_BAD_ENCODING:
		xsRangeError("bad-signature-encoding: not a P-256 public key");
		break;
	default:
		xsUnknownError("psa-failure: %s failed, PSA status %d", operation, (int)picket_psa_last_status());
		break;
	}
}

/* The checks ccmSeal and ccmOpen share (key, nonce, associated data, tag length); returns the tag length. */
static size_t ccm_arguments(xsMachine *the, const char *name)
{
	size_t tagLength;

	require_arguments(the, 5, name);
	tagLength = argument_count(the, 4, 16, "CCM tag length");
	if (!picket_ccm_tag_length_valid(tagLength))
		xsRangeError("bad-length: CCM tag length must be 4, 6, ..., 16");
	if (argument_length(the, 0) != PICKET_CCM_KEY_LENGTH)
		xsRangeError("bad-length: AES-128 key must be 16 bytes");
	if (argument_length(the, 1) != PICKET_CCM_NONCE_LENGTH)
		xsRangeError("bad-length: CCM nonce must be 13 bytes");
	argument_length(the, 2); /* type check before allocating */
	return tagLength;
}

/* ccmSeal(key, nonce, associatedData, plaintext, tagLength) → ArrayBuffer (ciphertext ‖ tag) */
void xs_picket_ccm_seal(xsMachine *the)
{
	picket_view key, nonce, associatedData, plaintext;
	size_t tagLength, plaintextLength;
	uint8_t *out;
	picket_psa_result result;

	tagLength = ccm_arguments(the, "ccmSeal");
	plaintextLength = argument_length(the, 3);
	if (plaintextLength > PICKET_CCM_MAX_PAYLOAD)
		xsRangeError("bad-length: CCM payload must be at most 65535 bytes");

	allocate_result(the, plaintextLength + tagLength);
	key = argument_bytes(the, 0);
	nonce = argument_bytes(the, 1);
	associatedData = argument_bytes(the, 2);
	plaintext = argument_bytes(the, 3);
	out = result_bytes(the);
	result = picket_ccm_seal(key.data, key.length, nonce.data, nonce.length, associatedData.data, associatedData.length,
		plaintext.data, plaintext.length, tagLength, out);
	throw_unless_ok(the, result, "ccmSeal");
}

/* ccmOpen(key, nonce, associatedData, sealed, tagLength) → ArrayBuffer (plaintext), or undefined when the tag is wrong */
void xs_picket_ccm_open(xsMachine *the)
{
	picket_view key, nonce, associatedData, sealed;
	size_t tagLength, sealedLength;
	uint8_t *out;
	picket_psa_result result;

	tagLength = ccm_arguments(the, "ccmOpen");
	sealedLength = argument_length(the, 3);
	if (sealedLength < tagLength)
		xsRangeError("bad-length: sealed input shorter than its tag");
	if (sealedLength - tagLength > PICKET_CCM_MAX_PAYLOAD)
		xsRangeError("bad-length: CCM payload must be at most 65535 bytes");

	allocate_result(the, sealedLength - tagLength);
	key = argument_bytes(the, 0);
	nonce = argument_bytes(the, 1);
	associatedData = argument_bytes(the, 2);
	sealed = argument_bytes(the, 3);
	out = result_bytes(the);
	result = picket_ccm_open(key.data, key.length, nonce.data, nonce.length, associatedData.data, associatedData.length,
		sealed.data, sealed.length, tagLength, out);
	if (result == PICKET_PSA_BAD_TAG) {
		/* picket_ccm_open already zeroed the buffer; it is dropped for undefined */
		xsmcSetUndefined(xsResult);
		return;
	}
	throw_unless_ok(the, result, "ccmOpen");
}

/* x25519PublicKey(secretKey) → ArrayBuffer (32 B) */
void xs_picket_x25519_public_key(xsMachine *the)
{
	picket_view secretKey;

	require_arguments(the, 1, "x25519PublicKey");
	if (argument_length(the, 0) != PICKET_X25519_LENGTH)
		xsRangeError("bad-length: X25519 secret key must be 32 bytes");
	allocate_result(the, PICKET_X25519_LENGTH);
	secretKey = argument_bytes(the, 0);
	throw_unless_ok(the, picket_x25519_public_key(secretKey.data, secretKey.length, result_bytes(the)), "x25519PublicKey");
}

/* x25519SharedSecret(secretKey, peerPublicKey) → ArrayBuffer (32 B); throws weak-public-key on the all-zero result */
void xs_picket_x25519_shared_secret(xsMachine *the)
{
	picket_view secretKey, peerPublicKey;

	require_arguments(the, 2, "x25519SharedSecret");
	if (argument_length(the, 0) != PICKET_X25519_LENGTH)
		xsRangeError("bad-length: X25519 secret key must be 32 bytes");
	if (argument_length(the, 1) != PICKET_X25519_LENGTH)
		xsRangeError("bad-length: X25519 public key must be 32 bytes");
	allocate_result(the, PICKET_X25519_LENGTH);
	secretKey = argument_bytes(the, 0);
	peerPublicKey = argument_bytes(the, 1);
	throw_unless_ok(the,
		picket_x25519_shared_secret(secretKey.data, secretKey.length, peerPublicKey.data, peerPublicKey.length,
			result_bytes(the)),
		"x25519SharedSecret");
}

/* sha256(message) → ArrayBuffer (32 B) */
void xs_picket_sha256(xsMachine *the)
{
	picket_view message;

	require_arguments(the, 1, "sha256");
	argument_length(the, 0);
	allocate_result(the, PICKET_SHA256_LENGTH);
	message = argument_bytes(the, 0);
	throw_unless_ok(the, picket_sha256(message.data, message.length, result_bytes(the)), "sha256");
}

/* hmacSha256(key, message) → ArrayBuffer (32 B) */
void xs_picket_hmac_sha256(xsMachine *the)
{
	picket_view key, message;

	require_arguments(the, 2, "hmacSha256");
	argument_length(the, 0);
	argument_length(the, 1);
	allocate_result(the, PICKET_SHA256_LENGTH);
	key = argument_bytes(the, 0);
	message = argument_bytes(the, 1);
	throw_unless_ok(the, picket_hmac_sha256(key.data, key.length, message.data, message.length, result_bytes(the)),
		"hmacSha256");
}

/* hkdfSha256(inputKeyMaterial, salt, info, length) → ArrayBuffer (length B) */
void xs_picket_hkdf_sha256(xsMachine *the)
{
	picket_view inputKeyMaterial, salt, info;
	size_t length;

	require_arguments(the, 4, "hkdfSha256");
	length = argument_count(the, 3, PICKET_HKDF_MAX_LENGTH, "HKDF output length");
	argument_length(the, 0);
	argument_length(the, 1);
	argument_length(the, 2);
	allocate_result(the, length);
	inputKeyMaterial = argument_bytes(the, 0);
	salt = argument_bytes(the, 1);
	info = argument_bytes(the, 2);
	throw_unless_ok(the,
		picket_hkdf_sha256(inputKeyMaterial.data, inputKeyMaterial.length, salt.data, salt.length, info.data, info.length,
			result_bytes(the), length),
		"hkdfSha256");
}

/* ecdsaP256Verify(publicKey, message, signature) → boolean. No allocation, so the pointers stay put. */
void xs_picket_ecdsa_p256_verify(xsMachine *the)
{
	picket_view publicKey, message, signature;
	picket_psa_result result;

	require_arguments(the, 3, "ecdsaP256Verify");
	publicKey = argument_bytes(the, 0);
	message = argument_bytes(the, 1);
	signature = argument_bytes(the, 2);
	if (signature.length != PICKET_P256_SIGNATURE_LENGTH)
		xsRangeError("bad-signature-encoding: signature must be r and s, 64 bytes");
	if (publicKey.length != PICKET_P256_UNCOMPRESSED_LENGTH && publicKey.length != PICKET_P256_COMPRESSED_LENGTH)
		xsRangeError("bad-signature-encoding: P-256 public key must be SEC1, 65 or 33 bytes");
	result = picket_ecdsa_p256_verify(publicKey.data, publicKey.length, message.data, message.length, signature.data,
		signature.length);
	if (result == PICKET_PSA_INVALID_SIGNATURE) {
		xsmcSetBoolean(xsResult, 0);
		return;
	}
	throw_unless_ok(the, result, "ecdsaP256Verify");
	xsmcSetBoolean(xsResult, 1);
}

/* ecdsaP256VerifyDigest(publicKey, digest, signature) → boolean: as ecdsaP256Verify, over a SHA-256 digest (32 B). */
void xs_picket_ecdsa_p256_verify_digest(xsMachine *the)
{
	picket_view publicKey, digest, signature;
	picket_psa_result result;

	require_arguments(the, 3, "ecdsaP256VerifyDigest");
	publicKey = argument_bytes(the, 0);
	digest = argument_bytes(the, 1);
	signature = argument_bytes(the, 2);
	if (digest.length != PICKET_SHA256_LENGTH)
		xsRangeError("bad-length: digest must be SHA-256, 32 bytes");
	if (signature.length != PICKET_P256_SIGNATURE_LENGTH)
		xsRangeError("bad-signature-encoding: signature must be r and s, 64 bytes");
	if (publicKey.length != PICKET_P256_UNCOMPRESSED_LENGTH && publicKey.length != PICKET_P256_COMPRESSED_LENGTH)
		xsRangeError("bad-signature-encoding: P-256 public key must be SEC1, 65 or 33 bytes");
	result = picket_ecdsa_p256_verify_digest(publicKey.data, publicKey.length, digest.data, digest.length, signature.data,
		signature.length);
	if (result == PICKET_PSA_INVALID_SIGNATURE) {
		xsmcSetBoolean(xsResult, 0);
		return;
	}
	throw_unless_ok(the, result, "ecdsaP256VerifyDigest");
	xsmcSetBoolean(xsResult, 1);
}

/* sha256Begin() → stream number (an index into picket-psa.c's static pool). */
void xs_picket_sha256_begin(xsMachine *the)
{
	int stream = -1;
	picket_psa_result result = picket_sha256_stream_begin(&stream);

	if (result == PICKET_PSA_BUSY)
		xsRangeError("bad-length: every SHA-256 stream is in use");
	throw_unless_ok(the, result, "sha256Begin");
	xsmcSetInteger(xsResult, stream);
}

/* sha256Update(stream, bytes). No allocation, so the pointer stays put. */
void xs_picket_sha256_update(xsMachine *the)
{
	picket_view bytes;
	int stream;

	require_arguments(the, 2, "sha256Update");
	stream = (int)xsmcToInteger(xsArg(0));
	bytes = argument_bytes(the, 1);
	throw_unless_ok(the, picket_sha256_stream_update(stream, bytes.data, bytes.length), "sha256Update");
}

/* sha256Finish(stream) → ArrayBuffer (32 B); frees the stream. */
void xs_picket_sha256_finish(xsMachine *the)
{
	int stream;

	require_arguments(the, 1, "sha256Finish");
	stream = (int)xsmcToInteger(xsArg(0));
	allocate_result(the, PICKET_SHA256_LENGTH);
	throw_unless_ok(the, picket_sha256_stream_finish(stream, result_bytes(the)), "sha256Finish");
}

/* sha256Abort(stream): frees a stream that will not be finished. */
void xs_picket_sha256_abort(xsMachine *the)
{
	require_arguments(the, 1, "sha256Abort");
	picket_sha256_stream_abort((int)xsmcToInteger(xsArg(0)));
}

/* randomBytes(length) → ArrayBuffer; one call draws at most 64 KiB, a bound no Picket use comes near. */
void xs_picket_random_bytes(xsMachine *the)
{
	size_t length;

	require_arguments(the, 1, "randomBytes");
	length = argument_count(the, 0, 65536, "random length");
	allocate_result(the, length);
	throw_unless_ok(the, picket_random(result_bytes(the), length), "randomBytes");
}
