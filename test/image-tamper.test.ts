/**
 * Bad input: every truncation and every single-bit flip of a signed image is refused with a
 * typed PicketError (never a crash, never acceptance); the wrong key is refused; random
 * bytes never crash the parser.
 */
import test from "ava";
import fc from "fast-check";
import { isPicketError } from "picket/core/picket-error";
import { parseImage, signImage, verifyImage, type ImageErrorCode, type ImageVerifyingKey } from "picket/tools/image/mcuboot-image";
import { generateImageKeyPem, loadImageSigningKey, loadImageVerifyingKey } from "picket/tools/image/image-keys";
import { ED25519_VECTOR_OPTIONS, mcubootFixture, mcubootFixtureText } from "picket/test/support/mcuboot-fixtures";

const IMAGE_ERRORS: readonly ImageErrorCode[] = ["bad-magic", "bad-header", "truncated", "bad-tlv", "bad-hash", "encrypted", "wrong-key", "unsigned", "bad-signature"];

/** The code verifyImage throws, or "accepted". Anything but a PicketError fails the test. */
function outcome(image: Uint8Array, key?: ImageVerifyingKey): ImageErrorCode | "accepted" {
	try {
		verifyImage(image, key);
		return "accepted";
	} catch (error) {
		if (!isPicketError(error)) throw error;
		return error.code as ImageErrorCode;
	}
}

const images = [
	{ name: "ed25519-h32.bin", image: mcubootFixture("ed25519-h32.bin"), key: loadImageVerifyingKey(mcubootFixtureText("ed25519.pem")) },
	{ name: "p256-h32.bin", image: mcubootFixture("p256-h32.bin"), key: loadImageVerifyingKey(mcubootFixtureText("p256.pem")) },
	{
		name: "ed25519 with security counter and header 0x100",
		image: signImage(mcubootFixture("app.bin"), { ...ED25519_VECTOR_OPTIONS, headerSize: 0x100, securityCounter: 9 }, loadImageSigningKey(mcubootFixtureText("ed25519.pem"))),
		key: loadImageVerifyingKey(mcubootFixtureText("ed25519.pem")),
	},
	// imgtool's --pad-sig (a flip in the zero padding must not pass), --pure and --sha 512 images.
	{ name: "p256-padsig2-h32.bin", image: mcubootFixture("p256-padsig2-h32.bin"), key: loadImageVerifyingKey(mcubootFixtureText("p256.pem")) },
	{ name: "ed25519-pure-h32.bin", image: mcubootFixture("ed25519-pure-h32.bin"), key: loadImageVerifyingKey(mcubootFixtureText("ed25519.pem")) },
	{ name: "ed25519-sha512-h32.bin", image: mcubootFixture("ed25519-sha512-h32.bin"), key: loadImageVerifyingKey(mcubootFixtureText("ed25519.pem")) },
];

for (const { name, image, key } of images) {
	test(`${name}: every truncation is refused as "truncated"`, (t) => {
		const codes = new Set<string>();
		for (let length = 0; length < image.length; length++) codes.add(outcome(image.subarray(0, length), key));
		t.deepEqual([...codes], ["truncated"]);
	});

	test(`${name}: every single-bit flip in header, body and TLVs is refused with a typed error`, (t) => {
		const counts = new Map<string, number>();
		const copy = image.slice();
		for (let bit = 0; bit < image.length * 8; bit++) {
			copy[bit >> 3] ^= 1 << (bit & 7);
			const code = outcome(copy, key);
			copy[bit >> 3] ^= 1 << (bit & 7);
			if (code === "accepted") t.fail(`flip of bit ${bit & 7} at byte 0x${(bit >> 3).toString(16)} accepted`);
			counts.set(code, (counts.get(code) ?? 0) + 1);
		}
		t.true([...counts.keys()].every((code) => IMAGE_ERRORS.includes(code as ImageErrorCode)));
		// The common outcomes must all appear: the flips reach every check.
		for (const code of ["bad-magic", "bad-hash", "bad-tlv", "wrong-key", "bad-signature"]) t.true(counts.has(code), `no flip gave ${code}: ${JSON.stringify([...counts])}`);
		t.log(name, Object.fromEntries(counts));
	});
}

test("a flip in the body is bad-hash; in the signature, bad-signature; in the key hash, wrong-key", (t) => {
	const { image, key } = images[0]!;
	const parsed = parseImage(image);
	const at = (offset: number) => {
		const copy = image.slice();
		copy[offset] ^= 0x01;
		return outcome(copy, key);
	};
	t.is(at(parsed.header.headerSize + 10), "bad-hash");
	t.is(at(0), "bad-magic");
	t.is(at(parsed.tlvs[1]!.offset + 4), "wrong-key");
	t.is(at(parsed.tlvs[2]!.offset + 10), "bad-signature");
});

test("the wrong key is refused: another key of the same type, and a key of the other type", (t) => {
	const ed25519Image = images[0]!.image;
	const otherEd25519 = loadImageVerifyingKey(generateImageKeyPem("ed25519"));
	t.is(outcome(ed25519Image, otherEd25519), "wrong-key");
	t.is(outcome(ed25519Image, images[1]!.key), "wrong-key");
	t.is(outcome(images[1]!.image, images[0]!.key), "wrong-key");
	t.is(outcome(images[1]!.image, loadImageVerifyingKey(generateImageKeyPem("ecdsa-p256"))), "wrong-key");
});

test("a key-hash that matches but a signature by another key is bad-signature", (t) => {
	// Sign with one key, then graft the legitimate key's hash: only the signature check catches it.
	const app = mcubootFixture("app.bin");
	const legitimate = loadImageSigningKey(mcubootFixtureText("ed25519.pem"));
	const attacker = loadImageSigningKey(generateImageKeyPem("ed25519"));
	const forged = signImage(app, ED25519_VECTOR_OPTIONS, { ...attacker, publicKeyInfo: legitimate.publicKeyInfo, sign: attacker.sign });
	t.is(outcome(forged, legitimate), "bad-signature");
});

test("an unsigned (hash-only) image passes a hash-only check and is refused as unsigned with a key", (t) => {
	const image = signImage(mcubootFixture("app.bin"), ED25519_VECTOR_OPTIONS);
	t.is(outcome(image), "accepted");
	t.is(parseImage(image).tlvs.length, 1);
	t.is(outcome(image, images[0]!.key), "bad-tlv"); // no KEYHASH names a key
});

test("hash-only checks (no key) still refuse truncation and tampering", (t) => {
	const image = images[0]!.image.slice();
	t.is(outcome(image.subarray(0, 600)), "truncated");
	image[0x100] ^= 0x80;
	t.is(outcome(image), "bad-hash");
});

test("random bytes and random mutations never crash the parser or the verifier", (t) => {
	const { image, key } = images[1]!;
	fc.assert(
		fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
			const code = outcome(bytes, key);
			return code !== "accepted";
		}),
		{ numRuns: 2000 },
	);
	fc.assert(
		fc.property(fc.array(fc.tuple(fc.nat(image.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
			const copy = image.slice();
			for (const [offset, mask] of edits) copy[offset] ^= mask;
			return outcome(copy, key) !== "accepted";
		}),
		{ numRuns: 2000 },
	);
	// A header claiming the magic followed by random bytes.
	fc.assert(
		fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (rest) => {
			const bytes = new Uint8Array(4 + rest.length);
			bytes.set([0x3d, 0xb8, 0xf3, 0x96]);
			bytes.set(rest, 4);
			return outcome(bytes, key) !== "accepted";
		}),
		{ numRuns: 2000 },
	);
	t.pass();
});
