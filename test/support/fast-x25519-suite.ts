/**
 * The node:crypto reference suite (picket/tools/node-crypto-suite) with an X25519 fast
 * enough to fuzz handshakes, and a count of the X25519 operations. Node-only, tests only.
 *
 * The reference suite imports both keys from DER on every call: ~500 µs for the PKCS#8
 * secret key (OpenSSL recomputes its public key), ~100 µs for the SPKI public key, around
 * a 40 µs Diffie-Hellman. Here a secret key becomes a KeyObject once and is kept (a static
 * key serves every handshake, an ephemeral two or three DH), imported as JWK (~110 µs),
 * and public keys come in as JWK (~15 µs): one DH costs ~60 µs. Public keys are computed
 * as X25519(secret, 9), never exported from a KeyObject. Results are the reference's (a
 * test cross-checks them), key pairs come from the `random` source as there.
 *
 * Not generateKeyPairSync + export: on Node 20.20 that deadlocked at random (a garbage
 * collection inside KeyObject.export({ format: "jwk" }) ran the generator job's destructor,
 * which waited for the key's mutex the export held; the worker slept in a futex forever).
 */
import * as nodeCrypto from "node:crypto";
import { toHex } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import type { CryptoSuite, RandomSource, X25519KeyPair } from "picket/crypto/crypto-suite";
import { createNodeCryptoSuite, nodeRandomSource } from "picket/tools/node-crypto-suite";

/** Secret keys kept as KeyObjects; cleared when full (a fuzz run makes an ephemeral per handshake). */
const KEPT_SECRET_KEYS = 1024;

export interface CountingCryptoSuite extends CryptoSuite {
	/** x25519SharedSecret calls so far (successful or not). */
	readonly x25519Operations: number;
}

function base64url(bytes: Uint8Array): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/** The u-coordinate 9, X25519's base point (RFC 7748 §4.1). */
const BASE_POINT = nodeCrypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: base64url(Uint8Array.of(9, ...new Uint8Array(31))) }, format: "jwk" });

export function createFastX25519Suite(random: RandomSource = nodeRandomSource()): CountingCryptoSuite {
	const reference = createNodeCryptoSuite(random);
	const secretKeys = new Map<string, nodeCrypto.KeyObject>();
	let operations = 0;

	const secretKeyObject = (secretKey: Uint8Array): nodeCrypto.KeyObject => {
		if (secretKey.length !== 32) throw new PicketError("bad-length", "X25519 secret key must be 32 bytes");
		const id = toHex(secretKey);
		let keyObject = secretKeys.get(id);
		if (keyObject === undefined) {
			// JWK wants x beside d; OpenSSL derives the public key from d alone and ignores it.
			keyObject = nodeCrypto.createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: base64url(secretKey), x: base64url(new Uint8Array(32)) }, format: "jwk" });
			if (secretKeys.size >= KEPT_SECRET_KEYS) secretKeys.clear();
			secretKeys.set(id, keyObject);
		}
		return keyObject;
	};
	const publicKeyOf = (secretKey: Uint8Array): Uint8Array => new Uint8Array(nodeCrypto.diffieHellman({ privateKey: secretKeyObject(secretKey), publicKey: BASE_POINT }));

	return {
		...reference,
		name: "node:crypto, X25519 keys kept",
		get x25519Operations() {
			return operations;
		},
		x25519KeyPair(): X25519KeyPair {
			const secretKey = random(32);
			return { secretKey, publicKey: publicKeyOf(secretKey) };
		},
		x25519PublicKey: publicKeyOf,
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
