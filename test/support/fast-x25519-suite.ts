/**
 * The node:crypto reference suite (picket/tools/node-crypto-suite) with an X25519 fast
 * enough to fuzz handshakes, and a count of the X25519 operations. Node-only, tests only.
 *
 * The reference suite imports both keys from DER on every call: ~500 µs for the PKCS#8
 * secret key (OpenSSL recomputes its public key), ~100 µs for the SPKI public key, around
 * a 40 µs Diffie-Hellman. Here a secret key's KeyObject is made once and kept (a static
 * key is used for every handshake, an ephemeral for two or three DH), public keys come in
 * as JWK (~15 µs), and key pairs come from generateKeyPairSync, so one DH costs ~60 µs.
 * The results are the same X25519 (a test cross-checks them against the reference); only
 * key pairs differ: they come from OpenSSL's generator, not from the `random` source.
 */
import * as nodeCrypto from "node:crypto";
import { toHex } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import type { CryptoSuite, RandomSource, X25519KeyPair } from "picket/crypto/crypto-suite";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

/** Secret keys kept as KeyObjects; cleared when full (a fuzz run makes an ephemeral per handshake). */
const KEPT_SECRET_KEYS = 1024;

export interface CountingCryptoSuite extends CryptoSuite {
	/** x25519SharedSecret calls so far (successful or not). */
	readonly x25519Operations: number;
}

function base64url(bytes: Uint8Array): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

function fromBase64url(text: string | undefined): Uint8Array {
	return new Uint8Array(Buffer.from(text ?? "", "base64url"));
}

export function createFastX25519Suite(random?: RandomSource): CountingCryptoSuite {
	const reference = createNodeCryptoSuite(random);
	const secretKeys = new Map<string, nodeCrypto.KeyObject>();
	let operations = 0;

	const keep = (secretKey: Uint8Array, keyObject: nodeCrypto.KeyObject): nodeCrypto.KeyObject => {
		if (secretKeys.size >= KEPT_SECRET_KEYS) secretKeys.clear();
		secretKeys.set(toHex(secretKey), keyObject);
		return keyObject;
	};
	const secretKeyObject = (secretKey: Uint8Array): nodeCrypto.KeyObject => {
		if (secretKey.length !== 32) throw new PicketError("bad-length", "X25519 secret key must be 32 bytes");
		const known = secretKeys.get(toHex(secretKey));
		if (known !== undefined) return known;
		// The one slow import per secret key (its public key is recomputed, as in the reference).
		const publicKey = reference.x25519PublicKey(secretKey);
		return keep(secretKey, nodeCrypto.createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: base64url(secretKey), x: base64url(publicKey) }, format: "jwk" }));
	};

	return {
		...reference,
		name: "node:crypto, X25519 keys kept",
		get x25519Operations() {
			return operations;
		},
		x25519KeyPair(): X25519KeyPair {
			const { privateKey } = nodeCrypto.generateKeyPairSync("x25519");
			const jwk = privateKey.export({ format: "jwk" });
			const secretKey = fromBase64url(jwk.d);
			keep(secretKey, privateKey);
			return { secretKey, publicKey: fromBase64url(jwk.x) };
		},
		x25519PublicKey(secretKey) {
			return fromBase64url(nodeCrypto.createPublicKey(secretKeyObject(secretKey)).export({ format: "jwk" }).x);
		},
		x25519SharedSecret(secretKey, peerPublicKey) {
			operations++;
			const privateKey = secretKeyObject(secretKey);
			if (peerPublicKey.length !== 32) throw new PicketError("bad-length", "X25519 public key must be 32 bytes");
			const publicKey = nodeCrypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: base64url(peerPublicKey) }, format: "jwk" });
			let shared: Uint8Array;
			try {
				shared = new Uint8Array(nodeCrypto.diffieHellman({ privateKey, publicKey }));
			} catch {
				// OpenSSL fails the derivation itself when the result is all zero (RFC 7748 §6.1).
				throw new PicketError("weak-public-key");
			}
			if (shared.every((byte) => byte === 0)) throw new PicketError("weak-public-key");
			return shared;
		},
	};
}
