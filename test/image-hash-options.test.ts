/**
 * Images imgtool 2.4.0 makes with `--sha 384|512`, `--pure`, `--public-key-format full` and
 * `-E` (encrypted), read and verified by Picket. Fixtures (test/fixtures/mcuboot/README.md):
 *   ed25519-sha512-h32.bin  imgtool sign -k ed25519.pem <ed25519-h32 options> --sha 512
 *   ed25519-pure-h32.bin    imgtool sign -k ed25519.pem <ed25519-h32 options> --pure
 *   ed25519-enc-x25519-h32.bin, p256-enc-ec256-aes256-h32.bin   … -E <X25519 / P-256 public key>
 * Digests and signatures below are what `imgtool verify` printed for them. Sources (imgtool
 * 2.4.0 image.py): allowed hashes per key :188-209, KEYHASH in the image hash :532, the hash
 * TLV then SIG_PURE and the image itself as the message :692-702; MCUboot's SIG_PURE rule in
 * image_validate.c:149 (`len == 1`, value 1); SHA512 is TLV 0x12 (image.h:103).
 */
import test from "ava";
import { createHash, createPublicKey, verify as nodeVerify } from "node:crypto";
import { toHex } from "picket/core/bytes";
import { checkImageHash, describeImage, ImageFlag, parseImage, signImage, TlvType, verifyImage, type ImageErrorCode, type ImageSignOptions } from "picket/tools/image/mcuboot-image";
import { loadImageSigningKey, loadImageVerifyingKey, publicKeyPem } from "picket/tools/image/image-keys";
import { ED25519_VECTOR_OPTIONS, mcubootFixture, mcubootFixtureText, P256_VECTOR_OPTIONS, VECTOR_DIGESTS } from "picket/test/support/mcuboot-fixtures";

const app = mcubootFixture("app.bin");
const ed25519Key = loadImageSigningKey(mcubootFixtureText("ed25519.pem"));
const p256Key = loadImageSigningKey(mcubootFixtureText("p256.pem"));
const SHA512_DIGEST = "713dc7a0721fcedde6d82068e6014ceffc6a47a2a5cda866cfffab5c276eea8781cfb3595168a8af89e989dd37b76d032b393b374dc7c8ff9030101305a374b7";
const PURE_SIGNATURE = "a17409322963d9a120ae270bdde4d487a00399cc65679e0ddf8f703ef39dafa4a7e88ed7e946bfc738db385892dc494e5f8eb22980db6e0af0d75877a1d4a403";

function code(run: () => unknown): ImageErrorCode | "accepted" {
	try {
		run();
		return "accepted";
	} catch (error) {
		return (error as { code: ImageErrorCode }).code;
	}
}

/** The image with its unprotected TLV area rebuilt from `edit(tlvs)`: (type, value) pairs in order. */
function withTlvs(image: Uint8Array, edit: (tlvs: [number, Uint8Array][]) => [number, Uint8Array][]): Uint8Array {
	const parsed = parseImage(image);
	const entries = edit(parsed.tlvs.map((tlv) => [tlv.type, tlv.value.slice()]));
	const body = entries.flatMap(([type, value]) => [type & 0xff, type >> 8, value.length & 0xff, value.length >> 8, ...value]);
	const total = 4 + body.length;
	return Uint8Array.from([...parsed.hashedRegion, 0x07, 0x69, total & 0xff, total >> 8, ...body]);
}

test("--sha 512: the SHA512 TLV is checked, KEYHASH is SHA-512 of the key, and Picket signs the same bytes", (t) => {
	const image = mcubootFixture("ed25519-sha512-h32.bin");
	const result = verifyImage(image, loadImageVerifyingKey(mcubootFixtureText("ed25519.pem")));
	t.is(result.hashAlgorithm, "sha512");
	t.is(toHex(result.digest!), SHA512_DIGEST);
	t.deepEqual(result.image.tlvs.map((tlv) => tlv.type), [TlvType.sha512, TlvType.keyHash, TlvType.ed25519Signature]);
	t.is(toHex(result.image.tlvs[1]!.value), createHash("sha512").update(ed25519Key.publicKeyInfo).digest("hex"));
	t.deepEqual(signImage(app, { ...ED25519_VECTOR_OPTIONS, hashAlgorithm: "sha512" }, ed25519Key), image);
	const tampered = image.slice();
	tampered[100] ^= 1;
	t.is(code(() => verifyImage(tampered)), "bad-hash");
});

test("--sha 384 and 512 without a key: hash-only images whose digest imgtool verify prints", (t) => {
	const sha384 = verifyImage(signImage(app, { ...ED25519_VECTOR_OPTIONS, hashAlgorithm: "sha384" }));
	t.is(toHex(sha384.digest!), "34525015ecb550602b40e9478249538e2949ec328a514934aa9d04547415ed32e07bfa5f24bb856b22bf44f60987aa22");
	t.is(toHex(verifyImage(signImage(app, { ...ED25519_VECTOR_OPTIONS, hashAlgorithm: "sha512" })).digest!), SHA512_DIGEST);
});

test("--pure: Ed25519 signs the hashed region itself, SIG_PURE = 01, hash SHA512; Picket signs the same bytes", (t) => {
	const image = mcubootFixture("ed25519-pure-h32.bin");
	const result = verifyImage(image, loadImageVerifyingKey(mcubootFixtureText("ed25519.pem")));
	t.true(result.pure);
	t.is(toHex(result.signature!), PURE_SIGNATURE);
	t.is(toHex(result.digest!), SHA512_DIGEST);
	t.deepEqual(result.image.tlvs.map((tlv) => tlv.type), [TlvType.sha512, TlvType.sigPure, TlvType.keyHash, TlvType.ed25519Signature]);
	// Independently: the signature is Ed25519 over header + body + protected TLVs, not over a digest.
	t.true(nodeVerify(null, result.image.hashedRegion, createPublicKey(publicKeyPem(ed25519Key)), result.signature!));
	t.deepEqual(signImage(app, { ...ED25519_VECTOR_OPTIONS, pure: true }, ed25519Key), image);
});

test("a pure image without a hash TLV (MCUboot's pure mode never reads one) verifies with its key only", (t) => {
	const image = withTlvs(mcubootFixture("ed25519-pure-h32.bin"), (tlvs) => tlvs.filter(([type]) => type !== TlvType.sha512));
	const result = verifyImage(image, ed25519Key);
	t.true(result.pure);
	t.is(result.digest, undefined);
	t.is(toHex(result.signature!), PURE_SIGNATURE);
	t.is(code(() => verifyImage(image)), "unverifiable");
	t.deepEqual(checkImageHash(parseImage(image)), { status: "absent" });
	const tampered = image.slice();
	tampered[100] ^= 1;
	t.is(code(() => verifyImage(tampered, ed25519Key)), "bad-signature");
});

test("malformed hash and SIG_PURE TLVs are refused", (t) => {
	const pure = mcubootFixture("ed25519-pure-h32.bin");
	const sigPure = (value: Uint8Array) => withTlvs(pure, (tlvs) => tlvs.map(([type, old]) => [type, type === TlvType.sigPure ? value : old]));
	t.is(code(() => verifyImage(sigPure(Uint8Array.of(0)), ed25519Key)), "bad-tlv"); // bootutil_check_for_pure: value must be 1
	t.is(code(() => verifyImage(sigPure(Uint8Array.of(1, 1)), ed25519Key)), "bad-tlv");
	const twoHashes = withTlvs(mcubootFixture("ed25519-h32.bin"), (tlvs) => [[TlvType.sha512, new Uint8Array(64)], ...tlvs]);
	t.is(code(() => verifyImage(twoHashes)), "bad-tlv");
	const shortHash = withTlvs(mcubootFixture("ed25519-sha512-h32.bin"), (tlvs) => tlvs.map(([type, value]) => [type, type === TlvType.sha512 ? value.subarray(0, 32) : value]));
	t.is(code(() => verifyImage(shortHash)), "bad-tlv");
	const noHash = withTlvs(mcubootFixture("ed25519-h32.bin"), (tlvs) => tlvs.filter(([type]) => type !== TlvType.sha256));
	t.is(code(() => verifyImage(noHash, ed25519Key)), "bad-tlv");
	// SIG_PURE is Ed25519 only (image.py ALLOWED_PURE_SIG_TLVS): an ECDSA image claiming it is refused.
	const p256Pure = withTlvs(mcubootFixture("p256-h32.bin"), (tlvs) => [tlvs[0]!, [TlvType.sigPure, Uint8Array.of(1)], ...tlvs.slice(1)]);
	t.is(code(() => verifyImage(p256Pure, p256Key)), "wrong-key");
	// Outside the protected area only MCUboot's allow list may stand (image_validate.c:164): one
	// bit turns SHA512 (0x12) into 0x13, which a pure image would not otherwise miss.
	const stray = withTlvs(pure, (tlvs) => tlvs.map(([type, value]) => [type === TlvType.sha512 ? 0x13 : type, value]));
	t.is(code(() => verifyImage(stray, ed25519Key)), "bad-tlv");
	t.is(code(() => verifyImage(withTlvs(mcubootFixture("ed25519-h32.bin"), (tlvs) => [...tlvs, [0x50, Uint8Array.of(9, 0, 0, 0)]]), ed25519Key)), "bad-tlv");
	// Another bit makes it ENCEC256 (0x32), allowed there, but only ever written with an ENCRYPTED flag.
	const unflaggedKey = withTlvs(pure, (tlvs) => tlvs.map(([type, value]) => [type === TlvType.sha512 ? 0x32 : type, value]));
	t.is(code(() => verifyImage(unflaggedKey, ed25519Key)), "bad-tlv");
	// A SHA-256 key hash on a SHA-512 image is not the key hash MCUboot computes.
	const sha256KeyHash = withTlvs(mcubootFixture("ed25519-sha512-h32.bin"), (tlvs) =>
		tlvs.map(([type, value]) => [type, type === TlvType.keyHash ? createHash("sha256").update(ed25519Key.publicKeyInfo).digest() : value]),
	);
	t.is(code(() => verifyImage(sha256KeyHash, ed25519Key)), "bad-tlv");
});

test("sign refuses the --sha / --pure combinations imgtool refuses (key_and_user_sha_to_alg_and_tlv)", (t) => {
	const refused: readonly [ImageSignOptions, typeof ed25519Key | undefined][] = [
		[{ ...P256_VECTOR_OPTIONS, hashAlgorithm: "sha512" }, p256Key], // "Key ECDSA256_SHA256 can not be used with --sha 512"
		[{ ...P256_VECTOR_OPTIONS, hashAlgorithm: "sha384" }, p256Key],
		[{ ...ED25519_VECTOR_OPTIONS, hashAlgorithm: "sha384" }, ed25519Key], // Ed25519: 256 or 512
		[{ ...P256_VECTOR_OPTIONS, pure: true }, p256Key], // "Could not find allowed hash algorithms for …ECDSA256P1"
		[{ ...ED25519_VECTOR_OPTIONS, pure: true, hashAlgorithm: "sha512" }, ed25519Key], // "Pure signatures … forbids sha selection by user"
		[{ ...ED25519_VECTOR_OPTIONS, pure: true }, undefined], // a SIG_PURE TLV with nothing signed
	];
	for (const [options, key] of refused) t.is(code(() => signImage(app, options, key)), "bad-option", JSON.stringify(options));
});

test("--public-key-format full: the PUBKEY TLV carries the SubjectPublicKeyInfo; another key is wrong-key", (t) => {
	const image = signImage(app, { ...P256_VECTOR_OPTIONS, publicKeyFormat: "full" }, p256Key);
	const parsed = parseImage(image);
	t.deepEqual(parsed.tlvs.map((tlv) => tlv.type), [TlvType.sha256, TlvType.publicKey, TlvType.ecdsaSignature]);
	t.deepEqual(parsed.tlvs[1]!.value, p256Key.publicKeyInfo);
	t.is(toHex(verifyImage(image, p256Key).digest!), VECTOR_DIGESTS["p256-h32.bin"]);
	t.is(code(() => verifyImage(image, loadImageVerifyingKey(mcubootFixtureText("p256-password.pub.pem")))), "wrong-key");
});

for (const { file, flag, encryptionTlv } of [
	{ file: "ed25519-enc-x25519-h32.bin", flag: "encryptedAes128", encryptionTlv: 0x33 },
	{ file: "p256-enc-ec256-aes256-h32.bin", flag: "encryptedAes256", encryptionTlv: 0x32 },
] as const) {
	test(`${file}: read and shown as imgtool dumpinfo shows it; verify says "encrypted", not a bad hash`, (t) => {
		const image = mcubootFixture(file);
		const parsed = parseImage(image);
		t.is(parsed.header.flags, ImageFlag[flag]);
		t.is(parsed.header.imageSize, 1008); // image.py pads an encrypted body to 16 bytes
		t.is(parsed.tlvs[parsed.tlvs.length - 1]!.type, encryptionTlv);
		t.deepEqual(checkImageHash(parsed), { status: "encrypted", algorithm: "sha256" });
		const view = describeImage(parsed, checkImageHash(parsed)) as { header: { flags: string }; hash: string; digest?: string };
		t.is(view.header.flags, `0x${ImageFlag[flag].toString(16)} (${flag})`);
		t.regex(view.hash, /^SHA256 not checked: the body is encrypted/);
		t.is(view.digest, undefined);
		t.is(code(() => verifyImage(image)), "encrypted");
		t.is(code(() => verifyImage(image, flag === "encryptedAes128" ? ed25519Key : p256Key)), "encrypted");
		t.is(code(() => parseImage(image.subarray(0, 1100))), "truncated"); // the structure is still checked
	});
}
