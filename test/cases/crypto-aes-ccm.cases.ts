/**
 * The generic CCM mode under the software suite: the NIST examples with short nonces that
 * the CryptoSuite contract (13-byte nonce) cannot express, and CCM's parameter limits.
 */
import { ccmOpen, ccmSeal } from "picket/crypto/aes-ccm";
import { portableCases } from "picket/test/harness/portable";
import { outcome } from "picket/test/support/crypto-vector-cases";
import { SP800_38C_EXAMPLES, counting } from "picket/test/support/crypto-vectors";

export default portableCases("crypto/aes-ccm", (test) => {
	test("matches NIST SP 800-38C examples C.1–C.3 (nonces of 7, 8, 12 bytes; tags of 4, 6, 8)", (t) => {
		for (const vector of SP800_38C_EXAMPLES) {
			t.deepEqual(ccmSeal(vector.key, vector.nonce, vector.associatedData, vector.plaintext, vector.tagLength), vector.sealed, `${vector.name} seal`);
			t.deepEqual(ccmOpen(vector.key, vector.nonce, vector.associatedData, vector.sealed, vector.tagLength), vector.plaintext, `${vector.name} open`);
		}
	});

	test("the short-nonce examples reject a flipped bit anywhere in nonce, data or sealed output", (t) => {
		const accepted: string[] = [];
		for (const vector of SP800_38C_EXAMPLES) {
			const parts = [vector.nonce, vector.associatedData, vector.sealed];
			for (let part = 0; part < parts.length; part++) {
				for (let bit = 0; bit < parts[part].length * 8; bit++) {
					const altered = parts.map((bytes, index) => (index === part ? bytes.slice() : bytes));
					altered[part][bit >> 3] ^= 0x80 >> (bit & 7);
					const result = outcome(() => ccmOpen(vector.key, altered[0], altered[1], altered[2], vector.tagLength));
					if (result !== "bad-tag") accepted.push(`${vector.name} part ${part} bit ${bit}: ${result}`);
				}
			}
		}
		t.deepEqual(accepted, []);
	});

	test("round-trips every nonce length 7..13 with every tag length", (t) => {
		const key = counting(0x40, 0x4f);
		for (let nonceLength = 7; nonceLength <= 13; nonceLength++) {
			for (let tagLength = 4; tagLength <= 16; tagLength += 2) {
				const nonce = counting(nonceLength, 2 * nonceLength - 1);
				const plaintext = counting(0, 20);
				const sealed = ccmSeal(key, nonce, counting(1, 3), plaintext, tagLength);
				t.deepEqual(ccmOpen(key, nonce, counting(1, 3), sealed, tagLength), plaintext);
			}
		}
	});

	test("refuses nonce lengths outside 7..13 and tag lengths other than 4, 6, …, 16 with bad-length", (t) => {
		const key = counting(0x40, 0x4f);
		for (const nonceLength of [0, 6, 14, 16]) {
			t.is(outcome(() => ccmSeal(key, new Uint8Array(nonceLength), new Uint8Array(0), new Uint8Array(4), 8)), "bad-length", `${nonceLength}-byte nonce`);
			t.is(outcome(() => ccmOpen(key, new Uint8Array(nonceLength), new Uint8Array(0), new Uint8Array(12), 8)), "bad-length", `${nonceLength}-byte nonce`);
		}
		for (const tagLength of [0, 2, 5, 7, 17, 18, 2.5, Number.NaN]) {
			t.is(outcome(() => ccmSeal(key, new Uint8Array(13), new Uint8Array(0), new Uint8Array(4), tagLength)), "bad-length", `tag length ${tagLength}`);
			t.is(outcome(() => ccmOpen(key, new Uint8Array(13), new Uint8Array(0), new Uint8Array(20), tagLength)), "bad-length", `tag length ${tagLength}`);
		}
	});

	test("refuses a payload longer than the nonce leaves room for (2^16 − 1 bytes with a 13-byte nonce)", (t) => {
		const key = counting(0x40, 0x4f);
		const nonce = new Uint8Array(13);
		t.is(outcome(() => ccmSeal(key, nonce, new Uint8Array(0), new Uint8Array(65536), 4)), "bad-length");
		t.is(outcome(() => ccmOpen(key, nonce, new Uint8Array(0), new Uint8Array(65536 + 4), 4)), "bad-length");
		// The same length fits a 12-byte nonce (q = 3); only its length is checked here, not its content.
		t.is(ccmSeal(key, new Uint8Array(12), new Uint8Array(0), new Uint8Array(65536), 4).length, 65540);
	});

	test("keeps the caller's inputs unchanged", (t) => {
		const vector = SP800_38C_EXAMPLES[2];
		const copies = [vector.key, vector.nonce, vector.associatedData, vector.plaintext, vector.sealed].map((bytes) => bytes.slice());
		ccmSeal(vector.key, vector.nonce, vector.associatedData, vector.plaintext, vector.tagLength);
		ccmOpen(vector.key, vector.nonce, vector.associatedData, vector.sealed, vector.tagLength);
		t.deepEqual([vector.key, vector.nonce, vector.associatedData, vector.plaintext, vector.sealed], copies);
	});
});
