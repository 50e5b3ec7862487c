/*
 * Picket's native crypto: host functions implemented in psa-crypto.c over Mbed TLS's PSA API.
 * XS syntax (`@ "symbol"` binds a function to a C host function), so only XS loads this file:
 * the Moddable build on the device and the host XS runtime (hosts/xs/). Types and the calling
 * contract are in psa-crypto.d.ts; the CryptoSuite over it is picket/crypto/native-suite.
 */
export function ccmSeal(key, nonce, associatedData, plaintext, tagLength) @ "xs_picket_ccm_seal";
export function ccmOpen(key, nonce, associatedData, sealed, tagLength) @ "xs_picket_ccm_open";
export function x25519PublicKey(secretKey) @ "xs_picket_x25519_public_key";
export function x25519SharedSecret(secretKey, peerPublicKey) @ "xs_picket_x25519_shared_secret";
export function sha256(message) @ "xs_picket_sha256";
export function hmacSha256(key, message) @ "xs_picket_hmac_sha256";
export function hkdfSha256(inputKeyMaterial, salt, info, length) @ "xs_picket_hkdf_sha256";
export function ecdsaP256Verify(publicKey, message, signature) @ "xs_picket_ecdsa_p256_verify";
export function ecdsaP256VerifyDigest(publicKey, digest, signature) @ "xs_picket_ecdsa_p256_verify_digest";
export function sha256Begin() @ "xs_picket_sha256_begin";
export function sha256Update(stream, bytes) @ "xs_picket_sha256_update";
export function sha256Finish(stream) @ "xs_picket_sha256_finish";
export function sha256Abort(stream) @ "xs_picket_sha256_abort";
export function randomBytes(length) @ "xs_picket_random_bytes";
