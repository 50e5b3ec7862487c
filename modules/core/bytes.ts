/** Small byte helpers shared by every layer. Pure functions over Uint8Array. */

/** Compares in time that depends only on the lengths, never on where the bytes differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let difference = 0;
	for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
	return difference === 0;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
	let length = 0;
	for (const part of parts) length += part.length;
	const joined = new Uint8Array(length);
	let offset = 0;
	for (const part of parts) {
		joined.set(part, offset);
		offset += part.length;
	}
	return joined;
}

const HEX_DIGITS = "0123456789abcdef";
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, byte) => HEX_DIGITS[byte >> 4] + HEX_DIGITS[byte & 15]);

/*
 * Both walks are linear on XS, whose strings are UTF-8: there `text += piece` copies the
 * whole string each time, and `charCodeAt(i)` or `substr(i, 2)` count i characters from the
 * start, so the obvious loops are quadratic (200,000 digits: ~36 s to parse, ~5 s to
 * write). Pieces pushed then joined once, and a for…of walk, are linear on XS (0.14 s and
 * 0.08 s); on V8 frame-sized inputs cost the same as before.
 */

/** Lower-case hex, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
	const pairs: string[] = [];
	for (let i = 0; i < bytes.length; i++) pairs.push(HEX_PAIRS[bytes[i]]);
	return pairs.join("");
}

/** Hex digits (either case, even count) to bytes; RangeError on anything else. */
export function fromHex(text: string): Uint8Array {
	if (text.length % 2 !== 0) throw notHex(text);
	const bytes = new Uint8Array(text.length / 2);
	let index = 0;
	let high = -1;
	for (const character of text) {
		const digit = hexDigit(character.charCodeAt(0));
		if (digit < 0) throw notHex(text);
		if (high < 0) high = digit;
		else {
			bytes[index++] = (high << 4) | digit;
			high = -1;
		}
	}
	return bytes;
}

/** The value of one hex digit's character code, −1 for any other character. */
function hexDigit(code: number): number {
	if (code >= 0x30 && code <= 0x39) return code - 0x30; // 0-9
	if (code >= 0x61 && code <= 0x66) return code - 0x57; // a-f
	if (code >= 0x41 && code <= 0x46) return code - 0x37; // A-F
	return -1;
}

function notHex(text: string): RangeError {
	return new RangeError(`not hex: ${text.slice(0, 16)}`);
}

/** UTF-8 encoding, written out because XS on a device has no TextEncoder unless a manifest adds one. */
export function utf8(text: string): Uint8Array {
	const bytes: number[] = [];
	for (const character of text) {
		const point = character.codePointAt(0)!;
		if (point < 0x80) bytes.push(point);
		else if (point < 0x800) bytes.push(0xc0 | (point >> 6), 0x80 | (point & 63));
		else if (point < 0x10000) bytes.push(0xe0 | (point >> 12), 0x80 | ((point >> 6) & 63), 0x80 | (point & 63));
		else bytes.push(0xf0 | (point >> 18), 0x80 | ((point >> 12) & 63), 0x80 | ((point >> 6) & 63), 0x80 | (point & 63));
	}
	return Uint8Array.from(bytes);
}

/** Big-endian u16 at `offset`. */
export function readU16(bytes: Uint8Array, offset: number): number {
	return (bytes[offset] << 8) | bytes[offset + 1];
}

/** Big-endian u32 at `offset`. */
export function readU32(bytes: Uint8Array, offset: number): number {
	return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

export function writeU16(bytes: Uint8Array, offset: number, value: number): void {
	bytes[offset] = (value >>> 8) & 255;
	bytes[offset + 1] = value & 255;
}

export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
	bytes[offset] = value >>> 24;
	bytes[offset + 1] = (value >>> 16) & 255;
	bytes[offset + 2] = (value >>> 8) & 255;
	bytes[offset + 3] = value & 255;
}
