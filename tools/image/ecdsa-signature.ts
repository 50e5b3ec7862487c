/**
 * The host side of ECDSA P-256 image keys. The TLV's DER parser itself is portable and lives
 * with the board's update check (modules/update/ecdsa-signature.ts); it is re-exported here
 * for the image tool.
 */
import type { ImageVerifyingKey } from "picket/tools/image/mcuboot-image";
import { p256PointOfPublicKeyInfo } from "picket/update/ecdsa-signature";

export { ECDSA_P256_PADDED_SIGNATURE_LENGTH, ECDSA_P256_RAW_SIGNATURE_LENGTH, ecdsaP256SignatureToRaw, padEcdsaP256Signature } from "picket/update/ecdsa-signature";

/**
 * An ImageVerifyingKey for an ECDSA P-256 key given as SubjectPublicKeyInfo DER (what the
 * KEYHASH TLV hashes; a device pins it at provisioning), verifying through a CryptoSuite-style
 * `ecdsaP256Verify(SEC1 point, message, r ‖ s)`: how a board checks an image with its native
 * provider, through the same verifyImage as the host. Throws "bad-key" for another key type.
 */
export function ecdsaP256ImageKey(
	publicKeyInfo: Uint8Array,
	ecdsaP256Verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean,
): ImageVerifyingKey {
	const point = p256PointOfPublicKeyInfo(publicKeyInfo);
	return { algorithm: "ecdsa-p256", publicKeyInfo: publicKeyInfo.slice(), verify: (message, signature) => ecdsaP256Verify(point, message, signature) };
}
