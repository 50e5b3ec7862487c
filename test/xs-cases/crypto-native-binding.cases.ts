/**
 * What is particular to the native provider, beside the shared vector cases
 * (crypto-native.cases.ts): the xsmc binding's argument handling and the places where
 * picket-psa.c works around Mbed TLS (empty HMAC keys, CCM associated data ≥ 0xFF00 bytes).
 * XS only: the binding is declared in XS syntax.
 *
 * Vectors: RFC 3610 §8 packet vector #1; the HMAC-SHA-256 of an empty key and message is the
 * value every implementation gives (OpenSSL: `openssl dgst -sha256 -hmac ""` of nothing).
 */
import { fromHex, toHex } from "picket/core/bytes";
import { createNativeSuite } from "picket/crypto/native-suite";
import * as psa from "picket/crypto/native/psa-crypto";
import { portableCases } from "picket/test/harness/portable";

const suite = createNativeSuite();

// RFC 3610 §8, packet vector #1
const ccmKey = fromHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
const ccmNonce = fromHex("00000003020100a0a1a2a3a4a5");
const ccmHeader = fromHex("0001020304050607");
const ccmPayload = fromHex("08090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
const ccmSealed = fromHex("588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0");

export default portableCases("crypto/native-binding", (test) => {
	test("byte arguments may be ArrayBuffers, offset views or DataViews; results are fresh ArrayBuffers", (t) => {
		const padded = new Uint8Array(ccmPayload.length + 10);
		padded.set(ccmPayload, 5);
		const sealed = psa.ccmSeal(ccmKey.slice().buffer, new DataView(ccmNonce.slice().buffer), ccmHeader, padded.subarray(5, 5 + ccmPayload.length), 8);
		t.true(sealed instanceof ArrayBuffer);
		t.deepEqual(new Uint8Array(sealed), ccmSealed);
		t.deepEqual(new Uint8Array(psa.ccmOpen(ccmKey, ccmNonce, ccmHeader, ccmSealed.slice().buffer, 8)!), ccmPayload);
	});

	test("misuse throws a TypeError or RangeError, never crashes", (t) => {
		const loose = psa as unknown as Record<string, (...args: unknown[]) => unknown>;
		t.throws(() => loose.sha256!("abc"), { instanceOf: TypeError });
		t.throws(() => loose.sha256!(new Uint16Array(4)), { instanceOf: TypeError });
		t.throws(() => loose.sha256!(), { instanceOf: TypeError });
		t.throws(() => loose.hmacSha256!(ccmKey), { instanceOf: TypeError });
		t.throws(() => loose.ccmSeal!(ccmKey, ccmNonce, ccmHeader, ccmPayload), { instanceOf: TypeError });
		t.throws(() => loose.ccmOpen!(ccmKey, ccmNonce, null, ccmSealed, 8), { instanceOf: TypeError });
		t.throws(() => psa.randomBytes(-1), { instanceOf: RangeError });
		t.throws(() => psa.randomBytes(65537), { instanceOf: RangeError });
		t.throws(() => psa.hkdfSha256(ccmKey, ccmKey, ccmKey, -1), { instanceOf: RangeError });
		t.throws(() => psa.ccmSeal(ccmKey, ccmNonce, ccmHeader, new Uint8Array(65536), 4), { instanceOf: RangeError });
	});

	test("ccmOpen answers undefined, not an exception, when the tag fails", (t) => {
		const altered = ccmSealed.slice();
		altered[0] ^= 1;
		t.is(psa.ccmOpen(ccmKey, ccmNonce, ccmHeader, altered, 8), undefined);
	});

	test("HMAC with an empty key (PSA refuses to import one) and HKDF with empty inputs", (t) => {
		t.deepEqual(
			suite.hmacSha256(new Uint8Array(0), new Uint8Array(0)),
			fromHex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
		);
		// RFC 5869 §2.2: an absent salt is HashLen zeros, so the empty salt and 32 zero bytes agree.
		t.deepEqual(
			suite.hkdfSha256(new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), 32),
			suite.hkdfSha256(new Uint8Array(0), new Uint8Array(32), new Uint8Array(0), 32),
		);
		t.is(suite.hkdfSha256(ccmKey, ccmKey, ccmKey, 0).length, 0);
	});

	test("CCM on both sides of Mbed TLS's 0xFF00-byte associated-data limit round-trips and rejects tampering", (t) => {
		for (const length of [0xfeff, 0xff00, 0xff01]) {
			const associatedData = new Uint8Array(length).fill(0xa5);
			const sealed = suite.ccmSeal(ccmKey, ccmNonce, associatedData, ccmPayload, 16);
			t.is(toHex(suite.ccmOpen(ccmKey, ccmNonce, associatedData, sealed, 16)), toHex(ccmPayload));
			associatedData[length - 1] ^= 1;
			t.throws(() => suite.ccmOpen(ccmKey, ccmNonce, associatedData, sealed, 16), { code: "bad-tag" });
		}
	});

	test("randomBytes draws up to 64 KiB in one call", (t) => {
		t.is(suite.randomBytes(65536).length, 65536);
		t.throws(() => suite.randomBytes(65537), { code: "bad-length" });
	});
});
