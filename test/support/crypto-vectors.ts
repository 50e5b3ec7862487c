/**
 * Published test vectors for the crypto suites, typed in from the documents cited on each
 * table. Hex strings are written as the documents print them (spaces dropped); byte ranges
 * the documents describe as counting sequences are built with `counting`.
 */
import { fromHex, utf8 } from "picket/core/bytes";

/** The bytes from, from + 1, …, to (inclusive), wrapping at 256. */
export function counting(from: number, to: number): Uint8Array {
	const bytes = new Uint8Array(to - from + 1);
	for (let i = 0; i < bytes.length; i++) bytes[i] = (from + i) & 0xff;
	return bytes;
}

function repeated(byte: number, length: number): Uint8Array {
	return new Uint8Array(length).fill(byte);
}

export interface CcmVector {
	readonly name: string;
	readonly key: Uint8Array;
	readonly nonce: Uint8Array;
	readonly associatedData: Uint8Array;
	readonly plaintext: Uint8Array;
	readonly tagLength: number;
	/** Ciphertext ‖ tag. */
	readonly sealed: Uint8Array;
}

/**
 * RFC 3610 §8, packet vectors #1–#12: AES key C0..CF, 13-byte nonces (L = 2), M = 8 for
 * #1–#6 and M = 10 for #7–#12. The RFC prints each packet as header ‖ payload; the header
 * (the first 8 or 12 bytes) is the associated data, and the output repeats it before
 * ciphertext ‖ tag, which is what `sealed` holds.
 */
const RFC3610_ROWS: readonly (readonly [number, number, string, number, number, string])[] = [
	// number, M (tag length), nonce, header length, last packet byte, output after the header
	[1, 8, "00000003020100a0a1a2a3a4a5", 8, 0x1e, "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"],
	[2, 8, "00000004020100a0a1a2a3a4a5", 8, 0x1f, "0665e2b1c445ec686a174698a194efa66222f42d88e8990e791583a562a632f6"],
	[3, 8, "00000005020100a0a1a2a3a4a5", 8, 0x20, "1952e3b42c3b119d0302e8d2f2ed0a84c5c257170f5b3591df271ded54ed503d1f"],
	[4, 8, "00000006020100a0a1a2a3a4a5", 12, 0x1e, "d6458b9f4643e6b18b8293bbeb9f3a6488a1e21b953b1d70791d6e"],
	[5, 8, "00000007020100a0a1a2a3a4a5", 12, 0x1f, "7c857ef94116dcb2d830363340fafb0dcafc2e2de82bfbcd5a6353f7"],
	[6, 8, "00000008020100a0a1a2a3a4a5", 12, 0x20, "246f4cab5f113457153f7aee79dca2ba90e506a0863701199bb523d475"],
	[7, 10, "00000009020100a0a1a2a3a4a5", 8, 0x1e, "a2c93619caef78ef57183c3308703d01b0286b0f2ba9accbbeb3b8ca5e378dfc11"],
	[8, 10, "0000000a020100a0a1a2a3a4a5", 8, 0x1f, "d3b4e702b8f235ff04221a0d0070ade348728c1b6e262d23d7e160972bb655550905"],
	[9, 10, "0000000b020100a0a1a2a3a4a5", 8, 0x20, "7470dcae4181263b234890a88e04bcaaa0e07ffe7b26bec3653138358c975983814dc6"],
	[10, 10, "0000000c020100a0a1a2a3a4a5", 12, 0x1e, "209cf21aebf5a976141abf45db21f6f78a37a5a6c6e757d75c00699c20"],
	[11, 10, "0000000d020100a0a1a2a3a4a5", 12, 0x1f, "c9f82409678f8c7af649df5dea25e787b94c0f7cee30c735e3209bec9205"],
	[12, 10, "0000000e020100a0a1a2a3a4a5", 12, 0x20, "42de326d9d4e46703ba6220f96ccb821bd77a9ea93f091e960a4f48f1116fe"],
];

export const RFC3610_PACKET_VECTORS: readonly CcmVector[] = RFC3610_ROWS.map(([number, tagLength, nonce, headerLength, lastPacketByte, sealed]) => ({
	name: `RFC 3610 packet vector #${number}`,
	key: counting(0xc0, 0xcf),
	nonce: fromHex(nonce),
	associatedData: counting(0x00, headerLength - 1),
	plaintext: counting(headerLength, lastPacketByte),
	tagLength,
	sealed: fromHex(sealed),
}));

/**
 * NIST SP 800-38C Appendix C, examples 1–3: key 40..4F, nonces of 7, 8 and 12 bytes,
 * tags of 4, 6 and 8 bytes. Needs the generic CCM (the CryptoSuite contract fixes the
 * nonce at 13 bytes).
 */
export const SP800_38C_EXAMPLES: readonly CcmVector[] = [
	{
		name: "SP 800-38C C.1 (Tlen 32, Nlen 56)",
		key: counting(0x40, 0x4f),
		nonce: counting(0x10, 0x16),
		associatedData: counting(0x00, 0x07),
		plaintext: counting(0x20, 0x23),
		tagLength: 4,
		sealed: fromHex("7162015b4dac255d"),
	},
	{
		name: "SP 800-38C C.2 (Tlen 48, Nlen 64)",
		key: counting(0x40, 0x4f),
		nonce: counting(0x10, 0x17),
		associatedData: counting(0x00, 0x0f),
		plaintext: counting(0x20, 0x2f),
		tagLength: 6,
		sealed: fromHex("d2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd"),
	},
	{
		name: "SP 800-38C C.3 (Tlen 64, Nlen 96)",
		key: counting(0x40, 0x4f),
		nonce: counting(0x10, 0x1b),
		associatedData: counting(0x00, 0x13),
		plaintext: counting(0x20, 0x37),
		tagLength: 8,
		sealed: fromHex("e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951"),
	},
];

/**
 * NIST SP 800-38C Appendix C, example 4: a 13-byte nonce, a 14-byte tag and 65,536 bytes
 * (2^19 bits) of associated data — 256 repetitions of 00..FF — the only published vector
 * for the `ff fe` ‖ 4-byte associated-data length encoding.
 */
export const SP800_38C_EXAMPLE_4: CcmVector = {
	name: "SP 800-38C C.4 (Tlen 112, Nlen 104, Alen 2^19 bits)",
	key: counting(0x40, 0x4f),
	nonce: counting(0x10, 0x1c),
	associatedData: counting(0, 65535),
	plaintext: counting(0x20, 0x3f),
	tagLength: 14,
	sealed: fromHex("69915dad1e84c6376a68c2967e4dab615ae0fd1faec44cc484828529463ccf72b4ac6bec93e8598e7f0dadbcea5b"),
};

/** RFC 7748 §5.2: X25519 of a scalar and a u-coordinate (the second u has its top bit set, which must be ignored). */
export const RFC7748_X25519_VECTORS = [
	{
		scalar: fromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
		u: fromHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
		output: fromHex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
	},
	{
		scalar: fromHex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
		u: fromHex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
		output: fromHex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
	},
] as const;

/** RFC 7748 §5.2: k = u = 9; repeat (k, u) ← (X25519(k, u), k). The 1,000,000-iteration value is not used. */
export const RFC7748_ITERATED = {
	start: fromHex("0900000000000000000000000000000000000000000000000000000000000000"),
	after1: fromHex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"),
	after1000: fromHex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"),
} as const;

/** RFC 7748 §6.1: the Alice and Bob Diffie-Hellman example. */
export const RFC7748_DIFFIE_HELLMAN = {
	aliceSecret: fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
	alicePublic: fromHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
	bobSecret: fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
	bobPublic: fromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
	shared: fromHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"),
} as const;

/**
 * u-coordinates of small order (RFC 7748 §6.1: X25519 of any scalar with these is the
 * all-zero value, which must be refused). 0, 1, the order-8 point (Bernstein,
 * "Curve25519: new Diffie-Hellman speed records", and the libsodium blocklist), p − 1, and
 * the non-canonical encoding p (≡ 0), plus 0 with the ignored top bit set.
 */
export const X25519_LOW_ORDER_POINTS: readonly { name: string; u: Uint8Array }[] = [
	{ name: "u = 0", u: fromHex("0000000000000000000000000000000000000000000000000000000000000000") },
	{ name: "u = 1", u: fromHex("0100000000000000000000000000000000000000000000000000000000000000") },
	{ name: "order-8 point", u: fromHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800") },
	{ name: "u = p − 1", u: fromHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") },
	{ name: "u = p (non-canonical 0)", u: fromHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") },
	{ name: "u = 0 with the top bit set", u: fromHex("0000000000000000000000000000000000000000000000000000000000000080") },
];

/** FIPS 180-4 / NIST CSRC "Example Values" for SHA-256: one block, two blocks, and the empty message. */
export const SHA256_VECTORS: readonly { message: Uint8Array; digest: Uint8Array }[] = [
	{ message: utf8("abc"), digest: fromHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") },
	{
		message: utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
		digest: fromHex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
	},
	{ message: new Uint8Array(0), digest: fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") },
];

/** RFC 4231 §4.2–§4.8, HMAC-SHA-256 test cases 1–7. Case 5's output is truncated to 128 bits (§4.6). */
export const RFC4231_HMAC_SHA256_VECTORS: readonly { name: string; key: Uint8Array; data: Uint8Array; mac: Uint8Array }[] = [
	{ name: "RFC 4231 test case 1", key: repeated(0x0b, 20), data: utf8("Hi There"), mac: fromHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") },
	{
		name: "RFC 4231 test case 2",
		key: utf8("Jefe"),
		data: utf8("what do ya want for nothing?"),
		mac: fromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
	},
	{ name: "RFC 4231 test case 3", key: repeated(0xaa, 20), data: repeated(0xdd, 50), mac: fromHex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe") },
	{ name: "RFC 4231 test case 4", key: counting(0x01, 0x19), data: repeated(0xcd, 50), mac: fromHex("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b") },
	{ name: "RFC 4231 test case 5 (truncated to 128 bits)", key: repeated(0x0c, 20), data: utf8("Test With Truncation"), mac: fromHex("a3b6167473100ee06e0c796c2955552b") },
	{
		name: "RFC 4231 test case 6",
		key: repeated(0xaa, 131),
		data: utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
		mac: fromHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
	},
	{
		name: "RFC 4231 test case 7",
		key: repeated(0xaa, 131),
		data: utf8("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
		mac: fromHex("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
	},
];

/** RFC 5869 Appendix A.1–A.3, HKDF-SHA-256 test cases 1–3 (case 3: empty salt and info). */
export const RFC5869_HKDF_SHA256_VECTORS: readonly { name: string; inputKeyMaterial: Uint8Array; salt: Uint8Array; info: Uint8Array; output: Uint8Array }[] = [
	{
		name: "RFC 5869 test case 1",
		inputKeyMaterial: repeated(0x0b, 22),
		salt: counting(0x00, 0x0c),
		info: counting(0xf0, 0xf9),
		output: fromHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
	},
	{
		name: "RFC 5869 test case 2",
		inputKeyMaterial: counting(0x00, 0x4f),
		salt: counting(0x60, 0xaf),
		info: counting(0xb0, 0xff),
		output: fromHex(
			"b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
		),
	},
	{
		name: "RFC 5869 test case 3",
		inputKeyMaterial: repeated(0x0b, 22),
		salt: new Uint8Array(0),
		info: new Uint8Array(0),
		output: fromHex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
	},
];

/**
 * RFC 6979 Appendix A.2.5: the P-256 key and its deterministic ECDSA signatures with
 * SHA-256 over "sample" and "test" (r ‖ s). The "sample" signature has a high s (s > n/2).
 */
export const RFC6979_P256 = {
	secretKey: fromHex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"),
	publicKey: fromHex(
		"04" + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6" + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
	),
	/** SEC1 compressed form of the same key: Uy ends in …99, odd, so the prefix is 03. */
	compressedPublicKey: fromHex("03" + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"),
	signatures: [
		{
			message: utf8("sample"),
			signature: fromHex(
				"efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716" + "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
			),
		},
		{
			message: utf8("test"),
			signature: fromHex(
				"f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367" + "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083",
			),
		},
	],
	/** The group order n (SEC 2 §2.4.2), to form the low-S twin n − s of a signature. */
	order: fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
} as const;
