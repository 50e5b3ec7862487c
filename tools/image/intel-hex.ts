/**
 * Intel HEX as imgtool reads and writes it, through python-intelhex 2.3.0
 * (`intelhex/__init__.py` at tag 2.3.0: `_decode_record` :101, the overlap check :145,
 * `padding = 0x0FF` :79, `_tobinarray_really` :340, `write_hex_file` :547), which image.py
 * calls in `load` (:380, `ih.minaddr()`), `save` (:420-451) and `verify` (:902).
 *
 * A record is one line: ':' then hex digits (either case) for these bytes:
 *
 * | byte   | field                                                                 |
 * |--------|-----------------------------------------------------------------------|
 * | 0      | n, the data length                                                    |
 * | 1–2    | address, big-endian (must be 0 for types 02–05)                       |
 * | 3      | type: 00 data, 01 end of file (n = 0), 02 extended segment address (n = 2, ×16), 03 start segment address (n = 4), 04 extended linear address (n = 2, ×65536), 05 start linear address (n = 4) |
 * | 4…4+n  | data                                                                  |
 * | 4+n    | checksum: all bytes of the record sum to 0 mod 256                    |
 *
 * Reading follows intelhex: a data byte's address is the last 02/04 offset + the record
 * address + its index, without 16-bit wrap-around; empty lines are skipped; the start
 * address records are checked then ignored (imgtool's output never carries one); a byte
 * given twice is an error even with the same value; nothing after the end-of-file record is
 * read. As a binary (`tobinarray`), the bytes run from the lowest to the highest address,
 * gaps filled with 0xff whatever the erased value. One deliberate difference: intelhex
 * accepts a file without an end-of-file record, which is how a truncated transfer looks, so
 * Picket refuses it ("hex-no-end") rather than sign part of a firmware.
 *
 * Writing follows `write_hex_file(byte_count=16)` on Linux: upper-case digits, "\n" line
 * ends, data records of up to 16 bytes that never cross a gap or a 64 KiB boundary, an
 * extended linear address record (04) before each 64 KiB block that holds data — but only
 * when some data lies above 0xffff — then ":00000001FF".
 */
import { PicketError } from "picket/core/picket-error";

export type IntelHexErrorCode =
	| "bad-hex-record" // not ':' + an even number of hex digits, a length byte that disagrees, or a malformed 01–05 record
	| "bad-hex-record-type" // a record type above 05
	| "bad-hex-checksum" // the record's bytes do not sum to 0
	| "hex-overlap" // two data records give the same address
	| "hex-no-end" // no end-of-file record: a truncated file
	| "hex-empty" // no data at all
	| "hex-too-large"; // data past 4 GiB, or a span larger than the caller allows

/** Contiguous bytes at an address. */
export interface HexSegment {
	readonly address: number;
	readonly bytes: Uint8Array;
}

const FOUR_GIB = 2 ** 32;
const RECORD_DATA_LENGTH = 16; // write_hex_file's byte_count default
const ERASED_GAP = 0xff; // IntelHex.padding

function fail(code: IntelHexErrorCode, message: string): never {
	throw new PicketError<IntelHexErrorCode>(code, message);
}

function recordBytes(line: string, lineNumber: number): Uint8Array {
	const digits = line.length - 1;
	if (line[0] !== ":" || digits % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(line.slice(1))) fail("bad-hex-record", `line ${lineNumber} is not an Intel HEX record`);
	const bytes = new Uint8Array(digits / 2);
	for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(line.substr(1 + 2 * i, 2), 16);
	if (bytes.length < 5) fail("bad-hex-record", `line ${lineNumber}: a record is at least 5 bytes`);
	return bytes;
}

/**
 * The data of an Intel HEX file as sorted, non-overlapping segments (adjacent records
 * joined). Throws PicketError<IntelHexErrorCode> naming the line.
 */
export function parseIntelHex(text: string): HexSegment[] {
	const chunks: { address: number; bytes: Uint8Array; line: number }[] = [];
	let offset = 0;
	let startAddressSeen = false;
	let ended = false;
	const lines = text.split(/\r\n|\r|\n/);
	for (let index = 0; index < lines.length && !ended; index++) {
		const line = lines[index]!;
		const lineNumber = index + 1;
		if (line === "") continue;
		const record = recordBytes(line, lineNumber);
		const length = record[0]!;
		if (record.length !== 5 + length) fail("bad-hex-record", `line ${lineNumber}: length byte says ${length} data bytes, the record has ${record.length - 5}`);
		const address = (record[1]! << 8) | record[2]!;
		const type = record[3]!;
		if (type > 5) fail("bad-hex-record-type", `line ${lineNumber}: record type ${type.toString(16).padStart(2, "0")} is not 00–05`);
		let sum = 0;
		for (const byte of record) sum += byte;
		if ((sum & 0xff) !== 0) fail("bad-hex-checksum", `line ${lineNumber}: checksum 0x${record[record.length - 1]!.toString(16).padStart(2, "0")} does not match the record`);
		const data = record.subarray(4, 4 + length);
		const fixed = (expected: number, name: string) => {
			if (length !== expected || address !== 0) fail("bad-hex-record", `line ${lineNumber}: ${name} record must have ${expected} data bytes and address 0`);
		};
		switch (type) {
			case 0:
				if (length > 0) chunks.push({ address: offset + address, bytes: data, line: lineNumber });
				break;
			case 1:
				fixed(0, "end-of-file");
				ended = true;
				break;
			case 2:
				fixed(2, "extended segment address");
				offset = ((data[0]! << 8) | data[1]!) * 16;
				break;
			case 4:
				fixed(2, "extended linear address");
				offset = ((data[0]! << 8) | data[1]!) * 65536;
				break;
			default: // 3 start segment address, 5 start linear address
				fixed(4, type === 3 ? "start segment address" : "start linear address");
				if (startAddressSeen) fail("bad-hex-record", `line ${lineNumber}: a second start address record`);
				startAddressSeen = true;
		}
	}
	if (!ended) fail("hex-no-end", "no end-of-file record (:00000001FF): the file looks truncated");
	if (chunks.length === 0) fail("hex-empty", "no data records");

	// Sorted by address, the chunks are disjoint until the first overlap, which is then always
	// with the chunk just before: it alone reaches past the next one's start.
	chunks.sort((a, b) => a.address - b.address || a.line - b.line);
	const segments: { address: number; parts: Uint8Array[]; end: number }[] = [];
	let previous: (typeof chunks)[number] | undefined;
	for (const chunk of chunks) {
		const end = chunk.address + chunk.bytes.length;
		if (end > FOUR_GIB) fail("hex-too-large", `line ${chunk.line}: data past the 4 GiB address space`);
		if (previous !== undefined && chunk.address < previous.address + previous.bytes.length) {
			const [first, second] = previous.line < chunk.line ? [previous.line, chunk.line] : [chunk.line, previous.line];
			fail("hex-overlap", `line ${second} gives address 0x${chunk.address.toString(16)} again (line ${first} gave it first)`);
		}
		previous = chunk;
		const last = segments[segments.length - 1];
		if (last !== undefined && chunk.address === last.end) {
			last.parts.push(chunk.bytes);
			last.end = end;
		} else {
			segments.push({ address: chunk.address, parts: [chunk.bytes], end });
		}
	}
	return segments.map((segment) => ({ address: segment.address, bytes: joined(segment.parts) }));
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
	if (parts.length === 1) return parts[0]!.slice();
	const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
	let at = 0;
	for (const part of parts) {
		bytes.set(part, at);
		at += part.length;
	}
	return bytes;
}

/**
 * `IntelHex.tobinarray()` and `minaddr()`: the bytes from the lowest address to the highest,
 * gaps 0xff. `maxSpan` bounds the result (a gap of gigabytes is refused, not allocated).
 */
export function intelHexToBinary(segments: readonly HexSegment[], maxSpan: number): { readonly baseAddress: number; readonly bytes: Uint8Array } {
	if (segments.length === 0) fail("hex-empty", "no data records");
	const baseAddress = segments[0]!.address;
	const last = segments[segments.length - 1]!;
	const span = last.address + last.bytes.length - baseAddress;
	if (span > maxSpan) fail("hex-too-large", `data spans 0x${span.toString(16)} bytes from 0x${baseAddress.toString(16)}, more than 0x${maxSpan.toString(16)}`);
	const bytes = new Uint8Array(span).fill(ERASED_GAP);
	for (const segment of segments) bytes.set(segment.bytes, segment.address - baseAddress);
	return { baseAddress, bytes };
}

function record(type: number, address: number, data: Uint8Array): string {
	const bytes = new Uint8Array(5 + data.length);
	bytes[0] = data.length;
	bytes[1] = address >> 8;
	bytes[2] = address & 0xff;
	bytes[3] = type;
	bytes.set(data, 4);
	let sum = 0;
	for (let i = 0; i < bytes.length - 1; i++) sum += bytes[i]!;
	bytes[bytes.length - 1] = -sum & 0xff;
	let digits = ":";
	for (const byte of bytes) digits += byte.toString(16).toUpperCase().padStart(2, "0");
	return `${digits}\n`;
}

/**
 * Writes segments (sorted, non-overlapping; adjacent ones may be separate) as
 * `write_hex_file` does. Throws "hex-too-large" for data past 4 GiB, which intelhex cannot
 * express either.
 */
export function formatIntelHex(segments: readonly HexSegment[]): string {
	const runs: HexSegment[] = [];
	for (const segment of segments) {
		if (segment.bytes.length === 0) continue;
		const last = runs[runs.length - 1];
		const lastEnd = last === undefined ? -1 : last.address + last.bytes.length;
		if (segment.address < 0 || segment.address + segment.bytes.length > FOUR_GIB) fail("hex-too-large", `data at 0x${segment.address.toString(16)} lies outside the 4 GiB address space`);
		if (last !== undefined && segment.address < lastEnd) fail("hex-overlap", `segments overlap at 0x${segment.address.toString(16)}`);
		if (last !== undefined && segment.address === lastEnd) runs[runs.length - 1] = { address: last.address, bytes: joined([last.bytes, segment.bytes]) };
		else runs.push(segment);
	}
	const lines: string[] = [];
	const lastRun = runs[runs.length - 1];
	const needsLinearAddress = lastRun !== undefined && lastRun.address + lastRun.bytes.length - 1 > 0xffff;
	let block = -1;
	for (const run of runs) {
		let cursor = 0;
		while (cursor < run.bytes.length) {
			const address = run.address + cursor;
			if (needsLinearAddress && address >>> 16 !== block) {
				block = address >>> 16;
				lines.push(record(4, 0, Uint8Array.of(block >> 8, block & 0xff)));
			}
			const low = address & 0xffff;
			const length = Math.min(RECORD_DATA_LENGTH, 0x10000 - low, run.bytes.length - cursor);
			lines.push(record(0, low, run.bytes.subarray(cursor, cursor + length)));
			cursor += length;
		}
	}
	lines.push(":00000001FF\n");
	return lines.join("");
}
