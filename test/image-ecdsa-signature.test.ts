/**
 * ECDSA P-256 signatures as imgtool writes them, `--pad-sig` included, through the one DER
 * parser host and device share (tools/image/ecdsa-signature.ts), and the acceptance rule
 * written there: strict DER, then only zero bytes, at most 72 bytes, high s accepted.
 *
 * p256-padsig{1,2,3}-h32.bin: `imgtool sign -k p256.pem --header-size 0x20 --pad-header
 * --align 4 --version 1.0.0 --slot-size 0x10000 --pad-sig app.bin …` (imgtool 2.4.0,
 * keys/ecdsa.py:208-210 ECDSA256P1.sign pads `b'\000' * (self.sig_len() - len(sig))`,
 * sig_len() 72 at ecdsa.py:160),
 * picked among runs for DER lengths 71, 70 and 69 (1, 2 and 3 zero bytes).
 */
import test from "ava";
import { randomBytes } from "node:crypto";
import { toHex } from "picket/core/bytes";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { ecdsaP256ImageKey, ecdsaP256SignatureToRaw, ECDSA_P256_PADDED_SIGNATURE_LENGTH, padEcdsaP256Signature } from "picket/tools/image/ecdsa-signature";
import { parseImage, signImage, TlvType, verifyImage } from "picket/tools/image/mcuboot-image";
import { loadImageSigningKey, loadImageVerifyingKey } from "picket/tools/image/image-keys";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { ED25519_VECTOR_OPTIONS, mcubootFixture, mcubootFixtureText, P256_VECTOR_OPTIONS, VECTOR_DIGESTS } from "picket/test/support/mcuboot-fixtures";

const p256Key = loadImageSigningKey(mcubootFixtureText("p256.pem"));
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const PADDED_VECTORS = [
	{ file: "p256-padsig1-h32.bin", derLength: 71 },
	{ file: "p256-padsig2-h32.bin", derLength: 70 },
	{ file: "p256-padsig3-h32.bin", derLength: 69 },
] as const;

const signatureOf = (image: Uint8Array) => parseImage(image).tlvs.find((tlv) => tlv.type === TlvType.ecdsaSignature)!.value;
const bigint = (bytes: Uint8Array) => BigInt(`0x${toHex(bytes) || "0"}`);
const suites = { node: createNodeCryptoSuite(), software: createSoftwareSuite((length) => new Uint8Array(randomBytes(length))) };

for (const { file, derLength } of PADDED_VECTORS) {
	test(`${file}: imgtool's --pad-sig image (DER ${derLength} + ${72 - derLength} zero bytes) verifies on host and device paths`, (t) => {
		const image = mcubootFixture(file);
		const signature = signatureOf(image);
		t.is(signature.length, ECDSA_P256_PADDED_SIGNATURE_LENGTH);
		t.is(signature[1]! + 2, derLength);
		t.true(signature.subarray(derLength).every((byte) => byte === 0));
		const host = verifyImage(image, loadImageVerifyingKey(mcubootFixtureText("p256.pem")));
		t.is(toHex(host.digest!), VECTOR_DIGESTS["p256-h32.bin"]); // same hashed region as p256-h32.bin
		for (const [name, suite] of Object.entries(suites)) {
			const device = verifyImage(image, ecdsaP256ImageKey(p256Key.publicKeyInfo, (point, message, rs) => suite.ecdsaP256Verify(point, message, rs)));
			t.is(device.signedBy, "ecdsa-p256", name);
		}
	});
}

test("high s is accepted, as every MCUboot back end does: imgtool's own p256-h32.bin has s > n/2", (t) => {
	const raw = ecdsaP256SignatureToRaw(signatureOf(mcubootFixture("p256-h32.bin")));
	t.true(bigint(raw.subarray(32)) > P256_ORDER / 2n);
	t.notThrows(() => verifyImage(mcubootFixture("p256-h32.bin"), ecdsaP256ImageKey(p256Key.publicKeyInfo, suites.software.ecdsaP256Verify)));
});

// A 71-byte DER signature (r with a 0x00 sign byte, s without), written out field by field.
const R = `00${"8f".repeat(32)}`;
const S = "7e".repeat(32);
const der = (r: string, s: string, extra = "") => {
	const content = `02${(r.length / 2).toString(16).padStart(2, "0")}${r}02${(s.length / 2).toString(16).padStart(2, "0")}${s}${extra}`;
	return `30${(content.length / 2).toString(16).padStart(2, "0")}${content}`;
};
const bytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));

test("accepted: DER alone, DER + zeros up to 72 bytes, short integers left-padded into r ‖ s", (t) => {
	const expected = `${"8f".repeat(32)}${S}`;
	t.is(toHex(ecdsaP256SignatureToRaw(bytes(der(R, S)))), expected);
	t.is(toHex(ecdsaP256SignatureToRaw(bytes(`${der(R, S)}00`))), expected);
	t.is(toHex(ecdsaP256SignatureToRaw(bytes(der("01", "7f")))), `${"00".repeat(31)}01${"00".repeat(31)}7f`);
	t.is(toHex(ecdsaP256SignatureToRaw(bytes(`${der("01", "7f")}${"00".repeat(64)}`))), `${"00".repeat(31)}01${"00".repeat(31)}7f`);
});

const REFUSED: readonly { readonly why: string; readonly hex: string }[] = [
	{ why: "a non-zero byte after the SEQUENCE", hex: `${der(R, S)}01` },
	{ why: "zeros beyond the padded 72 bytes", hex: `${der(R, "7e".repeat(31))}${"00".repeat(4)}` },
	{ why: "a long-form SEQUENCE length", hex: `3081${der(R, S).slice(4)}` },
	{ why: "a SEQUENCE longer than the TLV", hex: der(R, S).slice(0, -2) },
	{ why: "an OCTET STRING for r", hex: der(R, S).replace(/^(30..)02/, "$104") },
	{ why: "a negative r", hex: der("8f".repeat(32), S) },
	{ why: "a non-minimal r (00 00 …)", hex: der(`0000${"8f".repeat(31)}`, S) },
	{ why: "a non-minimal s (00 7e …)", hex: der(R, `00${S}`) },
	{ why: "an r wider than 256 bits", hex: der(`01${"8f".repeat(32)}`, S) },
	{ why: "an empty r", hex: der("", S) },
	{ why: "a third INTEGER inside the SEQUENCE", hex: der(R, S, "020101") },
	{ why: "nothing at all", hex: "" },
];

for (const { why, hex } of REFUSED) {
	test(`refused as bad-signature: ${why}`, (t) => {
		t.throws(() => ecdsaP256SignatureToRaw(bytes(hex)), { code: "bad-signature" });
	});
}

test("an image whose padding is not all zeros is refused as bad-signature, not read as valid", (t) => {
	const image = mcubootFixture("p256-padsig2-h32.bin").slice();
	image[image.length - 1] = 0x01;
	t.throws(() => verifyImage(image, loadImageVerifyingKey(mcubootFixtureText("p256.pem"))), { code: "bad-signature", message: /non-zero byte after the SEQUENCE/ });
});

test("sign --pad-sig pads Picket's ECDSA signature to 72 bytes with zeros, verified on both paths (and changes nothing for Ed25519)", (t) => {
	const app = mcubootFixture("app.bin");
	for (let i = 0; i < 40; i++) {
		const image = signImage(app, { ...P256_VECTOR_OPTIONS, padSignature: true }, p256Key);
		const signature = signatureOf(image);
		t.is(signature.length, 72);
		t.true(signature.subarray(signature[1]! + 2).every((byte) => byte === 0));
		t.is(verifyImage(image, p256Key).signedBy, "ecdsa-p256");
		t.is(verifyImage(image, ecdsaP256ImageKey(p256Key.publicKeyInfo, suites.node.ecdsaP256Verify)).signedBy, "ecdsa-p256");
	}
	const ed25519 = loadImageSigningKey(mcubootFixtureText("ed25519.pem"));
	t.deepEqual(signImage(app, { ...ED25519_VECTOR_OPTIONS, padSignature: true }, ed25519), mcubootFixture("ed25519-h32.bin"));
	t.throws(() => padEcdsaP256Signature(new Uint8Array(73)), { code: "bad-signature" });
});

test("ecdsaP256ImageKey takes only an uncompressed P-256 SubjectPublicKeyInfo", (t) => {
	const verify = () => true;
	t.throws(() => ecdsaP256ImageKey(loadImageVerifyingKey(mcubootFixtureText("ed25519.pem")).publicKeyInfo, verify), { code: "bad-key" });
	t.throws(() => ecdsaP256ImageKey(p256Key.publicKeyInfo.subarray(0, 90), verify), { code: "bad-key" });
	t.is(ecdsaP256ImageKey(p256Key.publicKeyInfo, verify).algorithm, "ecdsa-p256");
});
