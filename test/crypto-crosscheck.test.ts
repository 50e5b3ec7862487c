/**
 * Node only: the software suite against node:crypto (OpenSSL) on thousands of randomised
 * inputs, the RFC 7748 1,000-iteration vector (too slow for XS), and the shared vector
 * cases run on the node:crypto reference itself, which checks the vector tables against
 * an implementation that owes nothing to noble.
 */
import test from "ava";
import * as nodeCrypto from "node:crypto";
import { toHex } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import type { CcmTagLength } from "picket/crypto/crypto-suite";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import type { Assertions } from "picket/test/harness/portable";
import { cryptoVectorCases } from "picket/test/support/crypto-vector-cases";
import { RFC7748_ITERATED } from "picket/test/support/crypto-vectors";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { createSeededRandom } from "picket/test/support/seeded-random";

const TAG_LENGTHS: readonly CcmTagLength[] = [4, 6, 8, 10, 12, 14, 16];

/** Inputs come from a seeded generator so that a failure names a reproducible case. */
function generator(seed: number) {
	const random = createSeededRandom(seed);
	const below = (limit: number) => {
		const word = random(4);
		return ((word[0] | (word[1] << 8) | (word[2] << 16) | (word[3] << 24)) >>> 0) % limit;
	};
	return { bytes: random, below, upTo: (max: number) => random(below(max + 1)) };
}

const software = createSoftwareSuite(createSeededRandom(1));
const reference = createNodeCryptoSuite(createSeededRandom(2));

const referenceGroup = cryptoVectorCases("crypto/node-reference", () => createNodeCryptoSuite(createSeededRandom(3)));
for (const portableCase of referenceGroup.cases) {
	test(`${referenceGroup.title} › ${portableCase.name}`, (t) => portableCase.body(t as unknown as Assertions));
}

test("CCM seal and open agree with node:crypto: 3,500 cases, lengths 0..300, every tag length", (t) => {
	const input = generator(0xccaa);
	const mismatches: string[] = [];
	for (let i = 0; i < 3500; i++) {
		const tagLength = TAG_LENGTHS[i % TAG_LENGTHS.length];
		const key = input.bytes(16);
		const nonce = input.bytes(13);
		const associatedData = input.upTo(300);
		const plaintext = input.upTo(300);
		const sealed = software.ccmSeal(key, nonce, associatedData, plaintext, tagLength);
		const expected = reference.ccmSeal(key, nonce, associatedData, plaintext, tagLength);
		if (toHex(sealed) !== toHex(expected)) mismatches.push(`case ${i}: seal`);
		if (toHex(software.ccmOpen(key, nonce, associatedData, expected, tagLength)) !== toHex(plaintext)) mismatches.push(`case ${i}: open`);
		// One random bit flipped in the sealed output: both must refuse it.
		const altered = expected.slice();
		altered[input.below(altered.length)] ^= 1 << input.below(8);
		let code = "accepted";
		try {
			software.ccmOpen(key, nonce, associatedData, altered, tagLength);
		} catch (error) {
			code = isPicketError(error) ? error.code : String(error);
		}
		if (code !== "bad-tag") mismatches.push(`case ${i}: altered input gave ${code}`);
		t.throws(() => reference.ccmOpen(key, nonce, associatedData, altered, tagLength), { code: "bad-tag" });
	}
	t.deepEqual(mismatches, []);
});

test("CCM agrees with node:crypto either side of the 2^16 − 2^8 associated-data length encoding switch", (t) => {
	const input = generator(0xaad);
	for (const length of [0xfeff, 0xff00, 0xff01, 0x10000]) {
		const key = input.bytes(16);
		const nonce = input.bytes(13);
		const associatedData = input.bytes(length);
		const plaintext = input.bytes(32);
		t.deepEqual(software.ccmSeal(key, nonce, associatedData, plaintext, 8), reference.ccmSeal(key, nonce, associatedData, plaintext, 8), `length ${length}`);
	}
});

test("X25519 public keys and shared secrets agree with node:crypto: 400 key pairs, 400 arbitrary u", (t) => {
	const input = generator(0x25519);
	const mismatches: string[] = [];
	for (let i = 0; i < 400; i++) {
		const secret = input.bytes(32);
		const peerSecret = input.bytes(32);
		const publicKey = software.x25519PublicKey(secret);
		if (toHex(publicKey) !== toHex(reference.x25519PublicKey(secret))) mismatches.push(`case ${i}: public key`);
		const peerPublic = reference.x25519PublicKey(peerSecret);
		if (toHex(software.x25519SharedSecret(secret, peerPublic)) !== toHex(reference.x25519SharedSecret(peerSecret, publicKey))) mismatches.push(`case ${i}: shared`);
		// Any 32 bytes are a u-coordinate (on the curve or its twist); the top bit is ignored.
		const u = input.bytes(32);
		if (toHex(software.x25519SharedSecret(secret, u)) !== toHex(reference.x25519SharedSecret(secret, u))) mismatches.push(`case ${i}: arbitrary u`);
	}
	t.deepEqual(mismatches, []);
});

test("X25519 matches RFC 7748 §5.2 after 1,000 iterations (Node only: too slow for XS in software)", (t) => {
	let k = RFC7748_ITERATED.start;
	let u = RFC7748_ITERATED.start;
	for (let i = 0; i < 1000; i++) [k, u] = [software.x25519SharedSecret(k, u), k];
	t.deepEqual(k, RFC7748_ITERATED.after1000);
});

test("SHA-256, HMAC-SHA-256 and HKDF-SHA-256 agree with node:crypto: 2,000 cases each, lengths 0..300", (t) => {
	const input = generator(0x5a256);
	const mismatches: string[] = [];
	for (let i = 0; i < 2000; i++) {
		const message = input.upTo(300);
		if (toHex(software.sha256(message)) !== toHex(reference.sha256(message))) mismatches.push(`case ${i}: sha256`);
		const key = input.upTo(200);
		if (toHex(software.hmacSha256(key, message)) !== toHex(reference.hmacSha256(key, message))) mismatches.push(`case ${i}: hmac`);
		const salt = input.upTo(100);
		const info = input.upTo(100);
		const length = 1 + input.below(300);
		if (toHex(software.hkdfSha256(message, salt, info, length)) !== toHex(reference.hkdfSha256(message, salt, info, length))) mismatches.push(`case ${i}: hkdf`);
	}
	t.deepEqual(mismatches, []);
});

test("ECDSA P-256 verifies 600 node:crypto signatures, and rejects them over another message", (t) => {
	const input = generator(0xec256);
	const mismatches: string[] = [];
	for (let keyIndex = 0; keyIndex < 30; keyIndex++) {
		const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
		const uncompressed = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-65));
		const compressed = new Uint8Array(nodeCrypto.ECDH.convertKey(uncompressed, "prime256v1", undefined, undefined, "compressed") as Buffer);
		for (let i = 0; i < 20; i++) {
			const message = input.upTo(300);
			const signature = new Uint8Array(nodeCrypto.sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" }));
			const key = i % 2 === 0 ? uncompressed : compressed;
			if (!software.ecdsaP256Verify(key, message, signature)) mismatches.push(`key ${keyIndex} message ${i}: valid signature refused`);
			const other = message.slice();
			if (other.length === 0) continue;
			other[input.below(other.length)] ^= 1 << input.below(8);
			if (software.ecdsaP256Verify(key, other, signature)) mismatches.push(`key ${keyIndex} message ${i}: altered message accepted`);
		}
	}
	t.deepEqual(mismatches, []);
});
