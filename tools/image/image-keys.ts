/**
 * Image signing keys over node:crypto, in the files imgtool reads and writes: PKCS#8 PEM
 * private keys ("-----BEGIN PRIVATE KEY-----", unencrypted, as `imgtool keygen` without -p)
 * and SubjectPublicKeyInfo PEM public keys.
 *
 * What a signature covers follows imgtool 2.4.0 (scripts/imgtool/keys/):
 * - Ed25519 (`ed25519.py` sign_digest): the 32-byte SHA-256 image digest is the message.
 * - ECDSA P-256 (`ecdsa.py` sign): ECDSA-with-SHA-256 over the hashed region, DER signature
 *   (no --pad-sig padding), which is a signature over the same digest.
 * The key hash both use is SHA-256 over the SubjectPublicKeyInfo DER (`get_public_bytes`).
 */
import * as nodeCrypto from "node:crypto";
import { PicketError } from "picket/core/picket-error";
import type { ImageKeyAlgorithm, ImageSignedMessage, ImageSigningKey, ImageVerifyingKey } from "picket/tools/image/mcuboot-image";

export type ImageKeyErrorCode = "bad-key";

export const IMAGE_KEY_ALGORITHMS: readonly ImageKeyAlgorithm[] = ["ed25519", "ecdsa-p256"];

function bytes(buffer: Buffer): Uint8Array {
	return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice();
}

/** A new key pair's private key as PKCS#8 PEM, the file `imgtool keygen -t <type>` writes. */
export function generateImageKeyPem(algorithm: ImageKeyAlgorithm): string {
	const { privateKey } =
		algorithm === "ed25519" ? nodeCrypto.generateKeyPairSync("ed25519") : nodeCrypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
	return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function algorithmOf(key: nodeCrypto.KeyObject): ImageKeyAlgorithm {
	if (key.asymmetricKeyType === "ed25519") return "ed25519";
	if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ecdsa-p256";
	const curve = key.asymmetricKeyDetails?.namedCurve;
	throw new PicketError<ImageKeyErrorCode>("bad-key", `unsupported key type ${key.asymmetricKeyType ?? "?"}${curve === undefined ? "" : ` (${curve})`}: use ed25519 or ecdsa-p256`);
}

function verifier(publicKey: nodeCrypto.KeyObject, algorithm: ImageKeyAlgorithm): ImageVerifyingKey {
	const publicKeyInfo = bytes(publicKey.export({ type: "spki", format: "der" }));
	return {
		algorithm,
		publicKeyInfo,
		verify(message: ImageSignedMessage, signature: Uint8Array): boolean {
			try {
				return algorithm === "ed25519"
					? nodeCrypto.verify(null, message.digest, publicKey, signature)
					: nodeCrypto.verify("sha256", message.hashedRegion, { key: publicKey, dsaEncoding: "der" }, signature);
			} catch {
				return false; // a signature OpenSSL cannot even decode is simply not valid
			}
		},
	};
}

/** Loads a PKCS#8 private key PEM for signing. */
export function loadImageSigningKey(pem: string): ImageSigningKey {
	let privateKey: nodeCrypto.KeyObject;
	try {
		privateKey = nodeCrypto.createPrivateKey({ key: pem, format: "pem" });
	} catch (error) {
		throw new PicketError<ImageKeyErrorCode>("bad-key", `not a private key PEM (${(error as Error).message})`);
	}
	const algorithm = algorithmOf(privateKey);
	return {
		...verifier(nodeCrypto.createPublicKey(privateKey), algorithm),
		sign(message: ImageSignedMessage): Uint8Array {
			return algorithm === "ed25519"
				? bytes(nodeCrypto.sign(null, message.digest, privateKey))
				: bytes(nodeCrypto.sign("sha256", message.hashedRegion, { key: privateKey, dsaEncoding: "der" }));
		},
	};
}

/** Loads a key for verifying: a private key PEM (as imgtool accepts) or a public key PEM. */
export function loadImageVerifyingKey(pem: string): ImageVerifyingKey {
	let publicKey: nodeCrypto.KeyObject;
	try {
		publicKey = nodeCrypto.createPublicKey({ key: pem, format: "pem" });
	} catch (error) {
		throw new PicketError<ImageKeyErrorCode>("bad-key", `not a key PEM (${(error as Error).message})`);
	}
	return verifier(publicKey, algorithmOf(publicKey));
}

/** The public half as SubjectPublicKeyInfo PEM (`imgtool getpub -e pem`). */
export function publicKeyPem(key: ImageVerifyingKey): string {
	return nodeCrypto.createPublicKey({ key: Buffer.from(key.publicKeyInfo), format: "der", type: "spki" }).export({ type: "spki", format: "pem" }).toString();
}
