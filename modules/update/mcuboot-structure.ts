/**
 * The structure of an MCUboot image (header, protected and unprotected TLV areas), parsed
 * without hashing: the one parser `picket image` (tools/image/mcuboot-image.ts) and the
 * board's update check (image-acceptance.ts) share. Portable: Uint8Array in, typed errors
 * out, no hash and no Node API. A board never holds a whole image: it reads the header and
 * the TLV areas from its firmware slot and passes them here.
 *
 * Header (all integers little-endian; mcu-tools/mcuboot `docs/design.md` "Image Format"):
 *
 * | offset | size | field                                             |
 * |--------|------|---------------------------------------------------|
 * | 0      | 4    | ih_magic 0x96f3b83d                               |
 * | 4      | 4    | ih_load_addr                                      |
 * | 8      | 2    | ih_hdr_size (≥ 32: header + its padding)          |
 * | 10     | 2    | ih_protect_tlv_size (whole protected area, or 0)  |
 * | 12     | 4    | ih_img_size (body bytes after the header)         |
 * | 16     | 4    | ih_flags                                          |
 * | 20     | 8    | version: u8 major, u8 minor, u16 revision, u32 build |
 * | 28     | 4    | _pad1                                             |
 *
 * A TLV area: info {u16 magic (0x6908 protected, 0x6907 not), u16 total incl. info}, then
 * TLVs {u16 type, u16 length, value} that tile it exactly (bootutil_tlv_iter).
 */
import { PicketError } from "picket/core/picket-error";

export type ImageStructureErrorCode =
	| "bad-magic" // the first word is not 0x96f3b83d: not an MCUboot image
	| "bad-header" // header fields that cannot describe an image (header size < 32, …)
	| "truncated" // the bytes end before what the header and TLV info say
	| "bad-tlv"; // TLV area malformed: wrong info magic, entries that do not tile it

export const IMAGE_MAGIC = 0x96f3b83d;
export const IMAGE_HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_HEADER_SIZE = 4;
export const TLV_INFO_SIZE = 4;

/** TLV types Picket writes or reads (imgtool image.py TLV_VALUES). */
export const TlvType = {
	keyHash: 0x01,
	publicKey: 0x02,
	sha256: 0x10,
	sha384: 0x11,
	sha512: 0x12,
	ecdsaSignature: 0x22,
	ed25519Signature: 0x24,
	sigPure: 0x25,
	securityCounter: 0x50,
} as const;

/**
 * The only TLVs MCUboot lets stand outside the protected area (image_validate.c:164
 * `allowed_unprot_tlvs`, on by default in every port, Espressif's included): whatever else
 * an attacker appends there is refused, not ignored.
 */
export const ALLOWED_UNPROTECTED_TLVS: ReadonlySet<number> = new Set([
	0x01, 0x02, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x34,
]);

export interface ImageVersion {
	readonly major: number; // u8
	readonly minor: number; // u8
	readonly revision: number; // u16
	readonly build: number; // u32
}

export interface ImageHeader {
	readonly magic: number;
	readonly loadAddress: number;
	readonly headerSize: number;
	readonly protectedTlvSize: number;
	readonly imageSize: number;
	readonly flags: number;
	readonly version: ImageVersion;
}

export interface ImageTlv {
	readonly type: number;
	/** Offset of the TLV's 4-byte header in the bytes parsed. */
	readonly offset: number;
	readonly value: Uint8Array;
}

function fail(code: ImageStructureErrorCode, message: string): never {
	throw new PicketError<ImageStructureErrorCode>(code, message);
}

function view(bytes: Uint8Array): DataView {
	return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The 32-byte header at the start of `image` (only its first 32 bytes are read). */
export function parseImageHeader(image: Uint8Array): ImageHeader {
	if (image.length < 4) fail("truncated", `${image.length} bytes cannot hold an image header`);
	const fields = view(image);
	const magic = fields.getUint32(0, true);
	if (magic !== IMAGE_MAGIC) fail("bad-magic", `image magic is 0x${magic.toString(16).padStart(8, "0")}, not 0x96f3b83d: is this an MCUboot image?`);
	if (image.length < IMAGE_HEADER_SIZE) fail("truncated", `${image.length} bytes cannot hold the 32-byte image header`);
	const header: ImageHeader = {
		magic,
		loadAddress: fields.getUint32(4, true),
		headerSize: fields.getUint16(8, true),
		protectedTlvSize: fields.getUint16(10, true),
		imageSize: fields.getUint32(12, true),
		flags: fields.getUint32(16, true),
		version: { major: fields.getUint8(20), minor: fields.getUint8(21), revision: fields.getUint16(22, true), build: fields.getUint32(24, true) },
	};
	if (header.headerSize < IMAGE_HEADER_SIZE) fail("bad-header", `header size ${header.headerSize} is below ${IMAGE_HEADER_SIZE}`);
	if (header.protectedTlvSize !== 0 && header.protectedTlvSize < TLV_INFO_SIZE) fail("bad-header", `protected TLV size ${header.protectedTlvSize} cannot hold its info`);
	return header;
}

/**
 * The TLV area whose info starts at `offset` in `image`, with the info magic `magic` and,
 * when given, the total size the header promised. Every entry must stay inside the area and
 * the entries must tile it exactly.
 */
export function readTlvArea(image: Uint8Array, offset: number, magic: number, expectedSize: number | undefined): { tlvs: ImageTlv[]; end: number } {
	const areaName = magic === TLV_PROT_INFO_MAGIC ? "protected TLV area" : "TLV area";
	if (offset + TLV_INFO_SIZE > image.length) fail("truncated", `image ends before its ${areaName} at 0x${offset.toString(16)}`);
	const fields = view(image);
	const foundMagic = fields.getUint16(offset, true);
	const total = fields.getUint16(offset + 2, true);
	if (foundMagic !== magic) fail("bad-tlv", `${areaName} at 0x${offset.toString(16)} has magic 0x${foundMagic.toString(16)}, not 0x${magic.toString(16)}`);
	if (expectedSize !== undefined && total !== expectedSize) fail("bad-tlv", `${areaName} is ${total} bytes but the header says ${expectedSize}`);
	if (total < TLV_INFO_SIZE) fail("bad-tlv", `${areaName} length ${total} is shorter than its info`);
	const end = offset + total;
	if (end > image.length) fail("truncated", `${areaName} runs past the end of the image (0x${end.toString(16)} > 0x${image.length.toString(16)})`);
	const tlvs: ImageTlv[] = [];
	let cursor = offset + TLV_INFO_SIZE;
	while (cursor < end) {
		if (cursor + TLV_HEADER_SIZE > end) fail("bad-tlv", `TLV at 0x${cursor.toString(16)} overruns its area`);
		const type = fields.getUint16(cursor, true);
		const length = fields.getUint16(cursor + 2, true);
		const valueEnd = cursor + TLV_HEADER_SIZE + length;
		if (valueEnd > end) fail("bad-tlv", `TLV 0x${type.toString(16)} at 0x${cursor.toString(16)} (length ${length}) overruns its area`);
		tlvs.push({ type, offset: cursor, value: image.subarray(cursor + TLV_HEADER_SIZE, valueEnd) });
		cursor = valueEnd;
	}
	return { tlvs, end };
}

/** The one TLV of `type` among `tlvs`, of `length` bytes when given; "bad-tlv" when it repeats or has another length. */
export function onlyTlv(tlvs: readonly ImageTlv[], type: number, length?: number, name = `0x${type.toString(16)}`): ImageTlv | undefined {
	let found: ImageTlv | undefined;
	for (const tlv of tlvs) {
		if (tlv.type !== type) continue;
		if (found !== undefined) fail("bad-tlv", `${name} TLV appears more than once`);
		found = tlv;
	}
	if (found !== undefined && length !== undefined && found.value.length !== length) fail("bad-tlv", `${name} TLV is ${found.value.length} bytes, not ${length}`);
	return found;
}
