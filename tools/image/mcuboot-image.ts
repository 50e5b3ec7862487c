/**
 * The MCUboot image format, as imgtool 2.4.0 writes it (mcu-tools/mcuboot
 * `scripts/imgtool/image.py`, `docs/design.md` "Image Format"). Builds, parses and verifies
 * images; the signature algorithms themselves come in through `ImageSigningKey` /
 * `ImageVerifyingKey` (tools/image/image-keys.ts over node:crypto), so this codec touches no
 * Node API and could move under modules/ for on-device checks.
 *
 * Image layout (all integers little-endian):
 *
 * | offset                       | size      | field                                           |
 * |------------------------------|-----------|-------------------------------------------------|
 * | 0                            | 4         | ih_magic 0x96f3b83d                             |
 * | 4                            | 4         | ih_load_addr (0 unless RAM-load)                |
 * | 8                            | 2         | ih_hdr_size (≥ 32: header + its padding)        |
 * | 10                           | 2         | ih_protect_tlv_size (whole protected area, or 0)|
 * | 12                           | 4         | ih_img_size (body bytes after the header)       |
 * | 16                           | 4         | ih_flags                                        |
 * | 20                           | 1         | iv_major                                        |
 * | 21                           | 1         | iv_minor                                        |
 * | 22                           | 2         | iv_revision                                     |
 * | 24                           | 4         | iv_build_num                                    |
 * | 28                           | 4         | _pad1 (0)                                       |
 * | 32                           | hdr−32    | header padding (--pad-header fills it with the erased value) |
 * | hdr                          | img_size  | body                                            |
 * | hdr+img                      | prot      | protected TLV area: info {0x6908, u16 total} then TLVs |
 * | hdr+img+prot                 | 4+…       | TLV area: info {0x6907, u16 total incl. info} then TLVs |
 * | …                            | …         | (--pad) erased fill up to the slot trailer       |
 * | slot−trailer                 | trailer   | swap status, image_ok, boot magic (last 16 B)    |
 *
 * Each TLV: u16 type (imgtool packs type as a byte then 0), u16 length, value.
 * The SHA-256 TLV covers bytes [0, hdr+img+prot): header, padding, body, protected TLVs.
 * The key hash TLV is SHA-256 of the signing key's SubjectPublicKeyInfo DER — for ECDSA and
 * for Ed25519 alike (`keys/ecdsa.py` and `keys/ed25519.py` `get_public_bytes()`).
 * Signatures: Ed25519 signs the 32-byte digest (`sign_digest`); ECDSA P-256 signs the hashed
 * region with SHA-256 (`sign(payload)`), i.e. the same digest as its prehash; DER encoded.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, constantTimeEqual, toHex } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";

export type ImageErrorCode =
	| "bad-magic" // the first word is not 0x96f3b83d: not an MCUboot image
	| "bad-header" // header fields that cannot describe an image (header size < 32, …)
	| "truncated" // the file ends before what its header and TLV info say
	| "bad-tlv" // TLV area malformed: wrong info magic, entries that do not tile it, missing/duplicate TLV
	| "bad-hash" // the SHA-256 TLV does not match the hashed region
	| "wrong-key" // the image was signed by another key (key hash / key type differ)
	| "unsigned" // no signature TLV at all
	| "bad-signature" // the signature TLV does not verify
	| "bad-option" // sign options imgtool would refuse
	| "too-large"; // image plus trailer exceed --slot-size

export type ImageError = PicketError<ImageErrorCode>;

export const IMAGE_MAGIC = 0x96f3b83d;
export const IMAGE_HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
const TLV_HEADER_SIZE = 4;
const TLV_INFO_SIZE = 4;
const DEFAULT_MAX_SECTORS = 128;
const DEFAULT_MAX_ALIGN = 8;
const BOOT_MAGIC_SIZE = 16;

/** TLV types Picket writes or reads (image.py TLV_VALUES). */
export const TlvType = {
	keyHash: 0x01,
	publicKey: 0x02,
	sha256: 0x10,
	ecdsaSignature: 0x22,
	ed25519Signature: 0x24,
	securityCounter: 0x50,
} as const;

const TLV_NAMES: Record<number, string> = {
	0x01: "KEYHASH",
	0x02: "PUBKEY",
	0x10: "SHA256",
	0x11: "SHA384",
	0x12: "SHA512",
	0x20: "RSA2048",
	0x22: "ECDSASIG",
	0x23: "RSA3072",
	0x24: "ED25519",
	0x25: "SIG_PURE",
	0x30: "ENCRSA2048",
	0x31: "ENCKW",
	0x32: "ENCEC256",
	0x33: "ENCX25519",
	0x40: "DEPENDENCY",
	0x50: "SEC_CNT",
	0x60: "BOOT_RECORD",
};

/** Header flags (image.py IMAGE_F). */
export const ImageFlag = {
	pic: 0x01,
	encryptedAes128: 0x04,
	encryptedAes256: 0x08,
	nonBootable: 0x10,
	ramLoad: 0x20,
	romFixed: 0x100,
} as const;

/** The boot magic at the very end of a padded slot when max-align is 8 (image.py). */
const BOOT_MAGIC = Uint8Array.from([0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80]);
/** The last 14 bytes of the boot magic for max-align 16/32, after a u16 max-align. */
const BOOT_MAGIC_ALIGNED_TAIL = Uint8Array.from([0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a]);

export type ImageKeyAlgorithm = "ed25519" | "ecdsa-p256";

/** What a signature covers: imgtool hands Ed25519 the digest and ECDSA the hashed region. */
export interface ImageSignedMessage {
	/** Header, header padding, body and protected TLV area. */
	readonly hashedRegion: Uint8Array;
	/** SHA-256 of hashedRegion, as stored in the SHA256 TLV. */
	readonly digest: Uint8Array;
}

export interface ImageVerifyingKey {
	readonly algorithm: ImageKeyAlgorithm;
	/** SubjectPublicKeyInfo DER: what the KEYHASH TLV hashes and the PUBKEY TLV carries. */
	readonly publicKeyInfo: Uint8Array;
	verify(message: ImageSignedMessage, signature: Uint8Array): boolean;
}

export interface ImageSigningKey extends ImageVerifyingKey {
	sign(message: ImageSignedMessage): Uint8Array;
}

export interface ImageVersion {
	readonly major: number; // u8
	readonly minor: number; // u8
	readonly revision: number; // u16
	readonly build: number; // u32
}

export type FlashAlignment = 1 | 2 | 4 | 8 | 16 | 32;

/** imgtool `sign` options Picket supports, with imgtool's names in the comments. */
export interface ImageSignOptions {
	readonly headerSize: number; // --header-size
	readonly padHeader?: boolean; // --pad-header
	readonly version: ImageVersion; // --version
	readonly slotSize: number; // --slot-size
	readonly align?: FlashAlignment; // --align (default 1)
	readonly maxAlign?: 8 | 16 | 32; // --max-align (default max(8, align))
	readonly pad?: boolean; // --pad
	readonly confirm?: boolean; // --confirm (implies pad)
	readonly test?: boolean; // --test (implies pad)
	readonly securityCounter?: number | "auto"; // --security-counter
	readonly erasedValue?: 0 | 0xff; // --erased-val (default 0xff)
	readonly overwriteOnly?: boolean; // --overwrite-only
	readonly maxSectors?: number; // --max-sectors (default 128)
	readonly loadAddress?: number; // --load-addr (sets RAM_LOAD)
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
	/** Offset of the TLV's 4-byte header in the image. */
	readonly offset: number;
	readonly value: Uint8Array;
}

export interface ImageTrailer {
	/** Bytes after the TLV area. */
	readonly length: number;
	/** "set" when the boot magic ends the file, "erased" when all bytes are the erased value. */
	readonly magic: "set" | "erased" | "other";
	/** image_ok byte (0x01 confirmed) when the magic is set; undefined otherwise. */
	readonly imageOk?: number;
	readonly maxAlign?: number;
}

export interface ParsedImage {
	readonly header: ImageHeader;
	readonly body: Uint8Array;
	readonly protectedTlvs: readonly ImageTlv[];
	readonly tlvs: readonly ImageTlv[];
	/** Header + padding + body + protected TLV area: what SHA256 covers. */
	readonly hashedRegion: Uint8Array;
	/** Offset just past the unprotected TLV area. */
	readonly end: number;
	readonly trailer?: ImageTrailer;
}

export interface ImageVerification {
	readonly image: ParsedImage;
	readonly digest: Uint8Array;
	/** The algorithm whose signature verified, or undefined when only the hash was checked (no key). */
	readonly signedBy?: ImageKeyAlgorithm;
}

function fail(code: ImageErrorCode, message: string): never {
	throw new PicketError<ImageErrorCode>(code, message);
}

/** Parses "major.minor.revision+build" with later parts optional, as imgtool's version.py. */
export function parseImageVersion(text: string): ImageVersion {
	const match = /^([1-9]\d*|0)(?:\.([1-9]\d*|0)(?:\.([1-9]\d*|0)(?:\+([1-9]\d*|0))?)?)?$/.exec(text);
	if (match === null) fail("bad-option", `invalid version ${JSON.stringify(text)}: should be maj.min.rev+build with later parts optional`);
	const version = { major: Number(match[1]), minor: Number(match[2] ?? 0), revision: Number(match[3] ?? 0), build: Number(match[4] ?? 0) };
	if (version.major > 0xff || version.minor > 0xff || version.revision > 0xffff || version.build > 0xffffffff) {
		fail("bad-option", `version ${text} does not fit the header (u8.u8.u16+u32)`);
	}
	return version;
}

export function formatImageVersion(version: ImageVersion): string {
	return `${version.major}.${version.minor}.${version.revision}+${version.build}`;
}

function alignUp(value: number, alignment: number): number {
	return Math.ceil(value / alignment) * alignment;
}

/** The trailer size imgtool reserves at the end of the slot (image.py `_trailer_size`). */
export function trailerSize(align: FlashAlignment, maxAlign: number, maxSectors: number, overwriteOnly: boolean): number {
	const magicAlignSize = alignUp(BOOT_MAGIC_SIZE, maxAlign);
	if (overwriteOnly) return maxAlign * 2 + magicAlignSize;
	// swap status area (3 writes per sector) + image_ok/copy_done/swap_info/swap_size + magic
	return maxSectors * 3 * align + maxAlign * 4 + magicAlignSize;
}

function bootMagic(maxAlign: number): Uint8Array {
	if (maxAlign === DEFAULT_MAX_ALIGN) return BOOT_MAGIC;
	return concatBytes(Uint8Array.of(maxAlign & 0xff, maxAlign >> 8), BOOT_MAGIC_ALIGNED_TAIL);
}

function encodeTlv(type: number, value: Uint8Array): Uint8Array {
	const tlv = new Uint8Array(TLV_HEADER_SIZE + value.length);
	const view = new DataView(tlv.buffer);
	view.setUint16(0, type, true);
	view.setUint16(2, value.length, true);
	tlv.set(value, TLV_HEADER_SIZE);
	return tlv;
}

function encodeTlvArea(magic: number, entries: readonly Uint8Array[]): Uint8Array {
	if (entries.length === 0) return new Uint8Array(0);
	const body = concatBytes(...entries);
	const info = new Uint8Array(TLV_INFO_SIZE);
	const view = new DataView(info.buffer);
	view.setUint16(0, magic, true);
	view.setUint16(2, TLV_INFO_SIZE + body.length, true);
	return concatBytes(info, body);
}

function u32(value: number): Uint8Array {
	const bytes = new Uint8Array(4);
	new DataView(bytes.buffer).setUint32(0, value, true);
	return bytes;
}

function isUint(value: number, max: number): boolean {
	return Number.isInteger(value) && value >= 0 && value <= max;
}

/**
 * Signs `firmware` into an MCUboot image, byte for byte as `imgtool sign` does with the same
 * options (no key: a hash-only image, as imgtool without -k).
 */
export function signImage(firmware: Uint8Array, options: ImageSignOptions, key?: ImageSigningKey): Uint8Array {
	const align = options.align ?? 1;
	const maxAlign = options.maxAlign ?? Math.max(DEFAULT_MAX_ALIGN, align);
	const erasedValue = options.erasedValue ?? 0xff;
	const maxSectors = options.maxSectors ?? DEFAULT_MAX_SECTORS;
	const pad = options.pad === true || options.confirm === true || options.test === true;
	const { headerSize, slotSize, version } = options;

	if (!isUint(headerSize, 0xffff) || headerSize < IMAGE_HEADER_SIZE) fail("bad-option", `--header-size must be ${IMAGE_HEADER_SIZE}..65535, not ${headerSize}`);
	if (![1, 2, 4, 8, 16, 32].includes(align)) fail("bad-option", `--align must be 1, 2, 4, 8, 16 or 32, not ${align}`);
	if (![8, 16, 32].includes(maxAlign) || maxAlign < align) fail("bad-option", `--max-align must be 8, 16 or 32 and at least --align`);
	if (!isUint(slotSize, 0xffffffff)) fail("bad-option", `--slot-size out of range: ${slotSize}`);
	if (!isUint(maxSectors, 0xffff) || maxSectors === 0) fail("bad-option", `--max-sectors out of range: ${maxSectors}`);
	if (!isUint(options.loadAddress ?? 0, 0xffffffff)) fail("bad-option", `--load-addr out of range`);
	parseImageVersion(formatImageVersion(version)); // range check

	let securityCounter: number | undefined;
	if (options.securityCounter === "auto") securityCounter = version.major * 2 ** 24 + version.minor * 2 ** 16 + version.revision;
	else securityCounter = options.securityCounter;
	if (securityCounter !== undefined && !isUint(securityCounter, 0xffffffff)) fail("bad-option", `--security-counter must fit 32 bits`);

	// image.py load(): --pad-header prepends header-size erased bytes; otherwise the input
	// must already start with header-size zero bytes (check_header).
	let payload: Uint8Array;
	if (options.padHeader === true) {
		payload = concatBytes(new Uint8Array(headerSize).fill(erasedValue), firmware);
	} else {
		if (firmware.length < headerSize || firmware.subarray(0, headerSize).some((byte) => byte !== 0)) {
			fail("bad-option", "header padding was not requested and the input does not start with --header-size zero bytes");
		}
		payload = firmware.slice();
	}
	const imageSize = payload.length - headerSize;
	if (imageSize > 0xffffffff) fail("too-large", "body exceeds 4 GiB");

	const protectedArea = encodeTlvArea(
		TLV_PROT_INFO_MAGIC,
		securityCounter === undefined ? [] : [encodeTlv(TlvType.securityCounter, u32(securityCounter))],
	);

	let flags = 0;
	if ((options.loadAddress ?? 0) !== 0) flags |= ImageFlag.ramLoad;
	const header = new DataView(payload.buffer, payload.byteOffset, IMAGE_HEADER_SIZE);
	header.setUint32(0, IMAGE_MAGIC, true);
	header.setUint32(4, options.loadAddress ?? 0, true);
	header.setUint16(8, headerSize, true);
	header.setUint16(10, protectedArea.length, true);
	header.setUint32(12, imageSize, true);
	header.setUint32(16, flags, true);
	header.setUint8(20, version.major);
	header.setUint8(21, version.minor);
	header.setUint16(22, version.revision, true);
	header.setUint32(24, version.build, true);
	header.setUint32(28, 0, true);

	const hashedRegion = concatBytes(payload, protectedArea);
	const digest = sha256(hashedRegion);
	const entries = [encodeTlv(TlvType.sha256, digest)];
	if (key !== undefined) {
		entries.push(encodeTlv(TlvType.keyHash, sha256(key.publicKeyInfo)));
		entries.push(encodeTlv(signatureTlvType(key.algorithm), key.sign({ hashedRegion, digest })));
	}
	const image = concatBytes(hashedRegion, encodeTlvArea(TLV_INFO_MAGIC, entries));

	// image.py check_trailer(): the image and the trailer must fit the slot, padded or not.
	const trailer = trailerSize(align, maxAlign, maxSectors, options.overwriteOnly === true);
	if (image.length + trailer > slotSize) {
		fail("too-large", `image size (0x${image.length.toString(16)}) + trailer (0x${trailer.toString(16)}) exceeds requested size 0x${slotSize.toString(16)}`);
	}
	if (!pad) return image;

	// image.py pad_to(): erased fill, the trailer erased except the boot magic at the very end
	// and, with --confirm, image_ok = 0x01 one max-align unit before the aligned magic.
	const slot = new Uint8Array(slotSize).fill(erasedValue);
	slot.set(image, 0);
	const magic = bootMagic(maxAlign);
	slot.set(magic, slotSize - magic.length);
	if (options.confirm === true && options.overwriteOnly !== true) {
		slot[slotSize - (alignUp(BOOT_MAGIC_SIZE, maxAlign) + maxAlign)] = 0x01;
	}
	return slot;
}

function signatureTlvType(algorithm: ImageKeyAlgorithm): number {
	return algorithm === "ed25519" ? TlvType.ed25519Signature : TlvType.ecdsaSignature;
}

function readTlvArea(image: Uint8Array, offset: number, magic: number, expectedSize: number | undefined): { tlvs: ImageTlv[]; end: number } {
	const areaName = magic === TLV_PROT_INFO_MAGIC ? "protected TLV area" : "TLV area";
	if (offset + TLV_INFO_SIZE > image.length) fail("truncated", `image ends before its ${areaName} at 0x${offset.toString(16)}`);
	const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
	const foundMagic = view.getUint16(offset, true);
	const total = view.getUint16(offset + 2, true);
	if (foundMagic !== magic) fail("bad-tlv", `${areaName} at 0x${offset.toString(16)} has magic 0x${foundMagic.toString(16)}, not 0x${magic.toString(16)}`);
	if (expectedSize !== undefined && total !== expectedSize) fail("bad-tlv", `${areaName} is ${total} bytes but the header says ${expectedSize}`);
	if (total < TLV_INFO_SIZE) fail("bad-tlv", `${areaName} length ${total} is shorter than its info`);
	const end = offset + total;
	if (end > image.length) fail("truncated", `${areaName} runs past the end of the image (0x${end.toString(16)} > 0x${image.length.toString(16)})`);
	const tlvs: ImageTlv[] = [];
	let cursor = offset + TLV_INFO_SIZE;
	while (cursor < end) {
		if (cursor + TLV_HEADER_SIZE > end) fail("bad-tlv", `TLV at 0x${cursor.toString(16)} overruns its area`);
		const type = view.getUint16(cursor, true);
		const length = view.getUint16(cursor + 2, true);
		const valueEnd = cursor + TLV_HEADER_SIZE + length;
		if (valueEnd > end) fail("bad-tlv", `TLV 0x${type.toString(16)} at 0x${cursor.toString(16)} (length ${length}) overruns its area`);
		tlvs.push({ type, offset: cursor, value: image.subarray(cursor + TLV_HEADER_SIZE, valueEnd) });
		cursor = valueEnd;
	}
	return { tlvs, end };
}

function readTrailer(rest: Uint8Array): ImageTrailer | undefined {
	if (rest.length === 0) return undefined;
	if (rest.length >= BOOT_MAGIC_SIZE) {
		const tail = rest.subarray(rest.length - BOOT_MAGIC_SIZE);
		let maxAlign: number | undefined;
		if (constantTimeEqual(tail, BOOT_MAGIC)) maxAlign = DEFAULT_MAX_ALIGN;
		else if (constantTimeEqual(tail.subarray(2), BOOT_MAGIC_ALIGNED_TAIL)) maxAlign = tail[0] | (tail[1] << 8);
		if (maxAlign !== undefined && maxAlign > 0) {
			const imageOkIndex = rest.length - (alignUp(BOOT_MAGIC_SIZE, maxAlign) + maxAlign);
			return imageOkIndex >= 0 ? { length: rest.length, magic: "set", imageOk: rest[imageOkIndex], maxAlign } : { length: rest.length, magic: "set", maxAlign };
		}
	}
	const erased = rest.every((byte) => byte === 0xff) || rest.every((byte) => byte === 0);
	return { length: rest.length, magic: erased ? "erased" : "other" };
}

/**
 * Reads an image's structure: header, protected and unprotected TLV areas, trailer. Checks
 * that every length stays inside the file and the TLV entries tile their areas exactly, as
 * MCUboot's bootutil_tlv_iter does; it does not check the hash (see verifyImage).
 */
export function parseImage(image: Uint8Array): ParsedImage {
	if (image.length < 4) fail("truncated", `${image.length} bytes cannot hold an image header`);
	const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
	const magic = view.getUint32(0, true);
	if (magic !== IMAGE_MAGIC) fail("bad-magic", `image magic is 0x${magic.toString(16).padStart(8, "0")}, not 0x96f3b83d: is this an MCUboot image?`);
	if (image.length < IMAGE_HEADER_SIZE) fail("truncated", `${image.length} bytes cannot hold the 32-byte image header`);
	const header: ImageHeader = {
		magic,
		loadAddress: view.getUint32(4, true),
		headerSize: view.getUint16(8, true),
		protectedTlvSize: view.getUint16(10, true),
		imageSize: view.getUint32(12, true),
		flags: view.getUint32(16, true),
		version: { major: view.getUint8(20), minor: view.getUint8(21), revision: view.getUint16(22, true), build: view.getUint32(24, true) },
	};
	if (header.headerSize < IMAGE_HEADER_SIZE) fail("bad-header", `header size ${header.headerSize} is below ${IMAGE_HEADER_SIZE}`);
	if (header.protectedTlvSize !== 0 && header.protectedTlvSize < TLV_INFO_SIZE) fail("bad-header", `protected TLV size ${header.protectedTlvSize} cannot hold its info`);
	const bodyEnd = header.headerSize + header.imageSize;
	if (bodyEnd > image.length) fail("truncated", `header promises ${header.imageSize} body bytes after a ${header.headerSize}-byte header; the file has ${image.length}`);

	let cursor = bodyEnd;
	let protectedTlvs: ImageTlv[] = [];
	if (header.protectedTlvSize !== 0) {
		const area = readTlvArea(image, cursor, TLV_PROT_INFO_MAGIC, header.protectedTlvSize);
		protectedTlvs = area.tlvs;
		cursor = area.end;
	}
	const hashedEnd = cursor;
	const area = readTlvArea(image, cursor, TLV_INFO_MAGIC, undefined);
	const trailer = readTrailer(image.subarray(area.end));
	return {
		header,
		body: image.subarray(header.headerSize, bodyEnd),
		protectedTlvs,
		tlvs: area.tlvs,
		hashedRegion: image.subarray(0, hashedEnd),
		end: area.end,
		...(trailer === undefined ? {} : { trailer }),
	};
}

function onlyTlv(tlvs: readonly ImageTlv[], type: number, length?: number): ImageTlv | undefined {
	const found = tlvs.filter((tlv) => tlv.type === type);
	if (found.length > 1) fail("bad-tlv", `${tlvName(type)} TLV appears ${found.length} times`);
	const tlv = found[0];
	if (tlv !== undefined && length !== undefined && tlv.value.length !== length) fail("bad-tlv", `${tlvName(type)} TLV is ${tlv.value.length} bytes, not ${length}`);
	return tlv;
}

/**
 * Verifies an image as MCUboot's bootutil_img_validate does: structure, SHA-256 over the
 * hashed region, then — given a key — the key hash (or embedded public key) and the
 * signature. Without a key only the hash is checked (imgtool `verify` without -k).
 * Throws PicketError<ImageErrorCode>; returns the digest imgtool prints.
 */
export function verifyImage(image: Uint8Array, key?: ImageVerifyingKey): ImageVerification {
	const parsed = parseImage(image);
	onlyTlv(parsed.protectedTlvs, TlvType.securityCounter, 4);
	const hashTlv = onlyTlv(parsed.tlvs, TlvType.sha256, 32);
	if (hashTlv === undefined) fail("bad-tlv", "no SHA256 TLV");
	const digest = sha256(parsed.hashedRegion);
	if (!constantTimeEqual(digest, hashTlv.value)) fail("bad-hash", "image has an invalid hash");
	if (key === undefined) return { image: parsed, digest };

	const keyHash = onlyTlv(parsed.tlvs, TlvType.keyHash, 32);
	const publicKey = onlyTlv(parsed.tlvs, TlvType.publicKey);
	if (keyHash === undefined && publicKey === undefined) fail("bad-tlv", "no KEYHASH or PUBKEY TLV names the signing key");
	if (keyHash !== undefined && publicKey !== undefined) fail("bad-tlv", "both KEYHASH and PUBKEY TLVs");
	const keyMatches = keyHash !== undefined ? constantTimeEqual(keyHash.value, sha256(key.publicKeyInfo)) : constantTimeEqual(publicKey!.value, key.publicKeyInfo);
	if (!keyMatches) fail("wrong-key", "the image was signed with another key");

	const ownType = signatureTlvType(key.algorithm);
	const signature = onlyTlv(parsed.tlvs, ownType);
	if (signature === undefined) {
		const otherType = signatureTlvType(key.algorithm === "ed25519" ? "ecdsa-p256" : "ed25519");
		if (parsed.tlvs.some((tlv) => tlv.type === otherType)) fail("wrong-key", `the image carries a ${tlvName(otherType)} signature, the key is ${key.algorithm}`);
		fail("unsigned", `no ${tlvName(ownType)} signature TLV`);
	}
	if (!key.verify({ hashedRegion: parsed.hashedRegion, digest }, signature.value)) fail("bad-signature", `${key.algorithm} signature does not verify`);
	return { image: parsed, digest, signedBy: key.algorithm };
}

export function tlvName(type: number): string {
	return TLV_NAMES[type] ?? `0x${type.toString(16).padStart(2, "0")}`;
}

/** A plain-object view of a parsed image for people (`picket image dump`). */
export function describeImage(parsed: ParsedImage, digest?: Uint8Array): Record<string, unknown> {
	const tlvView = (tlv: ImageTlv) => ({ type: tlvName(tlv.type), offset: tlv.offset, length: tlv.value.length, value: toHex(tlv.value) });
	const flags = Object.entries(ImageFlag)
		.filter(([, bit]) => (parsed.header.flags & bit) !== 0)
		.map(([name]) => name);
	return {
		header: {
			magic: `0x${parsed.header.magic.toString(16)}`,
			loadAddress: `0x${parsed.header.loadAddress.toString(16)}`,
			headerSize: parsed.header.headerSize,
			protectedTlvSize: parsed.header.protectedTlvSize,
			imageSize: parsed.header.imageSize,
			flags: `0x${parsed.header.flags.toString(16)}${flags.length === 0 ? "" : ` (${flags.join(", ")})`}`,
			version: formatImageVersion(parsed.header.version),
		},
		protectedTlvs: parsed.protectedTlvs.map(tlvView),
		tlvs: parsed.tlvs.map(tlvView),
		...(digest === undefined ? {} : { digest: toHex(digest) }),
		...(parsed.trailer === undefined ? {} : { trailer: parsed.trailer }),
	};
}

/**
 * The ECDSASIG TLV's DER `SEQUENCE { INTEGER r, INTEGER s }` as the 64-byte r ‖ s that
 * PSA's psa_verify_hash (and CryptoSuite.ecdsaP256Verify) take: how a device checks an
 * image with the native provider. Strict DER (minimal lengths and integers); "bad-signature"
 * otherwise.
 */
export function ecdsaP256SignatureToRaw(der: Uint8Array): Uint8Array {
	const bad = (why: string): never => fail("bad-signature", `ECDSA signature is not DER: ${why}`);
	if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || der[1] >= 0x80) bad("SEQUENCE header");
	const raw = new Uint8Array(64);
	let cursor = 2;
	for (const half of [0, 32]) {
		if (der[cursor] !== 0x02) bad("INTEGER tag");
		const length = der[cursor + 1] ?? 0;
		const start = cursor + 2;
		if (length === 0 || length > 33 || start + length > der.length) bad("INTEGER length");
		const integer = der.subarray(start, start + length);
		if (integer[0]! & 0x80) bad("negative INTEGER");
		if (length > 1 && integer[0] === 0 && !(integer[1]! & 0x80)) bad("non-minimal INTEGER");
		const value = integer[0] === 0 ? integer.subarray(1) : integer;
		if (value.length > 32) bad("INTEGER wider than 256 bits");
		raw.set(value, half + 32 - value.length);
		cursor = start + length;
	}
	if (cursor !== der.length) bad("trailing bytes");
	return raw;
}
