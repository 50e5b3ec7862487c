/**
 * Intel HEX as imgtool reads and writes it (tools/image/intel-hex.ts). The expected texts and
 * outcomes below are python-intelhex 2.3.0's (`intelhex/__init__.py` `_decode_record`,
 * `tobinarray`, `write_hex_file`), the library imgtool 2.4.0's image.py uses for *.hex,
 * recorded by running it on these inputs; each error case names the intelhex exception it
 * mirrors.
 */
import test from "ava";
import fc from "fast-check";
import { formatIntelHex, intelHexToBinary, parseIntelHex, type HexSegment, type IntelHexErrorCode } from "picket/tools/image/intel-hex";
import { toHex } from "picket/core/bytes";
import { mcubootFixture, mcubootFixtureText } from "picket/test/support/mcuboot-fixtures";

const lines = (...records: string[]) => `${records.join("\n")}\n`;
const EOF = ":00000001FF";
const binary = (text: string, maxSpan = 1 << 20) => {
	const { baseAddress, bytes } = intelHexToBinary(parseIntelHex(text), maxSpan);
	return { baseAddress, hex: toHex(bytes) };
};

test("app.hex (app.bin written at 0x10020 by intelhex) reads back as app.bin at its lowest address", (t) => {
	const { baseAddress, bytes } = intelHexToBinary(parseIntelHex(mcubootFixtureText("app.hex")), 1 << 20);
	t.is(baseAddress, 0x10020);
	t.deepEqual(bytes, mcubootFixture("app.bin"));
});

test("gaps read as 0xff (IntelHex.padding), whatever the erased value: app-gap.hex lacks bytes 600..699", (t) => {
	const { baseAddress, bytes } = intelHexToBinary(parseIntelHex(mcubootFixtureText("app-gap.hex")), 1 << 20);
	const app = mcubootFixture("app.bin");
	t.is(baseAddress, 0x10020);
	t.deepEqual(bytes.subarray(0, 600), app.subarray(0, 600));
	t.true(bytes.subarray(600, 700).every((byte) => byte === 0xff));
	t.deepEqual(bytes.subarray(700), app.subarray(700));
	t.deepEqual(binary(lines(":0100000011EE", ":0100030022DA", EOF)), { baseAddress: 0, hex: "11ffff22" });
});

test("addresses: 02 segment (×16), 04 linear (×65536), no 16-bit wrap inside a record; start records are read and dropped", (t) => {
	t.deepEqual(binary(lines(":020000021000EC", ":020000001122CB", EOF)), { baseAddress: 0x10000, hex: "1122" });
	t.deepEqual(binary(lines(":020000040000FA", ":04FFFE00AABBCCDDF1", EOF)), { baseAddress: 0xfffe, hex: "aabbccdd" });
	t.deepEqual(binary(lines(":0400000300001000E9", ":0100000011EE", EOF)), { baseAddress: 0, hex: "11" });
	t.deepEqual(binary(lines(":0400000508000000EF", ":0100000011EE", EOF)), { baseAddress: 0, hex: "11" });
});

test("lower-case digits, CRLF and blank lines are fine; nothing after the end-of-file record is read", (t) => {
	t.deepEqual(binary(":0100000011ee\r\n\r\n:00000001ff\r\n"), { baseAddress: 0, hex: "11" });
	t.deepEqual(binary(lines(":0100000011EE", EOF, "anything at all")), { baseAddress: 0, hex: "11" });
});

const BAD_FILES: readonly { readonly name: string; readonly text: string; readonly code: IntelHexErrorCode; readonly message: RegExp }[] = [
	// RecordChecksumError
	{ name: "checksum", text: lines(":0100000011EF", EOF), code: "bad-hex-checksum", message: /line 1/ },
	// RecordTypeError
	{ name: "record type 06", text: lines(":0100000611E8", EOF), code: "bad-hex-record-type", message: /line 1: record type 06/ },
	// RecordLengthError
	{ name: "length byte", text: lines(":0200000011EE", EOF), code: "bad-hex-record", message: /line 1: length byte says 2/ },
	// HexRecordError
	{ name: "odd digit count", text: lines(":0100000011E", EOF), code: "bad-hex-record", message: /line 1 is not/ },
	{ name: "no colon", text: lines("0100000011EE", EOF), code: "bad-hex-record", message: /line 1 is not/ },
	{ name: "trailing space", text: lines(":0100000011EE ", EOF), code: "bad-hex-record", message: /line 1 is not/ },
	{ name: "short record", text: lines(":00000001", EOF), code: "bad-hex-record", message: /at least 5 bytes/ },
	// EOFRecordError, ExtendedSegment/LinearAddressRecordError, StartLinearAddressRecordError
	{ name: "end-of-file with data", text: lines(":0100000011EE", ":0100000100FE", EOF), code: "bad-hex-record", message: /line 2: end-of-file/ },
	{ name: "02 with one byte", text: lines(":0100000210ED", EOF), code: "bad-hex-record", message: /extended segment address/ },
	{ name: "04 with three bytes", text: lines(":03000004000000F9", EOF), code: "bad-hex-record", message: /extended linear address/ },
	{ name: "05 at address 4", text: lines(":0400040508000000EB", EOF), code: "bad-hex-record", message: /start linear address/ },
	// DuplicateStartAddressRecordError
	{ name: "two start addresses", text: lines(":0400000300001000E9", ":0400000508000000EF", EOF), code: "bad-hex-record", message: /line 2: a second start address/ },
	// AddressOverlapError, also across 04 records
	{ name: "overlap", text: lines(":020000001122CB", ":0100010033CB", EOF), code: "hex-overlap", message: /line 2 gives address 0x1 again \(line 1/ },
	{ name: "overlap through 04", text: lines(":020000040001F9", ":03000000010203F7", ":020000040000FA", ":02FFFF000405F7", EOF), code: "hex-overlap", message: /line 4 gives address 0x10000 again \(line 2/ },
	// intelhex reads these without complaint; Picket refuses a truncated file and an empty one.
	{ name: "no end-of-file record", text: lines(":0100000011EE"), code: "hex-no-end", message: /truncated/ },
	{ name: "no data", text: lines(EOF), code: "hex-empty", message: /no data/ },
	{ name: "data past 4 GiB", text: lines(":02000004FFFFFC", ":02FFFF001122CD", EOF), code: "hex-too-large", message: /4 GiB/ },
];

for (const { name, text, code, message } of BAD_FILES) {
	test(`bad Intel HEX: ${name} → ${code}`, (t) => {
		t.throws(() => intelHexToBinary(parseIntelHex(text), 1 << 20), { code, message });
	});
}

test("a sparse file whose span exceeds the caller's limit is refused before anything is allocated", (t) => {
	const sparse = lines(":0100000011EE", ":020000040800F2", ":0100000022DD", EOF);
	t.is(parseIntelHex(sparse).length, 2);
	t.throws(() => intelHexToBinary(parseIntelHex(sparse), 0x10000), { code: "hex-too-large", message: /0x8000001 bytes from 0x0/ });
});

// write_hex_file(byte_count=16) on Linux, run on the same data.
const WRITTEN: readonly { readonly name: string; readonly segments: readonly HexSegment[]; readonly text: string }[] = [
	{
		name: "20 bytes at 0: no 04 record below 64 KiB, 16 bytes a record",
		segments: [{ address: 0, bytes: Uint8Array.from({ length: 20 }, (_, i) => i) }],
		text: ":10000000000102030405060708090A0B0C0D0E0F78\n:0400100010111213A6\n:00000001FF\n",
	},
	{
		name: "across the 64 KiB boundary, then a gap",
		segments: [
			{ address: 0xfffe, bytes: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd) },
			{ address: 0x10010, bytes: Uint8Array.of(1, 2) },
		],
		text: ":020000040000FA\n:02FFFE00AABB9C\n:020000040001F9\n:02000000CCDD55\n:020010000102EB\n:00000001FF\n",
	},
	{
		name: "two 64 KiB blocks apart",
		segments: [
			{ address: 0x08000000, bytes: Uint8Array.of(0x10, 0x20, 0x30) },
			{ address: 0x08020000, bytes: Uint8Array.of(0x40) },
		],
		text: ":020000040800F2\n:030000001020309D\n:020000040802F0\n:0100000040BF\n:00000001FF\n",
	},
];

for (const { name, segments, text } of WRITTEN) {
	test(`written as intelhex writes it: ${name}`, (t) => {
		t.is(formatIntelHex(segments), text);
		t.deepEqual(parseIntelHex(text), segments);
	});
}

test("adjacent segments are written as one run; overlapping ones are refused", (t) => {
	const joined = formatIntelHex([
		{ address: 0x10, bytes: Uint8Array.of(1, 2) },
		{ address: 0x12, bytes: Uint8Array.of(3) },
	]);
	t.is(joined, formatIntelHex([{ address: 0x10, bytes: Uint8Array.of(1, 2, 3) }]));
	t.throws(() => formatIntelHex([{ address: 0, bytes: Uint8Array.of(1, 2) }, { address: 1, bytes: Uint8Array.of(3) }]), { code: "hex-overlap" });
	t.throws(() => formatIntelHex([{ address: 0xffffffff, bytes: Uint8Array.of(1, 2) }]), { code: "hex-too-large" });
});

test("any set of segments survives format → parse unchanged", (t) => {
	const segmentsArbitrary = fc
		.array(fc.tuple(fc.integer({ min: 0, max: 0x3ffff }), fc.uint8Array({ minLength: 1, maxLength: 40 })), { maxLength: 6 })
		.map((pieces) => {
			// Lay the pieces out in order with a gap of at least one byte between them.
			const segments: HexSegment[] = [];
			let next = 0;
			for (const [gap, bytes] of pieces) {
				segments.push({ address: next + gap + (segments.length === 0 ? 0 : 1), bytes });
				next = segments[segments.length - 1]!.address + bytes.length;
			}
			return segments;
		})
		.filter((segments) => segments.length > 0);
	fc.assert(fc.property(segmentsArbitrary, (segments) => {
		t.deepEqual(parseIntelHex(formatIntelHex(segments)), segments);
	}), { numRuns: 300 });
	t.pass();
});

test("random text never crashes the reader: a typed error or segments", (t) => {
	fc.assert(
		fc.property(fc.string({ unit: fc.constantFrom(":", "0", "1", "2", "4", "5", "F", "E", "\n", " ", "g") }), (text) => {
			try {
				parseIntelHex(text);
			} catch (error) {
				return (error as { code?: string }).code !== undefined;
			}
			return true;
		}),
		{ numRuns: 3000 },
	);
	t.pass();
});
