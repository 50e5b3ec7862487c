/**
 * The provider-independent crypto cases: published vectors and tamper checks that every
 * CryptoSuite must pass, on Node and on XS. A provider's cases file is one line:
 * `export default cryptoVectorCases("crypto/software", () => createSoftwareSuite(random))`.
 */
import { concatBytes, toHex } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import type { CcmTagLength, CryptoSuite } from "picket/crypto/crypto-suite";
import { type CaseGroup, portableCases } from "picket/test/harness/portable";
import {
	RFC3610_PACKET_VECTORS,
	RFC4231_HMAC_SHA256_VECTORS,
	RFC5869_HKDF_SHA256_VECTORS,
	RFC6979_P256,
	RFC7748_DIFFIE_HELLMAN,
	RFC7748_ITERATED,
	RFC7748_X25519_VECTORS,
	SHA256_VECTORS,
	SP800_38C_EXAMPLE_4,
	X25519_LOW_ORDER_POINTS,
	counting,
} from "picket/test/support/crypto-vectors";

const TAG_LENGTHS: readonly CcmTagLength[] = [4, 6, 8, 10, 12, 14, 16];

/** What calling `operation` ends in: "ok", a PicketError's code, or "crash: …" for anything else. */
export function outcome(operation: () => unknown): string {
	try {
		operation();
		return "ok";
	} catch (error) {
		return isPicketError(error) ? error.code : `crash: ${String(error)}`;
	}
}

/** A copy of `bytes` with bit `bit` (0 = most significant bit of byte 0) inverted. */
function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
	const copy = bytes.slice();
	copy[bit >> 3] ^= 0x80 >> (bit & 7);
	return copy;
}

/** n − s for a 32-byte big-endian s (n > s): the other valid s of an ECDSA signature. */
function negateModOrder(s: Uint8Array, order: Uint8Array): Uint8Array {
	const result = new Uint8Array(32);
	let borrow = 0;
	for (let i = 31; i >= 0; i--) {
		const difference = order[i] - s[i] - borrow;
		result[i] = difference & 0xff;
		borrow = difference < 0 ? 1 : 0;
	}
	return result;
}

export function cryptoVectorCases(title: string, createSuite: () => CryptoSuite): CaseGroup {
	return portableCases(title, (test) => {
		// ---- AES-CCM ----

		test("CCM seals and opens RFC 3610 packet vectors #1–#24 (tags of 8 and 10 bytes)", (t) => {
			const suite = createSuite();
			for (const vector of RFC3610_PACKET_VECTORS) {
				const tagLength = vector.tagLength as CcmTagLength;
				t.deepEqual(suite.ccmSeal(vector.key, vector.nonce, vector.associatedData, vector.plaintext, tagLength), vector.sealed, `${vector.name} seal`);
				t.deepEqual(suite.ccmOpen(vector.key, vector.nonce, vector.associatedData, vector.sealed, tagLength), vector.plaintext, `${vector.name} open`);
			}
		});

		test("CCM matches NIST SP 800-38C example C.4 (64 KiB of associated data, 14-byte tag)", (t) => {
			const suite = createSuite();
			const vector = SP800_38C_EXAMPLE_4;
			t.deepEqual(suite.ccmSeal(vector.key, vector.nonce, vector.associatedData, vector.plaintext, 14), vector.sealed);
			t.deepEqual(suite.ccmOpen(vector.key, vector.nonce, vector.associatedData, vector.sealed, 14), vector.plaintext);
		});

		test("CCM round-trips every tag length and block-boundary lengths, empty associated data included", (t) => {
			const suite = createSuite();
			const key = counting(0x40, 0x4f);
			const nonce = counting(0x10, 0x1c);
			for (const tagLength of TAG_LENGTHS) {
				for (const length of [0, 1, 15, 16, 17, 32]) {
					for (const associatedData of [new Uint8Array(0), counting(0, 8)]) {
						const plaintext = counting(length, 2 * length - 1 + (length === 0 ? 1 : 0)).subarray(0, length);
						const sealed = suite.ccmSeal(key, nonce, associatedData, plaintext, tagLength);
						t.is(sealed.length, length + tagLength);
						t.deepEqual(suite.ccmOpen(key, nonce, associatedData, sealed, tagLength), plaintext);
					}
				}
			}
		});

		test("CCM: flipping any single bit of ciphertext, tag, nonce or associated data gives bad-tag", (t) => {
			// A 32-byte alert-sized message, 8-byte tag, 8-byte header: 256 + 64 + 104 + 64 = 488 opens.
			const suite = createSuite();
			const key = counting(0xc0, 0xcf);
			const nonce = counting(0xa0, 0xac);
			const associatedData = counting(0x00, 0x07);
			const sealed = suite.ccmSeal(key, nonce, associatedData, counting(0x20, 0x3f), 8);
			const accepted: string[] = [];
			const check = (what: string, bit: number, open: () => unknown) => {
				const result = outcome(open);
				if (result !== "bad-tag") accepted.push(`${what} bit ${bit}: ${result}`);
			};
			for (let bit = 0; bit < sealed.length * 8; bit++) check("sealed", bit, () => suite.ccmOpen(key, nonce, associatedData, flipBit(sealed, bit), 8));
			for (let bit = 0; bit < nonce.length * 8; bit++) check("nonce", bit, () => suite.ccmOpen(key, flipBit(nonce, bit), associatedData, sealed, 8));
			for (let bit = 0; bit < associatedData.length * 8; bit++) check("associated data", bit, () => suite.ccmOpen(key, nonce, flipBit(associatedData, bit), sealed, 8));
			t.deepEqual(accepted, []);
		});

		test("CCM: a wrong key, added or dropped associated data, or another tag length gives bad-tag", (t) => {
			const suite = createSuite();
			const vector = RFC3610_PACKET_VECTORS[0];
			t.is(outcome(() => suite.ccmOpen(flipBit(vector.key, 127), vector.nonce, vector.associatedData, vector.sealed, 8)), "bad-tag");
			t.is(outcome(() => suite.ccmOpen(vector.key, vector.nonce, new Uint8Array(0), vector.sealed, 8)), "bad-tag");
			t.is(outcome(() => suite.ccmOpen(vector.key, vector.nonce, concatBytes(vector.associatedData, Uint8Array.of(0)), vector.sealed, 8)), "bad-tag");
			t.is(outcome(() => suite.ccmOpen(vector.key, vector.nonce, vector.associatedData, vector.sealed, 4)), "bad-tag");
			t.is(outcome(() => suite.ccmOpen(vector.key, vector.nonce, vector.associatedData, vector.sealed, 10)), "bad-tag");
		});

		test("CCM: truncated or extended input gives a typed error, never plaintext", (t) => {
			const suite = createSuite();
			const vector = RFC3610_PACKET_VECTORS[0];
			const results = new Set<string>();
			for (let length = 0; length < vector.sealed.length; length++) {
				const result = outcome(() => suite.ccmOpen(vector.key, vector.nonce, vector.associatedData, vector.sealed.subarray(0, length), 8));
				t.is(result, length < 8 ? "bad-length" : "bad-tag", `truncated to ${length} bytes`);
				results.add(result);
			}
			t.is(outcome(() => suite.ccmOpen(vector.key, vector.nonce, vector.associatedData, concatBytes(vector.sealed, Uint8Array.of(0)), 8)), "bad-tag");
			t.deepEqual([...results].sort(), ["bad-length", "bad-tag"]);
		});

		test("CCM refuses keys other than 16 bytes and nonces other than 13 bytes with bad-length", (t) => {
			const suite = createSuite();
			const vector = RFC3610_PACKET_VECTORS[0];
			for (const key of [counting(0, 14), counting(0, 16), counting(0, 31)]) {
				t.is(outcome(() => suite.ccmSeal(key, vector.nonce, vector.associatedData, vector.plaintext, 8)), "bad-length", `seal, ${key.length}-byte key`);
				t.is(outcome(() => suite.ccmOpen(key, vector.nonce, vector.associatedData, vector.sealed, 8)), "bad-length", `open, ${key.length}-byte key`);
			}
			for (const nonce of [counting(0, 11), counting(0, 13), new Uint8Array(0)]) {
				t.is(outcome(() => suite.ccmSeal(vector.key, nonce, vector.associatedData, vector.plaintext, 8)), "bad-length", `seal, ${nonce.length}-byte nonce`);
				t.is(outcome(() => suite.ccmOpen(vector.key, nonce, vector.associatedData, vector.sealed, 8)), "bad-length", `open, ${nonce.length}-byte nonce`);
			}
		});

		// ---- X25519 ----

		test("X25519 matches RFC 7748 §5.2 (two vectors, and one iteration from k = u = 9)", (t) => {
			const suite = createSuite();
			for (const vector of RFC7748_X25519_VECTORS) t.deepEqual(suite.x25519SharedSecret(vector.scalar, vector.u), vector.output);
			t.deepEqual(suite.x25519SharedSecret(RFC7748_ITERATED.start, RFC7748_ITERATED.start), RFC7748_ITERATED.after1);
		});

		test("X25519 matches RFC 7748 §6.1 (Alice and Bob)", (t) => {
			const suite = createSuite();
			const example = RFC7748_DIFFIE_HELLMAN;
			t.deepEqual(suite.x25519PublicKey(example.aliceSecret), example.alicePublic);
			t.deepEqual(suite.x25519PublicKey(example.bobSecret), example.bobPublic);
			t.deepEqual(suite.x25519SharedSecret(example.aliceSecret, example.bobPublic), example.shared);
			t.deepEqual(suite.x25519SharedSecret(example.bobSecret, example.alicePublic), example.shared);
		});

		test("X25519 refuses low-order public keys with weak-public-key (RFC 7748 §6.1)", (t) => {
			const suite = createSuite();
			for (const point of X25519_LOW_ORDER_POINTS) {
				t.is(outcome(() => suite.x25519SharedSecret(RFC7748_DIFFIE_HELLMAN.aliceSecret, point.u)), "weak-public-key", point.name);
			}
		});

		test("X25519 refuses keys other than 32 bytes with bad-length", (t) => {
			const suite = createSuite();
			const { aliceSecret, bobPublic } = RFC7748_DIFFIE_HELLMAN;
			t.is(outcome(() => suite.x25519SharedSecret(aliceSecret.subarray(1), bobPublic)), "bad-length");
			t.is(outcome(() => suite.x25519SharedSecret(aliceSecret, bobPublic.subarray(1))), "bad-length");
			t.is(outcome(() => suite.x25519SharedSecret(aliceSecret, concatBytes(bobPublic, Uint8Array.of(0)))), "bad-length");
			t.is(outcome(() => suite.x25519PublicKey(new Uint8Array(31))), "bad-length");
		});

		test("X25519 key pairs from the random source agree on a shared secret", (t) => {
			const suite = createSuite();
			const alice = suite.x25519KeyPair();
			const bob = suite.x25519KeyPair();
			t.is(alice.secretKey.length, 32);
			t.not(toHex(alice.secretKey), toHex(bob.secretKey));
			t.deepEqual(suite.x25519PublicKey(alice.secretKey), alice.publicKey);
			t.deepEqual(suite.x25519SharedSecret(alice.secretKey, bob.publicKey), suite.x25519SharedSecret(bob.secretKey, alice.publicKey));
		});

		// ---- SHA-256, HMAC, HKDF ----

		test("SHA-256 matches the FIPS 180-4 example values", (t) => {
			const suite = createSuite();
			for (const vector of SHA256_VECTORS) t.deepEqual(suite.sha256(vector.message), vector.digest);
		});

		test("HMAC-SHA-256 matches RFC 4231 test cases 1–7", (t) => {
			const suite = createSuite();
			for (const vector of RFC4231_HMAC_SHA256_VECTORS) {
				t.deepEqual(suite.hmacSha256(vector.key, vector.data).subarray(0, vector.mac.length), vector.mac, vector.name);
			}
		});

		test("HKDF-SHA-256 matches RFC 5869 test cases 1–3", (t) => {
			const suite = createSuite();
			for (const vector of RFC5869_HKDF_SHA256_VECTORS) {
				t.deepEqual(suite.hkdfSha256(vector.inputKeyMaterial, vector.salt, vector.info, vector.output.length), vector.output, vector.name);
			}
		});

		test("HKDF-SHA-256 gives prefixes of the same stream and refuses more than 255 × 32 bytes", (t) => {
			const suite = createSuite();
			const vector = RFC5869_HKDF_SHA256_VECTORS[1];
			t.deepEqual(suite.hkdfSha256(vector.inputKeyMaterial, vector.salt, vector.info, 16), vector.output.subarray(0, 16));
			t.is(suite.hkdfSha256(vector.inputKeyMaterial, vector.salt, vector.info, 255 * 32).length, 255 * 32);
			t.is(outcome(() => suite.hkdfSha256(vector.inputKeyMaterial, vector.salt, vector.info, 255 * 32 + 1)), "bad-length");
		});

		// ---- ECDSA P-256 ----

		test("ECDSA P-256 verifies the RFC 6979 A.2.5 SHA-256 signatures, uncompressed and compressed key", (t) => {
			const suite = createSuite();
			for (const { message, signature } of RFC6979_P256.signatures) {
				t.true(suite.ecdsaP256Verify(RFC6979_P256.publicKey, message, signature));
				t.true(suite.ecdsaP256Verify(RFC6979_P256.compressedPublicKey, message, signature));
			}
		});

		test("ECDSA P-256 accepts both s and n − s, as OpenSSL and Mbed TLS do (the \"sample\" vector has the high s)", (t) => {
			const suite = createSuite();
			const { message, signature } = RFC6979_P256.signatures[0];
			const twin = concatBytes(signature.subarray(0, 32), negateModOrder(signature.subarray(32), RFC6979_P256.order));
			t.true(suite.ecdsaP256Verify(RFC6979_P256.publicKey, message, twin));
		});

		test("ECDSA P-256 rejects a changed message, a flipped signature bit, another key, r = 0 and s = n", (t) => {
			const suite = createSuite();
			const [sample, other] = RFC6979_P256.signatures;
			t.false(suite.ecdsaP256Verify(RFC6979_P256.publicKey, other.message, sample.signature));
			t.false(suite.ecdsaP256Verify(RFC6979_P256.publicKey, concatBytes(sample.message, Uint8Array.of(0)), sample.signature));
			for (const bit of [0, 100, 255, 256, 400, 511]) t.false(suite.ecdsaP256Verify(RFC6979_P256.publicKey, sample.message, flipBit(sample.signature, bit)), `bit ${bit}`);
			const otherKey = RFC6979_P256.compressedPublicKey.slice();
			otherKey[0] = 0x02; // the point with the other y: a valid key, but not the signer's
			t.false(suite.ecdsaP256Verify(otherKey, sample.message, sample.signature));
			t.false(suite.ecdsaP256Verify(RFC6979_P256.publicKey, sample.message, concatBytes(new Uint8Array(32), sample.signature.subarray(32))));
			t.false(suite.ecdsaP256Verify(RFC6979_P256.publicKey, sample.message, concatBytes(sample.signature.subarray(0, 32), RFC6979_P256.order)));
		});

		test("ECDSA P-256 refuses malformed signatures and keys with bad-signature-encoding", (t) => {
			const suite = createSuite();
			const { message, signature } = RFC6979_P256.signatures[0];
			t.is(outcome(() => suite.ecdsaP256Verify(RFC6979_P256.publicKey, message, signature.subarray(0, 63))), "bad-signature-encoding");
			t.is(outcome(() => suite.ecdsaP256Verify(RFC6979_P256.publicKey, message, concatBytes(signature, Uint8Array.of(0)))), "bad-signature-encoding");
			const offCurve = RFC6979_P256.publicKey.slice();
			offCurve[64] ^= 1;
			t.is(outcome(() => suite.ecdsaP256Verify(offCurve, message, signature)), "bad-signature-encoding");
			t.is(outcome(() => suite.ecdsaP256Verify(RFC6979_P256.publicKey.subarray(0, 64), message, signature)), "bad-signature-encoding");
			t.is(outcome(() => suite.ecdsaP256Verify(new Uint8Array(65), message, signature)), "bad-signature-encoding");
		});

		test("ECDSA P-256 verify of a digest accepts the RFC 6979 signatures over SHA-256 of their message, and nothing else", (t) => {
			const suite = createSuite();
			const [sample, other] = RFC6979_P256.signatures;
			for (const { message, signature } of RFC6979_P256.signatures) {
				t.true(suite.ecdsaP256VerifyDigest(RFC6979_P256.publicKey, suite.sha256(message), signature));
				t.false(suite.ecdsaP256VerifyDigest(RFC6979_P256.publicKey, message.length === 32 ? message : suite.sha256(suite.sha256(message)), signature), "the digest, not the message hashed again");
			}
			t.false(suite.ecdsaP256VerifyDigest(RFC6979_P256.publicKey, suite.sha256(other.message), sample.signature));
			for (const bit of [0, 255, 256, 511]) t.false(suite.ecdsaP256VerifyDigest(RFC6979_P256.publicKey, suite.sha256(sample.message), flipBit(sample.signature, bit)), `bit ${bit}`);
			t.is(outcome(() => suite.ecdsaP256VerifyDigest(RFC6979_P256.publicKey, suite.sha256(sample.message).subarray(0, 31), sample.signature)), "bad-length");
			t.is(outcome(() => suite.ecdsaP256VerifyDigest(RFC6979_P256.publicKey, suite.sha256(sample.message), sample.signature.subarray(0, 63))), "bad-signature-encoding");
		});

		// ---- streaming SHA-256 ----

		test("streaming SHA-256 gives the one-shot digest whatever the pieces, and frees its stream on digest and abort", (t) => {
			const suite = createSuite();
			for (const vector of SHA256_VECTORS) {
				const stream = suite.sha256Stream();
				for (let at = 0; at < vector.message.length; at += 7) stream.update(vector.message.subarray(at, at + 7));
				t.deepEqual(stream.digest(), vector.digest);
			}
			const long = new Uint8Array(10_000).map((_, i) => i * 31);
			for (let round = 0; round < 5; round++) {
				const kept = suite.sha256Stream();
				suite.sha256Stream().abort(); // a second one at once, abandoned
				kept.update(long.subarray(0, 4096));
				kept.update(long.subarray(4096));
				t.deepEqual(kept.digest(), suite.sha256(long), `round ${round}`);
			}
		});

		// ---- randomness ----

		test("randomBytes returns the length asked, fresh each call", (t) => {
			const suite = createSuite();
			t.is(suite.randomBytes(0).length, 0);
			const first = suite.randomBytes(32);
			t.is(first.length, 32);
			t.not(toHex(first), toHex(suite.randomBytes(32)));
		});
	});
}
