/**
 * The native provider (C over Mbed TLS's PSA API) on the host XS runtime. XS only: the binding
 * is declared in XS syntax, which Node cannot load.
 *
 * Vectors, each from the document cited beside it:
 *   RFC 3610 §8 packet vector #1; RFC 7748 §5.2 and §6.1; RFC 5869 A.1 and A.3;
 *   RFC 4231 §4.2 and §4.7; FIPS 180-2 B.1; RFC 6979 A.2.5.
 */
import { fromHex, toHex, utf8 } from "picket/core/bytes";
import type { CcmTagLength } from "picket/crypto/crypto-suite";
import { createNativeSuite } from "picket/crypto/native-suite";
import * as psa from "picket/crypto/native/psa-crypto";
import { portableCases } from "picket/test/harness/portable";

const suite = createNativeSuite();
const TAG_LENGTHS: readonly CcmTagLength[] = [4, 6, 8, 10, 12, 14, 16];

// RFC 3610 §8, packet vector #1: header (8 B) is the associated data, M = 8.
const ccmKey = fromHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
const ccmNonce = fromHex("00000003020100a0a1a2a3a4a5");
const ccmHeader = fromHex("0001020304050607");
const ccmPayload = fromHex("08090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
const ccmSealed = fromHex("588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0");

// RFC 7748 §6.1
const alice = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
const alicePublic = fromHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
const bob = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
const bobPublic = fromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
const shared = fromHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

// RFC 6979 A.2.5: P-256, SHA-256, message "sample"
const p256Public = fromHex(
	"0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
);
const p256Signature = fromHex(
	"efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
);

export default portableCases("crypto/native", (test) => {
	test("AES-CCM: RFC 3610 packet vector #1 seals and opens", (t) => {
		t.deepEqual(suite.ccmSeal(ccmKey, ccmNonce, ccmHeader, ccmPayload, 8), ccmSealed);
		t.deepEqual(suite.ccmOpen(ccmKey, ccmNonce, ccmHeader, ccmSealed, 8), ccmPayload);
	});

	test("AES-CCM: every tag length round-trips and any flipped bit is bad-tag", (t) => {
		for (const tagLength of TAG_LENGTHS) {
			const sealed = suite.ccmSeal(ccmKey, ccmNonce, ccmHeader, ccmPayload, tagLength);
			t.is(sealed.length, ccmPayload.length + tagLength);
			t.deepEqual(suite.ccmOpen(ccmKey, ccmNonce, ccmHeader, sealed, tagLength), ccmPayload);
			for (const [input, index] of [[sealed, 0], [sealed, sealed.length - 1], [ccmHeader, 7], [ccmNonce, 12]] as const) {
				input[index] ^= 0x04;
				t.throws(() => suite.ccmOpen(ccmKey, ccmNonce, ccmHeader, sealed, tagLength), { code: "bad-tag" });
				input[index] ^= 0x04;
			}
		}
	});

	test("AES-CCM: empty payload and associated data give the tag alone", (t) => {
		const sealed = suite.ccmSeal(ccmKey, ccmNonce, new Uint8Array(0), new Uint8Array(0), 4);
		t.is(sealed.length, 4);
		t.is(suite.ccmOpen(ccmKey, ccmNonce, new Uint8Array(0), sealed, 4).length, 0);
	});

	test("AES-CCM: wrong key, nonce and tag lengths are bad-length", (t) => {
		const empty = new Uint8Array(0);
		t.throws(() => suite.ccmSeal(new Uint8Array(32), ccmNonce, empty, empty, 8), { code: "bad-length" });
		t.throws(() => suite.ccmSeal(ccmKey, new Uint8Array(12), empty, empty, 8), { code: "bad-length" });
		t.throws(() => suite.ccmSeal(ccmKey, ccmNonce, empty, empty, 5 as CcmTagLength), { code: "bad-length" });
		t.throws(() => suite.ccmSeal(ccmKey, ccmNonce, empty, empty, 18 as CcmTagLength), { code: "bad-length" });
		t.throws(() => suite.ccmOpen(ccmKey, ccmNonce, empty, new Uint8Array(3), 4), { code: "bad-length" });
	});

	test("X25519: RFC 7748 §5.2 function vectors (the second u has its top bit set)", (t) => {
		t.deepEqual(
			suite.x25519SharedSecret(
				fromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
				fromHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
			),
			fromHex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
		);
		t.deepEqual(
			suite.x25519SharedSecret(
				fromHex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
				fromHex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
			),
			fromHex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
		);
	});

	test("X25519: RFC 7748 §6.1 Alice and Bob agree", (t) => {
		t.deepEqual(suite.x25519PublicKey(alice), alicePublic);
		t.deepEqual(suite.x25519PublicKey(bob), bobPublic);
		t.deepEqual(suite.x25519SharedSecret(alice, bobPublic), shared);
		t.deepEqual(suite.x25519SharedSecret(bob, alicePublic), shared);
	});

	test("X25519: low-order public keys are weak-public-key (RFC 7748 §6.1)", (t) => {
		t.throws(() => suite.x25519SharedSecret(alice, new Uint8Array(32)), { code: "weak-public-key" });
		const one = new Uint8Array(32);
		one[0] = 1;
		t.throws(() => suite.x25519SharedSecret(alice, one), { code: "weak-public-key" });
		t.throws(() => suite.x25519SharedSecret(alice, new Uint8Array(31)), { code: "bad-length" });
	});

	test("X25519: fresh key pairs agree", (t) => {
		const a = suite.x25519KeyPair();
		const b = suite.x25519KeyPair();
		t.not(toHex(a.secretKey), toHex(b.secretKey));
		t.deepEqual(suite.x25519SharedSecret(a.secretKey, b.publicKey), suite.x25519SharedSecret(b.secretKey, a.publicKey));
	});

	test("SHA-256 and HMAC-SHA-256: FIPS 180-2 B.1, RFC 4231 cases 1 and 6, the empty key", (t) => {
		t.deepEqual(suite.sha256(utf8("abc")), fromHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
		t.deepEqual(
			suite.hmacSha256(new Uint8Array(20).fill(0x0b), utf8("Hi There")),
			fromHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
		);
		t.deepEqual(
			suite.hmacSha256(new Uint8Array(131).fill(0xaa), utf8("Test Using Larger Than Block-Size Key - Hash Key First")),
			fromHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
		);
		// PSA refuses empty keys; the layer uses the zero-padded equivalent (RFC 2104 §2).
		t.deepEqual(
			suite.hmacSha256(new Uint8Array(0), new Uint8Array(0)),
			fromHex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
		);
	});

	test("HKDF-SHA-256: RFC 5869 A.1 and A.3 (empty salt and info)", (t) => {
		const inputKeyMaterial = new Uint8Array(22).fill(0x0b);
		t.deepEqual(
			suite.hkdfSha256(inputKeyMaterial, fromHex("000102030405060708090a0b0c"), fromHex("f0f1f2f3f4f5f6f7f8f9"), 42),
			fromHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
		);
		t.deepEqual(
			suite.hkdfSha256(inputKeyMaterial, new Uint8Array(0), new Uint8Array(0), 42),
			fromHex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
		);
		t.is(suite.hkdfSha256(inputKeyMaterial, new Uint8Array(0), new Uint8Array(0), 255 * 32).length, 255 * 32);
		t.throws(() => suite.hkdfSha256(inputKeyMaterial, new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1), { code: "bad-length" });
	});

	test("ECDSA P-256: RFC 6979 A.2.5 verifies, uncompressed and compressed", (t) => {
		const message = utf8("sample");
		t.true(suite.ecdsaP256Verify(p256Public, message, p256Signature));
		const compressed = new Uint8Array(33);
		compressed[0] = 0x02 | (p256Public[64]! & 1); // SEC1 §2.3.3
		compressed.set(p256Public.subarray(1, 33), 1);
		t.true(suite.ecdsaP256Verify(compressed, message, p256Signature));
		t.false(suite.ecdsaP256Verify(p256Public, utf8("samplf"), p256Signature));
		const flipped = p256Signature.slice();
		flipped[10] ^= 1;
		t.false(suite.ecdsaP256Verify(p256Public, message, flipped));
	});

	test("ECDSA P-256: unparsable keys and signatures are bad-signature-encoding", (t) => {
		const message = utf8("sample");
		const offCurve = p256Public.slice();
		offCurve[64] ^= 1;
		t.throws(() => suite.ecdsaP256Verify(offCurve, message, p256Signature), { code: "bad-signature-encoding" });
		t.throws(() => suite.ecdsaP256Verify(p256Public.subarray(0, 64), message, p256Signature), { code: "bad-signature-encoding" });
		t.throws(() => suite.ecdsaP256Verify(p256Public, message, p256Signature.subarray(0, 63)), { code: "bad-signature-encoding" });
	});

	test("random bytes: requested length, and two draws differ", (t) => {
		t.is(suite.randomBytes(0).length, 0);
		const first = suite.randomBytes(64);
		t.is(first.length, 64);
		t.not(toHex(first), toHex(suite.randomBytes(64)));
	});

	test("binding: ArrayBuffer and offset views read the right bytes; misuse throws, never crashes", (t) => {
		const padded = new Uint8Array(ccmPayload.length + 10);
		padded.set(ccmPayload, 5);
		t.deepEqual(new Uint8Array(psa.ccmSeal(ccmKey.slice().buffer, ccmNonce, ccmHeader, padded.subarray(5, 5 + ccmPayload.length), 8)), ccmSealed);
		t.throws(() => (psa.sha256 as (message: unknown) => ArrayBuffer)("abc"), { instanceOf: TypeError });
		t.throws(() => (psa.sha256 as (message: unknown) => ArrayBuffer)(new Uint16Array(4)), { instanceOf: TypeError });
		t.throws(() => (psa.hmacSha256 as (key: unknown) => ArrayBuffer)(ccmKey), { instanceOf: TypeError });
		t.throws(() => psa.randomBytes(-1), { instanceOf: RangeError });
	});
});

