/**
 * The native provider (C over Mbed TLS's PSA API, on the host XS runtime) against node:crypto
 * (OpenSSL) and against the software provider, on thousands of randomised inputs.
 *
 * Node cannot load the native binding (XS `@` syntax), so this test generates the cases on
 * Node — inputs from a seeded generator, outcomes from node:crypto, each also computed by the
 * software suite and required to agree — writes them as a portable case module under
 * build/generated/, and runs that module on picket-xs through the native suite. Every outcome
 * is compared as a string: the hex of the result, "true"/"false", or "!" and the PicketError
 * code, so a native crash or a wrong error code shows up as a mismatch. The software suite
 * runs the same module on XS over every tenth case, so both providers meet on one engine too.
 */
import test from "ava";
import * as nodeCrypto from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { toHex } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import type { CcmTagLength, CryptoSuite } from "picket/crypto/crypto-suite";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { createSeededRandom } from "picket/test/support/seeded-random";
import { projectRoot, runXsCases } from "picket/test/support/xs-runner";

const TAG_LENGTHS: readonly CcmTagLength[] = [4, 6, 8, 10, 12, 14, 16];

/** One call and its expected outcome; arguments are hex strings or numbers. */
type Operation = "ccmSeal" | "ccmOpen" | "x25519PublicKey" | "x25519SharedSecret" | "sha256" | "hmacSha256" | "hkdfSha256" | "ecdsaP256Verify";
type CrosscheckCase = readonly [operation: Operation, args: readonly (string | number)[], expected: string];

/** The outcome of a suite call as a comparable string; the same function runs on XS (below). */
function settle(call: () => Uint8Array | boolean): string {
	try {
		const result = call();
		return typeof result === "boolean" ? String(result) : toHex(result);
	} catch (error) {
		return isPicketError(error) ? `!${error.code}` : `crash: ${String(error)}`;
	}
}

function invoke(suite: CryptoSuite, operation: Operation, args: readonly (string | number)[]): string {
	const bytes = (index: number) => Uint8Array.from(Buffer.from(args[index] as string, "hex"));
	switch (operation) {
		case "ccmSeal":
			return settle(() => suite.ccmSeal(bytes(0), bytes(1), bytes(2), bytes(3), args[4] as CcmTagLength));
		case "ccmOpen":
			return settle(() => suite.ccmOpen(bytes(0), bytes(1), bytes(2), bytes(3), args[4] as CcmTagLength));
		case "x25519PublicKey":
			return settle(() => suite.x25519PublicKey(bytes(0)));
		case "x25519SharedSecret":
			return settle(() => suite.x25519SharedSecret(bytes(0), bytes(1)));
		case "sha256":
			return settle(() => suite.sha256(bytes(0)));
		case "hmacSha256":
			return settle(() => suite.hmacSha256(bytes(0), bytes(1)));
		case "hkdfSha256":
			return settle(() => suite.hkdfSha256(bytes(0), bytes(1), bytes(2), args[3] as number));
		case "ecdsaP256Verify":
			return settle(() => suite.ecdsaP256Verify(bytes(0), bytes(1), bytes(2)));
	}
}

/** Seeded inputs, so that a mismatch names a reproducible case. */
function generator(seed: number) {
	const random = createSeededRandom(seed);
	const below = (limit: number) => {
		const word = random(4);
		return ((word[0]! | (word[1]! << 8) | (word[2]! << 16) | (word[3]! << 24)) >>> 0) % limit;
	};
	const hex = (length: number) => toHex(random(length));
	return { below, hex, upTo: (max: number) => hex(below(max + 1)) };
}

/** Flips one random bit of a hex string. */
function flipBit(hexText: string, input: ReturnType<typeof generator>): string {
	const bytes = Buffer.from(hexText, "hex");
	bytes[input.below(bytes.length)]! ^= 1 << input.below(8);
	return bytes.toString("hex");
}

/** The calls, before their outcomes: about 6,800 of them. */
function generateCalls(): [Operation, (string | number)[]][] {
	const input = generator(0x9a71fe);
	const calls: [Operation, (string | number)[]][] = [];
	const reference = createNodeCryptoSuite();
	for (let i = 0; i < 2100; i++) {
		const tagLength = TAG_LENGTHS[i % TAG_LENGTHS.length]!;
		const [key, nonce, associatedData, plaintext] = [input.hex(16), input.hex(13), input.upTo(200), input.upTo(200)];
		calls.push(["ccmSeal", [key, nonce, associatedData, plaintext, tagLength]]);
		const sealed = toHex(reference.ccmSeal(Buffer.from(key, "hex"), Buffer.from(nonce, "hex"), Buffer.from(associatedData, "hex"), Buffer.from(plaintext, "hex"), tagLength));
		calls.push(["ccmOpen", [key, nonce, associatedData, sealed, tagLength]]);
		// one flipped bit, in the sealed bytes, the nonce or the associated data, in turn
		const where = i % 3;
		if (where === 0) calls.push(["ccmOpen", [key, nonce, associatedData, flipBit(sealed, input), tagLength]]);
		if (where === 1) calls.push(["ccmOpen", [key, flipBit(nonce, input), associatedData, sealed, tagLength]]);
		if (where === 2 && associatedData.length > 0) calls.push(["ccmOpen", [key, nonce, flipBit(associatedData, input), sealed, tagLength]]);
	}
	// Either side of 0xFF00 bytes of associated data, where CCM's length encoding grows from 2 to 6 bytes (RFC 3610 §2.2).
	for (const length of [0xfeff, 0xff00, 0xff01, 0x10000, 0x10011]) {
		calls.push(["ccmSeal", [input.hex(16), input.hex(13), input.hex(length), input.upTo(40), 8]]);
	}
	for (let i = 0; i < 500; i++) {
		const secret = input.hex(32);
		calls.push(["x25519PublicKey", [secret]]);
		// any 32 bytes are a u-coordinate (curve or twist); half of them have the top bit set
		calls.push(["x25519SharedSecret", [secret, input.hex(32)]]);
	}
	for (let i = 0; i < 600; i++) {
		calls.push(["sha256", [input.upTo(300)]]);
		calls.push(["hmacSha256", [input.upTo(150), input.upTo(300)]]);
		calls.push(["hkdfSha256", [input.upTo(80), input.upTo(80), input.upTo(80), input.below(300)]]);
	}
	for (let keyIndex = 0; keyIndex < 20; keyIndex++) {
		const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
		const uncompressed = publicKey.export({ format: "der", type: "spki" }).subarray(-65);
		const compressed = nodeCrypto.ECDH.convertKey(uncompressed, "prime256v1", undefined, undefined, "compressed") as Buffer;
		for (let i = 0; i < 10; i++) {
			const message = input.upTo(200);
			const signature = nodeCrypto.sign("sha256", Buffer.from(message, "hex"), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("hex");
			const key = (i % 2 === 0 ? uncompressed : compressed).toString("hex");
			calls.push(["ecdsaP256Verify", [key, message, signature]]);
			calls.push(["ecdsaP256Verify", [key, message, flipBit(signature, input)]]);
			if (message.length > 0) calls.push(["ecdsaP256Verify", [key, flipBit(message, input), signature]]);
		}
	}
	// Compressed keys with random x: about half are no curve point (bad-signature-encoding), the
	// rest decompress (p256-point.c) to a key the random signature does not verify under.
	for (let i = 0; i < 60; i++) {
		const key = `${i % 2 === 0 ? "02" : "03"}${i === 0 ? "ff".repeat(32) : input.hex(32)}`;
		calls.push(["ecdsaP256Verify", [key, input.upTo(40), input.hex(64)]]);
	}
	return calls;
}

/** The case module picket-xs runs: the table, and the same `settle` over the native suite. */
function caseModuleSource(cases: readonly CrosscheckCase[]): string {
	return `// Generated by test/crypto-native-crosscheck.test.ts: do not edit.
import { toHex } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import { createNativeSuite } from "picket/crypto/native-suite";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { portableCases } from "picket/test/harness/portable";
import { createSeededRandom } from "picket/test/support/seeded-random";

const CASES = ${JSON.stringify(cases)};

// Decodes walking the string once: indexing a long string (substr, charCodeAt) costs O(length)
// per call on XS, whose strings are UTF-8, which makes core/bytes fromHex quadratic here.
function bytesOf(hex) {
	const bytes = new Uint8Array(hex.length >> 1);
	let index = 0;
	let high = -1;
	for (const digit of hex) {
		const nibble = parseInt(digit, 16);
		if (high < 0) high = nibble;
		else {
			bytes[index++] = (high << 4) | nibble;
			high = -1;
		}
	}
	return bytes;
}

function settle(call) {
	try {
		const result = call();
		return typeof result === "boolean" ? String(result) : toHex(result);
	} catch (error) {
		return isPicketError(error) ? "!" + error.code : "crash: " + String(error);
	}
}

export default portableCases("crypto/native-crosscheck", (test) => {
	const operations = [...new Set(CASES.map(([operation]) => operation))];
	// The native suite on every case; the software suite, on the same engine, on every tenth
	// case of moderate size (XS runs it 30-100 times slower than V8).
	const providers = [
		["native", createNativeSuite(), () => true],
		["software", createSoftwareSuite(createSeededRandom(0x50f7)), (args, index) => index % 10 === 0 && args.every((arg) => typeof arg !== "string" || arg.length < 1000)],
	];
	for (const [provider, suite, selects] of providers) {
		for (const operation of operations) {
			test(operation + ": " + provider + " on XS agrees with node:crypto", (t) => {
				const mismatches = [];
				CASES.forEach(([name, args, expected], index) => {
					if (name !== operation || !selects(args, index)) return;
					const call = () => suite[name](...args.map((arg) => (typeof arg === "string" ? bytesOf(arg) : arg)));
					const actual = settle(call);
					if (actual !== expected) mismatches.push("case " + index + ": " + actual.slice(0, 80) + " instead of " + expected.slice(0, 80));
				});
				t.deepEqual(mismatches.slice(0, 10), []);
			});
		}
	}
});
`;
}

test("the native provider on XS agrees with node:crypto and the software provider on 7,000 random cases; the software provider on XS on a tenth of them", (t) => {
	const reference = createNodeCryptoSuite();
	const software = createSoftwareSuite(createSeededRandom(7));
	const cases: CrosscheckCase[] = [];
	const disagreements: string[] = [];
	for (const [operation, args] of generateCalls()) {
		const expected = invoke(reference, operation, args);
		const fromSoftware = invoke(software, operation, args);
		if (fromSoftware !== expected) disagreements.push(`${operation} case ${cases.length}: software ${fromSoftware.slice(0, 40)}, node ${expected.slice(0, 40)}`);
		cases.push([operation, args, expected]);
	}
	t.deepEqual(disagreements.slice(0, 10), [], "the two references disagree before XS runs");
	t.true(cases.length > 6000);
	t.true(cases.some(([, , expected]) => expected === "!bad-tag"));
	t.true(cases.some(([, , expected]) => expected === "false"));

	const folder = `${projectRoot}build/generated`;
	mkdirSync(folder, { recursive: true });
	const modulePath = `${folder}/crypto-native-crosscheck.cases.js`;
	writeFileSync(modulePath, caseModuleSource(cases));
	const report = runXsCases([modulePath]);
	t.deepEqual(report.lines.filter((line) => !line.startsWith("ok ")), [], report.stderr);
	t.is(report.failed, 0);
	t.true(report.passed >= 16, `${report.passed} operation groups ran on XS`);
});
