/**
 * Image signing keys over node:crypto, in the files imgtool reads and writes: PKCS#8 PEM
 * private keys ("-----BEGIN PRIVATE KEY-----" as `imgtool keygen`, or "-----BEGIN ENCRYPTED
 * PRIVATE KEY-----" as `imgtool keygen -p`) and SubjectPublicKeyInfo PEM public keys.
 *
 * The signature schemes behind ImageSigningKey (imgtool 2.4.0 scripts/imgtool/keys/):
 * - Ed25519 (`ed25519.py` sign_digest): signs the message it is given (the codec passes the
 *   image digest, or the hashed region for --pure).
 * - ECDSA P-256 (`ecdsa.py` sign): ECDSA-with-SHA-256 over the message, DER out; verify takes
 *   r ‖ s (IEEE P1363), which the codec decodes from the TLV with the device's parser.
 *
 * A password-protected key is opened with the password the caller passes (the CLI reads
 * PICKET_IMAGE_PASSWORD); without one it is refused as "key-locked", with a wrong one as
 * "bad-password", rather than OpenSSL's "interrupted or cancelled".
 */
import * as nodeCrypto from "node:crypto";
import { PicketError } from "picket/core/picket-error";
import type { ImageKeyAlgorithm, ImageSigningKey, ImageVerifyingKey } from "picket/tools/image/mcuboot-image";

export type ImageKeyErrorCode =
	| "bad-key" // not a PEM key, or a key type imgtool images cannot carry here
	| "key-locked" // the private key is password-protected and no password was given
	| "bad-password"; // the password does not open the key

export const IMAGE_KEY_ALGORITHMS: readonly ImageKeyAlgorithm[] = ["ed25519", "ecdsa-p256"];

function bytes(buffer: Buffer): Uint8Array {
	return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice();
}

/**
 * A new key pair's private key as PKCS#8 PEM, the file `imgtool keygen -t <type>` writes;
 * with a password, encrypted PKCS#8 (PBES2, AES-256-CBC) as `imgtool keygen -p`.
 */
export function generateImageKeyPem(algorithm: ImageKeyAlgorithm, password?: string): string {
	const { privateKey } =
		algorithm === "ed25519" ? nodeCrypto.generateKeyPairSync("ed25519") : nodeCrypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
	const protection = password === undefined ? {} : { cipher: "aes-256-cbc", passphrase: password };
	return privateKey.export({ type: "pkcs8", format: "pem", ...protection }).toString();
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
		verify(message: Uint8Array, signature: Uint8Array): boolean {
			try {
				return algorithm === "ed25519"
					? nodeCrypto.verify(null, message, publicKey, signature)
					: nodeCrypto.verify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
			} catch {
				return false; // a signature OpenSSL cannot even decode is simply not valid
			}
		},
	};
}

/** PKCS#8 "ENCRYPTED PRIVATE KEY" or a traditional PEM with "Proc-Type: 4,ENCRYPTED". */
function isPasswordProtected(pem: string): boolean {
	return pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || /^Proc-Type: *4, *ENCRYPTED/m.test(pem);
}

/** Runs node:crypto's key loading, turning its errors into the typed ones above. */
function openKey<T>(pem: string, password: string | undefined, what: string, load: (options: { key: string; format: "pem"; passphrase?: string }) => T): T {
	const locked = isPasswordProtected(pem);
	if (locked && password === undefined) {
		throw new PicketError<ImageKeyErrorCode>("key-locked", "the private key is password-protected: set PICKET_IMAGE_PASSWORD to its password");
	}
	try {
		return load({ key: pem, format: "pem", ...(locked ? { passphrase: password } : {}) });
	} catch (error) {
		if (locked) throw new PicketError<ImageKeyErrorCode>("bad-password", "the password does not open the private key");
		throw new PicketError<ImageKeyErrorCode>("bad-key", `not ${what} (${(error as Error).message})`);
	}
}

/** Loads a PKCS#8 private key PEM for signing (password-protected keys need `password`). */
export function loadImageSigningKey(pem: string, password?: string): ImageSigningKey {
	const privateKey = openKey(pem, password, "a private key PEM", (options) => nodeCrypto.createPrivateKey(options));
	const algorithm = algorithmOf(privateKey);
	return {
		...verifier(nodeCrypto.createPublicKey(privateKey), algorithm),
		sign(message: Uint8Array): Uint8Array {
			return algorithm === "ed25519"
				? bytes(nodeCrypto.sign(null, message, privateKey))
				: bytes(nodeCrypto.sign("sha256", message, { key: privateKey, dsaEncoding: "der" }));
		},
	};
}

/** Loads a key for verifying: a private key PEM (as imgtool accepts) or a public key PEM. */
export function loadImageVerifyingKey(pem: string, password?: string): ImageVerifyingKey {
	const publicKey = openKey(pem, password, "a key PEM", (options) => nodeCrypto.createPublicKey(options));
	return verifier(publicKey, algorithmOf(publicKey));
}

/** The public half as SubjectPublicKeyInfo PEM (`imgtool getpub -e pem`). */
export function publicKeyPem(key: ImageVerifyingKey): string {
	return nodeCrypto.createPublicKey({ key: Buffer.from(key.publicKeyInfo), format: "der", type: "spki" }).export({ type: "spki", format: "pem" }).toString();
}
