/**
 * The MCUboot layout table in tools/image/mcuboot-image.ts, field by field, and the
 * sign → verify → dump round trip for both key types and the trailer options.
 */
import test from "ava";
import { createHash, generateKeyPairSync } from "node:crypto";
import { isPicketError } from "picket/core/picket-error";
import { toHex } from "picket/core/bytes";
import {
	checkImageHash,
	describeImage,
	formatImageVersion,
	IMAGE_MAGIC,
	parseImage,
	parseImageVersion,
	signImage,
	TlvType,
	trailerSize,
	verifyImage,
	type ImageSignOptions,
} from "picket/tools/image/mcuboot-image";
import { generateImageKeyPem, IMAGE_KEY_ALGORITHMS, loadImageSigningKey, loadImageVerifyingKey, publicKeyPem } from "picket/tools/image/image-keys";
import { mcubootFixture } from "picket/test/support/mcuboot-fixtures";

const app = mcubootFixture("app.bin");
const base: ImageSignOptions = { headerSize: 0x20, padHeader: true, version: parseImageVersion("3.4.5+6"), slotSize: 0x8000 };

test("header fields sit where the layout table says", (t) => {
	const image = signImage(app, { ...base, headerSize: 0x80, securityCounter: 0x01020304, loadAddress: 0x3fc80000 });
	const view = new DataView(image.buffer, image.byteOffset);
	t.is(view.getUint32(0, true), IMAGE_MAGIC);
	t.is(view.getUint32(4, true), 0x3fc80000);
	t.is(view.getUint16(8, true), 0x80);
	t.is(view.getUint16(10, true), 4 + 4 + 4); // info + SEC_CNT header + u32
	t.is(view.getUint32(12, true), app.length);
	t.is(view.getUint32(16, true), 0x20); // RAM_LOAD
	t.deepEqual([image[20], image[21], view.getUint16(22, true), view.getUint32(24, true), view.getUint32(28, true)], [3, 4, 5, 6, 0]);
	t.true(image.subarray(32, 0x80).every((byte) => byte === 0xff)); // --pad-header fills with the erased value
	t.deepEqual(image.subarray(0x80, 0x80 + app.length), app);
	const protectedAt = 0x80 + app.length;
	t.is(toHex(image.subarray(protectedAt, protectedAt + 12)), "08690c00" + "50000400" + "04030201");
	t.is(view.getUint16(protectedAt + 12, true), 0x6907);
	t.is(view.getUint16(protectedAt + 14, true), 4 + 36); // hash only: no key
	t.is(image[protectedAt + 16], TlvType.sha256);
	t.is(toHex(image.subarray(protectedAt + 20, protectedAt + 52)), createHash("sha256").update(image.subarray(0, protectedAt + 12)).digest("hex"));
	t.is(image.length, protectedAt + 52);
});

test("--security-counter auto is major << 24 | minor << 16 | revision", (t) => {
	const parsed = parseImage(signImage(app, { ...base, securityCounter: "auto" }));
	t.is(toHex(parsed.protectedTlvs[0]!.value), "05000403");
});

test("without --pad-header the input must start with header-size zero bytes, which become the header", (t) => {
	const prefixed = new Uint8Array(0x20 + app.length);
	prefixed.set(app, 0x20);
	const fromPrefixed = signImage(prefixed, { ...base, padHeader: false });
	t.deepEqual(parseImage(fromPrefixed).body, app);
	t.throws(() => signImage(app, { ...base, padHeader: false }), { code: "bad-option" });
});

test("trailer: sizes and magic as image.py _trailer_size / pad_to", (t) => {
	t.is(trailerSize(1, 8, 128, false), 128 * 3 + 32 + 16);
	t.is(trailerSize(4, 8, 128, false), 128 * 3 * 4 + 32 + 16);
	t.is(trailerSize(8, 8, 128, true), 16 + 16);
	t.is(trailerSize(16, 32, 128, false), 128 * 3 * 16 + 128 + 32);
	const slot = signImage(app, { ...base, align: 4, confirm: true });
	t.is(slot.length, 0x8000);
	t.is(toHex(slot.subarray(-16)), "77c295f360d2ef7f3552500f2cb67980");
	t.is(slot[0x8000 - 16 - 8], 0x01); // image_ok one max-align unit before the magic
	const parsed = parseImage(slot);
	t.deepEqual(parsed.trailer, { length: 0x8000 - parsed.end, magic: "set", imageOk: 1, maxAlign: 8 });
	const unconfirmed = parseImage(signImage(app, { ...base, pad: true })).trailer;
	t.is(unconfirmed?.imageOk, 0xff);
	const wide = signImage(app, { ...base, align: 16, maxAlign: 32, pad: true });
	t.is(toHex(wide.subarray(-16)), "20002de15d29410b8d77679c110f1f8a"); // u16 max-align then the 14-byte tail
});

test("an image that does not fit the slot with its trailer is refused as too-large", (t) => {
	const fits = 0x20 + app.length + 4 + 36 + trailerSize(1, 8, 128, false);
	t.notThrows(() => signImage(app, { ...base, slotSize: fits }));
	t.throws(() => signImage(app, { ...base, slotSize: fits - 1 }), { code: "too-large" });
});

test("bad sign options are refused as bad-option", (t) => {
	for (const options of [
		{ ...base, headerSize: 0x1f },
		{ ...base, headerSize: 0x10000 },
		{ ...base, align: 3 as 1 },
		{ ...base, align: 16 as const, maxAlign: 8 as const },
		{ ...base, securityCounter: 2 ** 32 },
		{ ...base, version: { major: 256, minor: 0, revision: 0, build: 0 } },
	]) {
		t.throws(() => signImage(app, options), { code: "bad-option" }, JSON.stringify(options));
	}
});

test("versions parse as imgtool's version.py", (t) => {
	t.deepEqual(parseImageVersion("1"), { major: 1, minor: 0, revision: 0, build: 0 });
	t.deepEqual(parseImageVersion("1.2.3+45"), { major: 1, minor: 2, revision: 3, build: 45 });
	t.is(formatImageVersion(parseImageVersion("0.10")), "0.10.0+0");
	for (const bad of ["", "1.", "01.2", "1.2.3.4", "1+2", "v1", "1.2.65536"]) t.throws(() => parseImageVersion(bad), { code: "bad-option" }, bad);
});

for (const algorithm of IMAGE_KEY_ALGORITHMS) {
	test(`${algorithm}: keygen → sign → verify → dump round trip`, (t) => {
		const pem = generateImageKeyPem(algorithm);
		t.regex(pem, /^-----BEGIN PRIVATE KEY-----\n/); // PKCS#8, as imgtool keygen
		const key = loadImageSigningKey(pem);
		const image = signImage(app, { ...base, securityCounter: 2, confirm: true }, key);
		const result = verifyImage(image, loadImageVerifyingKey(publicKeyPem(key)));
		t.is(result.signedBy, algorithm);
		t.deepEqual(result.image.body, app);
		const view = describeImage(result.image, checkImageHash(result.image)) as { header: { version: string }; tlvs: { type: string }[]; digest: string };
		t.is(view.header.version, "3.4.5+6");
		t.deepEqual(view.tlvs.map((tlv) => tlv.type), ["SHA256", "KEYHASH", algorithm === "ed25519" ? "ED25519" : "ECDSASIG"]);
		t.is(view.digest, toHex(result.digest!));
	});
}

test("keys of other types are refused as bad-key", (t) => {
	const error = t.throws(() => loadImageSigningKey("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"));
	t.true(isPicketError(error, "bad-key"));
	t.throws(() => loadImageVerifyingKey("hello"), { code: "bad-key" });
	const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
	t.throws(() => loadImageSigningKey(p384), { code: "bad-key", message: /secp384r1/ });
});
