/**
 * The CryptoSuite contract implemented over node:crypto (OpenSSL). Host-only: the
 * provisioning CLI runs on it, it is the reference the portable providers are
 * cross-checked against, and the ceiling in bench/crypto.
 */
import * as nodeCrypto from "node:crypto";
import type { CcmTagLength, CryptoSuite, RandomSource, X25519KeyPair } from "picket/crypto/crypto-suite";
import { PicketError } from "picket/core/picket-error";
import { p256 } from "@noble/curves/nist.js";

// Raw 32-byte X25519 keys go into node:crypto as JWK (RFC 8037 OKP): a DER (PKCS#8/SPKI)
// import runs OpenSSL 3's decoder framework, about 1 ms a key, ten times a JWK import, and
// bench/sim creates tens of thousands. A private JWK's "x" is required by Node and ignored
// by OpenSSL, which derives the public key from "d" (checked in node-crypto-suite.test.ts).
const UNUSED_JWK_X = "AAAA";

function x25519PrivateKey(secretKey: Uint8Array): nodeCrypto.KeyObject {
	if (secretKey.length !== 32) throw new PicketError("bad-length", "X25519 secret key must be 32 bytes");
	return nodeCrypto.createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: Buffer.from(secretKey).toString("base64url"), x: UNUSED_JWK_X }, format: "jwk" });
}

function x25519PublicKeyObject(publicKey: Uint8Array): nodeCrypto.KeyObject {
	if (publicKey.length !== 32) throw new PicketError("bad-length", "X25519 public key must be 32 bytes");
	return nodeCrypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(publicKey).toString("base64url") }, format: "jwk" });
}

function bytes(buffer: Buffer): Uint8Array {
	return new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}

export function nodeRandomSource(): RandomSource {
	return (length) => bytes(nodeCrypto.randomBytes(length));
}

export function createNodeCryptoSuite(random: RandomSource = nodeRandomSource()): CryptoSuite {
	const checkCcm = (key: Uint8Array, nonce: Uint8Array) => {
		if (key.length !== 16) throw new PicketError("bad-length", "AES-128 key must be 16 bytes");
		if (nonce.length !== 13) throw new PicketError("bad-length", "CCM nonce must be 13 bytes");
	};
	const suite: CryptoSuite = {
		name: "node:crypto",
		ccmSeal(key, nonce, associatedData, plaintext, tagLength: CcmTagLength) {
			checkCcm(key, nonce);
			const cipher = nodeCrypto.createCipheriv("aes-128-ccm", key, nonce, { authTagLength: tagLength });
			cipher.setAAD(associatedData, { plaintextLength: plaintext.length });
			const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
			return bytes(Buffer.concat([body, cipher.getAuthTag()]));
		},
		ccmOpen(key, nonce, associatedData, sealed, tagLength: CcmTagLength) {
			checkCcm(key, nonce);
			if (sealed.length < tagLength) throw new PicketError("bad-length", "sealed input shorter than its tag");
			const body = sealed.subarray(0, sealed.length - tagLength);
			const decipher = nodeCrypto.createDecipheriv("aes-128-ccm", key, nonce, { authTagLength: tagLength });
			decipher.setAuthTag(sealed.subarray(sealed.length - tagLength));
			decipher.setAAD(associatedData, { plaintextLength: body.length });
			const plaintext = decipher.update(body);
			try {
				decipher.final();
			} catch {
				throw new PicketError("bad-tag");
			}
			return bytes(plaintext);
		},
		x25519KeyPair(): X25519KeyPair {
			const secretKey = random(32);
			return { secretKey, publicKey: suite.x25519PublicKey(secretKey) };
		},
		x25519PublicKey(secretKey) {
			const jwk = nodeCrypto.createPublicKey(x25519PrivateKey(secretKey)).export({ format: "jwk" });
			return new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"));
		},
		x25519SharedSecret(secretKey, peerPublicKey) {
			const privateKey = x25519PrivateKey(secretKey);
			const publicKey = x25519PublicKeyObject(peerPublicKey);
			let shared: Uint8Array;
			try {
				shared = bytes(nodeCrypto.diffieHellman({ privateKey, publicKey }));
			} catch {
				// OpenSSL fails the derivation itself when the result is all zero (RFC 7748 §6.1).
				throw new PicketError("weak-public-key");
			}
			if (shared.every((byte) => byte === 0)) throw new PicketError("weak-public-key");
			return shared;
		},
		sha256: (message) => bytes(nodeCrypto.createHash("sha256").update(message).digest()),
		hmacSha256: (key, message) => bytes(nodeCrypto.createHmac("sha256", key).update(message).digest()),
		hkdfSha256(ikm, salt, info, length) {
			if (!Number.isInteger(length) || length < 0 || length > 255 * 32) throw new PicketError("bad-length", "HKDF-SHA-256 output must be 0..8160 bytes");
			return new Uint8Array(nodeCrypto.hkdfSync("sha256", ikm, salt, info, length));
		},
		ecdsaP256Verify(publicKey, message, signature) {
			if (signature.length !== 64) throw new PicketError("bad-signature-encoding", "signature must be r ‖ s, 64 bytes");
			let key: nodeCrypto.KeyObject;
			try {
				key = nodeCrypto.createPublicKey({ key: { kty: "EC", crv: "P-256", ...p256Coordinates(publicKey) }, format: "jwk" });
			} catch {
				throw new PicketError("bad-signature-encoding", "not a P-256 public key");
			}
			return nodeCrypto.verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
		},
		ecdsaP256VerifyDigest(publicKey, digest, signature) {
			if (digest.length !== 32) throw new PicketError("bad-length", "digest must be SHA-256, 32 bytes");
			if (signature.length !== 64) throw new PicketError("bad-signature-encoding", "signature must be r ‖ s, 64 bytes");
			// node:crypto verifies only what it hashed itself (a null algorithm hashes with SHA-256
			// too), so the digest form goes through noble's verify, after OpenSSL has checked the key.
			try {
				nodeCrypto.createPublicKey({ key: { kty: "EC", crv: "P-256", ...p256Coordinates(publicKey) }, format: "jwk" });
			} catch {
				throw new PicketError("bad-signature-encoding", "not a P-256 public key");
			}
			return p256.verify(signature, digest, publicKey, { lowS: false, prehash: false });
		},
		sha256Stream() {
			const hash = nodeCrypto.createHash("sha256");
			return { update: (bytes) => void hash.update(bytes), digest: () => bytes(hash.digest()), abort: () => undefined };
		},
		randomBytes: (length) => random(length),
	};
	return suite;
}

function p256Coordinates(publicKey: Uint8Array): { x: string; y: string } {
	let uncompressed = publicKey;
	if (publicKey.length === 33) {
		uncompressed = bytes(nodeCrypto.ECDH.convertKey(Buffer.from(publicKey), "prime256v1", undefined, undefined, "uncompressed") as Buffer);
	}
	if (uncompressed.length !== 65 || uncompressed[0] !== 4) throw new Error("not SEC1");
	return {
		x: Buffer.from(uncompressed.subarray(1, 33)).toString("base64url"),
		y: Buffer.from(uncompressed.subarray(33, 65)).toString("base64url"),
	};
}
