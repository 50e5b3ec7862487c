/**
 * The portable software CryptoSuite: runs wherever JavaScript runs (Node, the host XS
 * runtime, the Moddable simulator, and the ESP32 when the native suite is not linked).
 * Hard primitives come from the audited noble libraries; only the CCM mode is Picket's
 * own (aes-ccm.ts). Nothing here reads a global: randomness comes from the injected
 * source. (noble's curve modules probe `globalThis.crypto` once at import for optional
 * scalar blinding and carry on without it; none of the calls below needs it.)
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { PicketError } from "picket/core/picket-error";
import { ccmOpen, ccmSeal } from "picket/crypto/aes-ccm";
import type { CryptoErrorCode, CryptoSuite, RandomSource, Sha256Stream, X25519KeyPair } from "picket/crypto/crypto-suite";

const CCM_NONCE_LENGTH = 13;
const X25519_KEY_LENGTH = 32;
const HKDF_SHA256_MAX_LENGTH = 255 * 32; // RFC 5869 §2.3

function fail(code: CryptoErrorCode, message: string): never {
	throw new PicketError<CryptoErrorCode>(code, message);
}

function checkCcmNonce(nonce: Uint8Array): void {
	if (nonce.length !== CCM_NONCE_LENGTH) fail("bad-length", "CCM nonce must be 13 bytes");
}

function checkX25519Key(key: Uint8Array, what: string): void {
	if (key.length !== X25519_KEY_LENGTH) fail("bad-length", `X25519 ${what} must be 32 bytes`);
}

/** RFC 7748 §6.1: the check is on the output, whatever the input looked like. */
function isAllZero(bytes: Uint8Array): boolean {
	let accumulated = 0;
	for (let i = 0; i < bytes.length; i++) accumulated |= bytes[i];
	return accumulated === 0;
}

/** ECDSA P-256 of `input`: the message (hashed here) when `prehash`, else its SHA-256 digest. */
function ecdsaP256Check(publicKey: Uint8Array, input: Uint8Array, signature: Uint8Array, prehash: boolean): boolean {
	if (signature.length !== 64) fail("bad-signature-encoding", "signature must be r ‖ s, 64 bytes");
	if (publicKey.length !== 33 && publicKey.length !== 65) fail("bad-signature-encoding", "public key must be SEC1, 33 or 65 bytes");
	try {
		p256.ProjectivePoint.fromHex(publicKey).assertValidity();
	} catch {
		return fail("bad-signature-encoding", "not a P-256 public key");
	}
	// lowS: false accepts both s and n − s, as OpenSSL (node:crypto) and Mbed TLS do:
	// roster and firmware signatures are checked, never used as identifiers, so
	// malleability does not matter, and the two providers must agree.
	return p256.verify(signature, input, publicKey, { lowS: false, prehash });
}

/** Creates the software suite; `random` backs x25519KeyPair and randomBytes. */
export function createSoftwareSuite(random: RandomSource): CryptoSuite {
	const suite: CryptoSuite = {
		name: "software",

		ccmSeal(key, nonce, associatedData, plaintext, tagLength) {
			checkCcmNonce(nonce);
			return ccmSeal(key, nonce, associatedData, plaintext, tagLength);
		},
		ccmOpen(key, nonce, associatedData, sealed, tagLength) {
			checkCcmNonce(nonce);
			return ccmOpen(key, nonce, associatedData, sealed, tagLength);
		},

		x25519KeyPair(): X25519KeyPair {
			const secretKey = suite.randomBytes(X25519_KEY_LENGTH);
			return { secretKey, publicKey: suite.x25519PublicKey(secretKey) };
		},
		x25519PublicKey(secretKey) {
			checkX25519Key(secretKey, "secret key");
			return x25519.getPublicKey(secretKey);
		},
		x25519SharedSecret(secretKey, peerPublicKey) {
			checkX25519Key(secretKey, "secret key");
			checkX25519Key(peerPublicKey, "public key");
			let shared: Uint8Array;
			try {
				// noble refuses the five low-order u-coordinates (and their non-canonical
				// encodings) before the ladder; with 32-byte inputs that is its only error.
				shared = x25519.getSharedSecret(secretKey, peerPublicKey);
			} catch {
				return fail("weak-public-key", "peer public key has low order");
			}
			if (isAllZero(shared)) fail("weak-public-key", "all-zero shared secret");
			return shared;
		},

		sha256: (message) => sha256(message),
		hmacSha256: (key, message) => hmac(sha256, key, message),
		hkdfSha256(inputKeyMaterial, salt, info, length) {
			if (!Number.isInteger(length) || length < 0 || length > HKDF_SHA256_MAX_LENGTH) fail("bad-length", "HKDF-SHA-256 output must be 0..8160 bytes");
			return hkdf(sha256, inputKeyMaterial, salt, info, length);
		},

		ecdsaP256Verify: (publicKey, message, signature) => ecdsaP256Check(publicKey, message, signature, true),
		ecdsaP256VerifyDigest(publicKey, digest, signature) {
			if (digest.length !== 32) fail("bad-length", "digest must be SHA-256, 32 bytes");
			return ecdsaP256Check(publicKey, digest, signature, false);
		},

		sha256Stream(): Sha256Stream {
			const hash = sha256.create();
			return {
				update: (bytes) => void hash.update(bytes),
				digest: () => hash.digest(),
				abort: () => hash.destroy(),
			};
		},

		randomBytes(length) {
			const bytes = random(length);
			if (bytes.length !== length) fail("bad-length", "random source returned the wrong length");
			return bytes;
		},
	};
	return suite;
}
