/**
 * The CryptoSuite over Picket's native crypto (picket/crypto/native/psa-crypto): C over the PSA
 * Crypto API, bound to XS with xsmc. AES-CCM is one implementation in C (picket-psa.c) over an
 * AES block function: on the ESP32 that is esp_aes_crypt_ecb(), the AES accelerator; on the
 * host, PSA's AES-ECB from Debian's Mbed TLS, linked into the host XS runtime. The rest is PSA
 * (what ESP-IDF 6.0 accelerates beneath it is listed in picket-psa.c).
 *
 * XS only: psa-crypto.js declares host functions in XS syntax, which Node cannot load. On Node,
 * use the software suite or the node:crypto reference.
 */
import { PicketError } from "picket/core/picket-error";
import type { CcmTagLength, CryptoErrorCode, CryptoSuite, Sha256Stream, X25519KeyPair } from "picket/crypto/crypto-suite";
import * as psa from "picket/crypto/native/psa-crypto";

/** Codes the native layer writes, followed by ": ", into a RangeError message (see psa-crypto.d.ts). */
const NATIVE_CODES: readonly CryptoErrorCode[] = ["bad-length", "weak-public-key", "bad-signature-encoding"];

/**
 * Runs a PSA call, turning its coded RangeError into the PicketError of the contract. The
 * code is searched rather than read at the start: XS debug builds prefix "@xs_picket_…: ".
 * (Not named `native`: that is XS syntax for declaring host functions, and xsc refuses it
 * as an identifier.)
 */
function throughPsa<Result>(call: () => Result): Result {
	try {
		return call();
	} catch (error) {
		if (error instanceof RangeError) {
			for (const code of NATIVE_CODES) {
				const at = error.message.indexOf(`${code}: `);
				if (at >= 0) throw new PicketError(code, error.message.slice(at + code.length + 2));
			}
		}
		throw error;
	}
}

/** A CryptoSuite whose every operation is one call into the PSA layer. */
export function createNativeSuite(): CryptoSuite {
	const suite: CryptoSuite = {
		name: "native",
		ccmSeal: (key, nonce, associatedData, plaintext, tagLength: CcmTagLength) =>
			new Uint8Array(throughPsa(() => psa.ccmSeal(key, nonce, associatedData, plaintext, tagLength))),
		ccmOpen(key, nonce, associatedData, sealed, tagLength: CcmTagLength) {
			const plaintext = throughPsa(() => psa.ccmOpen(key, nonce, associatedData, sealed, tagLength));
			if (plaintext === undefined) throw new PicketError("bad-tag");
			return new Uint8Array(plaintext);
		},
		x25519KeyPair(): X25519KeyPair {
			const secretKey = suite.randomBytes(32);
			return { secretKey, publicKey: suite.x25519PublicKey(secretKey) };
		},
		x25519PublicKey: (secretKey) => new Uint8Array(throughPsa(() => psa.x25519PublicKey(secretKey))),
		x25519SharedSecret: (secretKey, peerPublicKey) =>
			new Uint8Array(throughPsa(() => psa.x25519SharedSecret(secretKey, peerPublicKey))),
		sha256: (message) => new Uint8Array(throughPsa(() => psa.sha256(message))),
		hmacSha256: (key, message) => new Uint8Array(throughPsa(() => psa.hmacSha256(key, message))),
		hkdfSha256: (inputKeyMaterial, salt, info, length) =>
			new Uint8Array(throughPsa(() => psa.hkdfSha256(inputKeyMaterial, salt, info, length))),
		ecdsaP256Verify: (publicKey, message, signature) => throughPsa(() => psa.ecdsaP256Verify(publicKey, message, signature)),
		ecdsaP256VerifyDigest: (publicKey, digest, signature) => throughPsa(() => psa.ecdsaP256VerifyDigest(publicKey, digest, signature)),
		sha256Stream(): Sha256Stream {
			const stream = throughPsa(() => psa.sha256Begin());
			return {
				update: (bytes) => throughPsa(() => psa.sha256Update(stream, bytes)),
				digest: () => new Uint8Array(throughPsa(() => psa.sha256Finish(stream))),
				abort: () => psa.sha256Abort(stream),
			};
		},
		randomBytes: (length) => new Uint8Array(throughPsa(() => psa.randomBytes(length))),
	};
	return suite;
}
