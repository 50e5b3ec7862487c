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
 * RFC 3610 §8, packet vectors #1–#24: AES keys C0..CF (#1–#12) and D7828D13B2B0BDC325A76236DF93CC6B
 * (#13–#24), 13-byte nonces (L = 2), M = 8 or 10. The RFC prints each input packet as header ‖
 * payload and each output as the header again, then ciphertext ‖ tag (what `sealed` holds); the
 * header (the first 8 or 12 bytes) is the associated data.
 */
const RFC3610_ROWS: readonly (readonly [number, number, string, number, string, string])[] = [
	// number, M (tag length), nonce, header length, packet (header ‖ payload), output after the header
	[1, 8, "00000003020100a0a1a2a3a4a5", 8, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"],
	[2, 8, "00000004030201a0a1a2a3a4a5", 8, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916"],
	[3, 8, "00000005040302a0a1a2a3a4a5", 8, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", "51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da8596574adaa76fbd9fb0c5"],
	[4, 8, "00000006050403a0a1a2a3a4a5", 12, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", "a28c6865939a9a79faaa5c4c2a9d4a91cdac8c96c861b9c9e61ef1"],
	[5, 8, "00000007060504a0a1a2a3a4a5", 12, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "dcf1fb7b5d9e23fb9d4e131253658ad86ebdca3e51e83f077d9c2d93"],
	[6, 8, "00000008070605a0a1a2a3a4a5", 12, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", "6fc1b011f006568b5171a42d953d469b2570a4bd87405a0443ac91cb94"],
	[7, 10, "00000009080706a0a1a2a3a4a5", 8, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", "0135d1b2c95f41d5d1d4fec185d166b8094e999dfed96c048c56602c97acbb7490"],
	[8, 10, "0000000a090807a0a1a2a3a4a5", 8, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "7b75399ac0831dd2f0bbd75879a2fd8f6cae6b6cd9b7db24c17b4433f434963f34b4"],
	[9, 10, "0000000b0a0908a0a1a2a3a4a5", 8, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", "82531a60cc24945a4b8279181ab5c84df21ce7f9b73f42e197ea9c07e56b5eb17e5f4e"],
	[10, 10, "0000000c0b0a09a0a1a2a3a4a5", 12, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", "07342594157785152b074098330abb141b947b566aa9406b4d999988dd"],
	[11, 10, "0000000d0c0b0aa0a1a2a3a4a5", 12, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "676bb20380b0e301e8ab79590a396da78b834934f53aa2e9107a8b6c022c"],
	[12, 10, "0000000e0d0c0ba0a1a2a3a4a5", 12, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", "c0ffa0d6f05bdb67f24d43a4338d2aa4bed7b20e43cd1aa31662e7ad65d6db"],
	[13, 8, "00412b4ea9cdbe3c9696766cfa", 8, "0be1a88bace018b108e8cf97d820ea258460e96ad9cf5289054d895ceac47c", "4cb97f86a2a4689a877947ab8091ef5386a6ffbdd080f8e78cf7cb0cddd7b3"],
	[14, 8, "0033568ef7b2633c9696766cfa", 8, "63018f76dc8a1bcb9020ea6f91bdd85afa0039ba4baff9bfb79c7028949cd0ec", "4ccb1e7ca981befaa0726c55d378061298c85c92814abc33c52ee81d7d77c08a"],
	[15, 8, "00103fe41336713c9696766cfa", 8, "aa6cfa36cae86b40b916e0eacc1c00d7dcec68ec0b3bbb1a02de8a2d1aa346132e", "b1d23a2220ddc0ac900d9aa03c61fcf4a559a4417767089708a776796edb723506"],
	[16, 8, "00764c63b8058e3c9696766cfa", 12, "d0d0735c531e1becf049c24412daac5630efa5396f770ce1a66b21f7b2101c", "14d253c3967b70609b7cbb7c499160283245269a6f49975bcadeaf"],
	[17, 8, "00f8b678094e3b3c9696766cfa", 12, "77b60f011c03e1525899bcaee88b6a46c78d63e52eb8c546efb5de6f75e9cc0d", "5545ff1a085ee2efbf52b2e04bee1e2336c73e3f762c0c7744fe7e3c"],
	[18, 8, "00d560912d3f703c9696766cfa", 12, "cd9044d2b71fdb8120ea60c06435acbafb11a82e2f071d7ca4a5ebd93a803ba87f", "009769ecabdf48625594c59251e6035722675e04c847099e5ae0704551"],
	[19, 10, "0042fff8f1951c3c9696766cfa", 8, "d85bc7e69f944fb88a19b950bcf71a018e5e6701c91787659809d67dbedd18", "bc218daa947427b6db386a99ac1aef23ade0b52939cb6a637cf9bec2408897c6ba"],
	[20, 10, "00920f40e56cdc3c9696766cfa", 8, "74a0ebc9069f5b371761433c37c5a35fc1f39f406302eb907c6163be38c98437", "5810e6fd25874022e80361a478e3e9cf484ab04f447efff6f0a477cc2fc9bf548944"],
	[21, 10, "0027ca0c7120bc3c9696766cfa", 8, "44a3aa3aae6475caa434a8e58500c6e41530538862d686ea9e81301b5ae4226bfa", "f2beed7bc5098e83feb5b31608f8e29c38819a89c8e776f1544d4151a4ed3a8b87b9ce"],
	[22, 10, "005b8ccbcd9af83c9696766cfa", 12, "ec46bb63b02520c33c49fd70b96b49e21d621741632875db7f6c9243d2d7c2", "31d750a09da3ed7fddd49a2032aabf17ec8ebf7d22c8088c666be5c197"],
	[23, 10, "003ebe94044b9a3c9696766cfa", 12, "47a65ac78b3d594227e85e71e2fcfbb880442c731bf95167c8ffd7895e337076", "e882f1dbd38ce3eda7c23f04dd65071eb41342acdf7e00dccec7ae52987d"],
	[24, 10, "008d493b30ae8b3c9696766cfa", 12, "6e37a6ef546d955d34ab6059abf21c0b02feb88f856df4a37381bce3cc128517d4", "f32905b88a641b04b9c9ffb58cc390900f3da12ab16dce9e82efa16da62059"],
];

export const RFC3610_PACKET_VECTORS: readonly CcmVector[] = RFC3610_ROWS.map(([number, tagLength, nonce, headerLength, packet, sealed]) => ({
	name: `RFC 3610 packet vector #${number}`,
	key: number <= 12 ? counting(0xc0, 0xcf) : fromHex("d7828d13b2b0bdc325a76236df93cc6b"),
	nonce: fromHex(nonce),
	associatedData: fromHex(packet).subarray(0, headerLength),
	plaintext: fromHex(packet).subarray(headerLength),
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
