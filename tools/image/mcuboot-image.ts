/**
 * The MCUboot image format, as imgtool 2.4.0 writes it (mcu-tools/mcuboot
 * `scripts/imgtool/image.py`, `docs/design.md` "Image Format"). Builds, parses and verifies
 * images; the signature algorithms themselves come in through `ImageSigningKey` /
 * `ImageVerifyingKey` (tools/image/image-keys.ts over node:crypto). The header and TLV area
 * parsers are the board's own (modules/update/mcuboot-structure.ts), so the tool and the
 * device read an image with the same code.
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
 * Unprotected TLVs in imgtool's order (image.py `create`): the hash TLV (SHA256, or SHA384 /
 * SHA512 with `--sha`), SIG_PURE = 0x01 (`--pure`), KEYHASH or PUBKEY
 * (`--public-key-format hash|full`), the signature, then an encryption key TLV (`-E`).
 * The hash TLV covers bytes [0, hdr+img+prot): header, padding, body, protected TLVs — the
 * plaintext body when the image is encrypted (the hash is taken before `-E` encrypts it).
 * KEYHASH is the image's hash algorithm over the signing key's SubjectPublicKeyInfo DER — for
 * ECDSA and Ed25519 alike (`get_public_bytes()`); MCUboot's bootutil_find_key hashes with the
 * same IMAGE_HASH algorithm.
 *
 * What each signature covers (image.py `create`, keys/*.py):
 *
 * | key         | image            | signed message                          | TLV value        |
 * |-------------|------------------|-----------------------------------------|------------------|
 * | Ed25519     | hash TLV         | the digest (32 or 64 bytes), `sign_digest` | 64 bytes      |
 * | Ed25519     | SIG_PURE (--pure)| the hashed region itself; hash TLV SHA512 | 64 bytes       |
 * | ECDSA P-256 | any hash TLV     | ECDSA-SHA256 over the hashed region, `sign(payload)` | DER, or DER + zeros to 72 (--pad-sig) |
 */
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, constantTimeEqual, toHex } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { ecdsaP256SignatureToRaw, padEcdsaP256Signature } from "picket/update/ecdsa-signature";
import {
	ALLOWED_UNPROTECTED_TLVS,
	IMAGE_HEADER_SIZE,
	IMAGE_MAGIC,
	onlyTlv as onlyNamedTlv,
	parseImageHeader,
	readTlvArea,
	TLV_HEADER_SIZE,
	TLV_INFO_MAGIC,
	TLV_INFO_SIZE,
	TLV_PROT_INFO_MAGIC,
	TlvType,
	type ImageHeader,
	type ImageStructureErrorCode,
	type ImageTlv,
	type ImageVersion,
} from "picket/update/mcuboot-structure";

export { IMAGE_HEADER_SIZE, IMAGE_MAGIC, TLV_INFO_MAGIC, TLV_PROT_INFO_MAGIC, TlvType, type ImageHeader, type ImageTlv, type ImageVersion };

export type ImageErrorCode =
	| ImageStructureErrorCode // bad-magic, bad-header, truncated, bad-tlv (modules/update/mcuboot-structure.ts)
	| "bad-hash" // the hash TLV does not match the hashed region
	| "encrypted" // the body is encrypted (-E): its hash covers the plaintext, which needs the decryption key
	| "unverifiable" // a pure image without a hash TLV checked without a key: nothing can vouch for it
	| "wrong-key" // the image was signed by another key (key hash / key type differ)
	| "unsigned" // no signature TLV at all
	| "bad-signature" // the signature TLV does not verify
	| "bad-option" // sign options imgtool would refuse
	| "too-large"; // image plus trailer exceed --slot-size

export type ImageError = PicketError<ImageErrorCode>;

const DEFAULT_MAX_SECTORS = 128;
const DEFAULT_MAX_ALIGN = 8;
const BOOT_MAGIC_SIZE = 16;

/** Every name in image.py TLV_VALUES, for dump. */
const TLV_NAMES: Record<number, string> = {
	0x01: "KEYHASH",
	0x02: "PUBKEY",
	0x10: "SHA256",
	0x11: "SHA384",
	0x12: "SHA512",
	0x20: "RSA2048",
	0x21: "ECDSA224",
	0x22: "ECDSASIG",
	0x23: "RSA3072",
	0x24: "ED25519",
	0x25: "SIG_PURE",
	0x30: "ENCRSA2048",
	0x31: "ENCKW",
	0x32: "ENCEC256",
	0x33: "ENCX25519",
	0x34: "ENCX25519_SHA512",
	0x40: "DEPENDENCY",
	0x50: "SEC_CNT",
	0x60: "BOOT_RECORD",
	0x70: "DECOMP_SIZE",
	0x71: "DECOMP_SHA",
	0x72: "DECOMP_SIGNATURE",
	0x73: "COMP_DEC_SIZE",
	0x74: "UUID_VID",
	0x75: "UUID_CID",
};

/** ENCRSA2048 … ENCX25519_SHA512: imgtool writes one only with an ENCRYPTED_AES* flag (image.py:813 add_header). */
const ENCRYPTION_KEY_TLVS: ReadonlySet<number> = new Set([0x30, 0x31, 0x32, 0x33, 0x34]);

/** Header flags (image.py IMAGE_F). */
export const ImageFlag = {
	pic: 0x01,
	encryptedAes128: 0x04,
	encryptedAes256: 0x08,
	nonBootable: 0x10,
	ramLoad: 0x20,
	romFixed: 0x100,
	compressedLzma1: 0x200,
	compressedLzma2: 0x400,
	compressedArmThumb: 0x800,
} as const;

/** The hash TLVs (image.py TLV_SHA_TO_SHA_AND_ALG) and imgtool's `--sha` names for them. */
export type ImageHashAlgorithm = "sha256" | "sha384" | "sha512";

const HASHES: Record<ImageHashAlgorithm, { readonly tlv: number; readonly length: number; readonly hash: (bytes: Uint8Array) => Uint8Array }> = {
	sha256: { tlv: TlvType.sha256, length: 32, hash: (bytes) => sha256(bytes) },
	sha384: { tlv: TlvType.sha384, length: 48, hash: (bytes) => sha384(bytes) },
	sha512: { tlv: TlvType.sha512, length: 64, hash: (bytes) => sha512(bytes) },
};
const HASH_ALGORITHMS = Object.keys(HASHES) as ImageHashAlgorithm[];

/** SHA-256, -384 or -512 of `bytes`, as the image's hash TLV and KEYHASH take it. */
export function imageHash(algorithm: ImageHashAlgorithm, bytes: Uint8Array): Uint8Array {
	return HASHES[algorithm].hash(bytes);
}

/** The boot magic at the very end of a padded slot when max-align is 8 (image.py). */
const BOOT_MAGIC = Uint8Array.from([0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80]);
/** The last 14 bytes of the boot magic for max-align 16/32, after a u16 max-align. */
const BOOT_MAGIC_ALIGNED_TAIL = Uint8Array.from([0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a]);

export type ImageKeyAlgorithm = "ed25519" | "ecdsa-p256";

/**
 * A signature scheme over a message; the codec decides the message (the table above).
 * Ed25519 signs the message as given; ECDSA P-256 signs SHA-256 of it. ECDSA signatures
 * come out DER-encoded (the TLV's format) and go in as r ‖ s, 64 bytes (what PSA's
 * psa_verify_hash and CryptoSuite.ecdsaP256Verify take): the codec converts the TLV with
 * ecdsaP256SignatureToRaw, so host and device accept exactly the same encodings.
 */
export interface ImageVerifyingKey {
	readonly algorithm: ImageKeyAlgorithm;
	/** SubjectPublicKeyInfo DER: what the KEYHASH TLV hashes and the PUBKEY TLV carries. */
	readonly publicKeyInfo: Uint8Array;
	verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface ImageSigningKey extends ImageVerifyingKey {
	sign(message: Uint8Array): Uint8Array;
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
	readonly hashAlgorithm?: ImageHashAlgorithm; // --sha 256|384|512 (default "auto": SHA-256, SHA-512 for --pure)
	readonly pure?: boolean; // --pure (Ed25519 signs the hashed region itself)
	readonly publicKeyFormat?: "hash" | "full"; // --public-key-format (default hash: KEYHASH; full: PUBKEY)
	readonly padSignature?: boolean; // --pad-sig (ECDSA DER zero-padded to 72 bytes; no effect on Ed25519)
}

/** Bytes to write at an offset of the slot: the trailer that --pad / --confirm / --test add. */
export interface SlotWrite {
	readonly offset: number;
	readonly bytes: Uint8Array;
}

/** What `sign` produces before it is laid out as a binary or an Intel HEX file. */
export interface SignedImage {
	/** Header, body, protected and unprotected TLV areas: the start of the slot. */
	readonly image: Uint8Array;
	/** With --pad / --confirm / --test: the slot, erased except for the image and these trailer writes. */
	readonly slot?: { readonly size: number; readonly erasedValue: number; readonly trailer: readonly SlotWrite[] };
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

/** What the hash TLV says about an image, as far as it can be checked. */
export type ImageHashCheck =
	| { readonly status: "valid"; readonly algorithm: ImageHashAlgorithm; readonly digest: Uint8Array }
	/** The body is encrypted; the hash covers the plaintext (imgtool dumpinfo shows such images unchecked). */
	| { readonly status: "encrypted"; readonly algorithm: ImageHashAlgorithm }
	/** A pure image (SIG_PURE) without a hash TLV: only the signature vouches for it. */
	| { readonly status: "absent" };

export interface ImageVerification {
	readonly image: ParsedImage;
	/** The hash TLV's digest (what imgtool verify prints); undefined for a pure image without one. */
	readonly digest?: Uint8Array;
	readonly hashAlgorithm?: ImageHashAlgorithm;
	/** SIG_PURE: the signature covers the hashed region itself. */
	readonly pure: boolean;
	/** The algorithm whose signature verified, or undefined when only the hash was checked (no key). */
	readonly signedBy?: ImageKeyAlgorithm;
	/** The signature TLV's value, when one verified. */
	readonly signature?: Uint8Array;
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
 * The hash algorithm imgtool picks (image.py `key_and_user_sha_to_alg_and_tlv`): any with no
 * key; Ed25519 SHA-256 or SHA-512; ECDSA P-256 (a private key, as sign loads) SHA-256 only;
 * --pure only with Ed25519, always SHA-512, and no --sha of its own.
 */
function signingHashAlgorithm(options: ImageSignOptions, key: ImageSigningKey | undefined): ImageHashAlgorithm {
	const chosen = options.hashAlgorithm;
	if (options.pure === true) {
		if (key?.algorithm !== "ed25519") fail("bad-option", "--pure signs with an Ed25519 key only (imgtool ALLOWED_PURE_KEY_SHA)");
		if (chosen !== undefined) fail("bad-option", "--pure enforces SHA-512 and forbids --sha");
		return "sha512";
	}
	if (key === undefined) return chosen ?? "sha256";
	const allowed: readonly ImageHashAlgorithm[] = key.algorithm === "ed25519" ? ["sha256", "sha512"] : ["sha256"];
	if (chosen !== undefined && !allowed.includes(chosen)) {
		fail("bad-option", `a ${key.algorithm} key cannot be used with --sha ${chosen.slice(3)}; allowed: ${allowed.map((name) => name.slice(3)).join(", ")}`);
	}
	return chosen ?? "sha256";
}

/**
 * Signs `firmware` into an MCUboot image, byte for byte as `imgtool sign` writes a binary
 * output with the same options (no key: a hash-only image, as imgtool without -k).
 */
export function signImage(firmware: Uint8Array, options: ImageSignOptions, key?: ImageSigningKey): Uint8Array {
	return imageBinary(signImageForSlot(firmware, options, key));
}

/** A signed image as a binary file: the image, or with padding the whole slot (image.py pad_to(): erased fill, then the trailer writes). */
export function imageBinary(signed: SignedImage): Uint8Array {
	if (signed.slot === undefined) return signed.image;
	const slot = new Uint8Array(signed.slot.size).fill(signed.slot.erasedValue);
	slot.set(signed.image, 0);
	for (const write of signed.slot.trailer) slot.set(write.bytes, write.offset);
	return slot;
}

/**
 * The image and, when padding was asked for, the slot trailer as separate writes: a binary
 * output fills the slot between them (signImage); an Intel HEX output leaves the gap out, as
 * image.py `save` does for .hex.
 */
export function signImageForSlot(firmware: Uint8Array, options: ImageSignOptions, key?: ImageSigningKey): SignedImage {
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
	const hashAlgorithm = signingHashAlgorithm(options, key);

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
	const digest = imageHash(hashAlgorithm, hashedRegion);
	const pure = options.pure === true;
	const entries = [encodeTlv(HASHES[hashAlgorithm].tlv, digest)];
	if (pure) entries.push(encodeTlv(TlvType.sigPure, Uint8Array.of(1)));
	if (key !== undefined) {
		if (options.publicKeyFormat === "full") entries.push(encodeTlv(TlvType.publicKey, key.publicKeyInfo));
		else entries.push(encodeTlv(TlvType.keyHash, imageHash(hashAlgorithm, key.publicKeyInfo)));
		let signature = key.sign(signedMessage(key.algorithm, hashedRegion, digest, pure));
		if (options.padSignature === true && key.algorithm === "ecdsa-p256") signature = padEcdsaP256Signature(signature);
		entries.push(encodeTlv(signatureTlvType(key.algorithm), signature));
	}
	const image = concatBytes(hashedRegion, encodeTlvArea(TLV_INFO_MAGIC, entries));

	// image.py check_trailer(): the image and the trailer must fit the slot, padded or not.
	const reserved = trailerSize(align, maxAlign, maxSectors, options.overwriteOnly === true);
	if (image.length + reserved > slotSize) {
		fail("too-large", `image size (0x${image.length.toString(16)}) + trailer (0x${reserved.toString(16)}) exceeds requested size 0x${slotSize.toString(16)}`);
	}
	if (!pad) return { image };

	// image.py save() for .hex (pad_to() for binaries writes the same bytes into an erased
	// slot): with --confirm or --test (not --overwrite-only) a max-align unit at image_ok, one
	// unit before the aligned magic — 0x01 then erased for --confirm, all erased for --test —
	// and the boot magic in the last 16 bytes.
	const trailer: SlotWrite[] = [];
	if ((options.confirm === true || options.test === true) && options.overwriteOnly !== true) {
		const flag = new Uint8Array(maxAlign).fill(erasedValue);
		if (options.confirm === true) flag[0] = 0x01;
		trailer.push({ offset: slotSize - (alignUp(BOOT_MAGIC_SIZE, maxAlign) + maxAlign), bytes: flag });
	}
	const magic = bootMagic(maxAlign);
	trailer.push({ offset: slotSize - magic.length, bytes: magic });
	return { image, slot: { size: slotSize, erasedValue, trailer } };
}

function signatureTlvType(algorithm: ImageKeyAlgorithm): number {
	return algorithm === "ed25519" ? TlvType.ed25519Signature : TlvType.ecdsaSignature;
}

/** The message a key signs (the table at the top): ECDSA hashes the region itself with SHA-256. */
function signedMessage(algorithm: ImageKeyAlgorithm, hashedRegion: Uint8Array, digest: Uint8Array | undefined, pure: boolean): Uint8Array {
	if (algorithm === "ecdsa-p256" || pure) return hashedRegion;
	return digest!;
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
	const header = parseImageHeader(image);
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

/** The board's onlyTlv (mcuboot-structure.ts), with imgtool's TLV names in its messages. */
function onlyTlv(tlvs: readonly ImageTlv[], type: number, length?: number): ImageTlv | undefined {
	return onlyNamedTlv(tlvs, type, length, tlvName(type));
}

function isEncrypted(parsed: ParsedImage): boolean {
	return (parsed.header.flags & (ImageFlag.encryptedAes128 | ImageFlag.encryptedAes256)) !== 0;
}

function tlvsOf(parsed: ParsedImage): readonly ImageTlv[] {
	return [...parsed.protectedTlvs, ...parsed.tlvs];
}

/** SIG_PURE, which MCUboot's bootutil_check_for_pure accepts only as one byte 0x01. */
function isPure(parsed: ParsedImage): boolean {
	const sigPure = onlyTlv(tlvsOf(parsed), TlvType.sigPure);
	if (sigPure === undefined) return false;
	if (sigPure.value.length !== 1 || sigPure.value[0] !== 1) fail("bad-tlv", "SIG_PURE TLV must be the single byte 0x01");
	return true;
}

/**
 * Checks the hash TLV (SHA256, SHA384 or SHA512; at most one) against the hashed region.
 * An encrypted image's hash covers its plaintext, so it is reported, not checked (imgtool
 * dumpinfo shows such images; MCUboot decrypts while it hashes). Throws "bad-tlv" when there
 * is no hash TLV and no SIG_PURE, "bad-hash" when the digest differs.
 */
export function checkImageHash(parsed: ParsedImage): ImageHashCheck {
	const found = HASH_ALGORITHMS.flatMap((algorithm) => {
		const tlv = onlyTlv(parsed.tlvs, HASHES[algorithm].tlv, HASHES[algorithm].length);
		return tlv === undefined ? [] : [{ algorithm, tlv }];
	});
	if (found.length > 1) fail("bad-tlv", `${found.length} hash TLVs (${found.map((entry) => tlvName(HASHES[entry.algorithm].tlv)).join(", ")})`);
	const hash = found[0];
	if (hash === undefined) {
		if (isPure(parsed)) return { status: "absent" };
		fail("bad-tlv", "no SHA256, SHA384 or SHA512 TLV");
	}
	if (isEncrypted(parsed)) return { status: "encrypted", algorithm: hash.algorithm };
	const digest = imageHash(hash.algorithm, parsed.hashedRegion);
	if (!constantTimeEqual(digest, hash.tlv.value)) fail("bad-hash", "image has an invalid hash");
	return { status: "valid", algorithm: hash.algorithm, digest };
}

/**
 * Verifies an image as MCUboot's bootutil_img_validate does: structure, the unprotected TLV
 * allow list, the hash TLV over the hashed region, then — given a key — the key hash (or
 * embedded public key) and the signature, over the digest or, for a SIG_PURE image, over the
 * hashed region itself.
 * Without a key only the hash is checked (imgtool `verify` without -k).
 * Throws PicketError<ImageErrorCode>; returns the digest imgtool prints.
 */
export function verifyImage(image: Uint8Array, key?: ImageVerifyingKey): ImageVerification {
	const parsed = parseImage(image);
	onlyTlv(parsed.protectedTlvs, TlvType.securityCounter, 4);
	const stray = parsed.tlvs.find((tlv) => !ALLOWED_UNPROTECTED_TLVS.has(tlv.type));
	if (stray !== undefined) fail("bad-tlv", `TLV ${tlvName(stray.type)} at 0x${stray.offset.toString(16)} is not allowed outside the protected area`);
	const keyTlv = parsed.tlvs.find((tlv) => ENCRYPTION_KEY_TLVS.has(tlv.type));
	if (keyTlv !== undefined && !isEncrypted(parsed)) fail("bad-tlv", `${tlvName(keyTlv.type)} TLV on an image not flagged encrypted`);
	const hash = checkImageHash(parsed);
	if (hash.status === "encrypted") fail("encrypted", `the body is encrypted and its ${tlvName(HASHES[hash.algorithm].tlv)} covers the plaintext, which only the decryption key gives`);
	const pure = isPure(parsed);
	const checked = hash.status === "valid" ? { digest: hash.digest, hashAlgorithm: hash.algorithm, pure } : { pure };
	if (key === undefined) {
		if (hash.status === "absent") fail("unverifiable", "a pure image without a hash TLV can only be checked with its key (-k)");
		return { image: parsed, ...checked };
	}

	// KEYHASH uses the image's hash algorithm; a pure image is SHA-512 (imgtool ALLOWED_PURE_KEY_SHA).
	const keyHashAlgorithm = hash.status === "valid" ? hash.algorithm : "sha512";
	const keyHash = onlyTlv(parsed.tlvs, TlvType.keyHash, HASHES[keyHashAlgorithm].length);
	const publicKey = onlyTlv(parsed.tlvs, TlvType.publicKey);
	if (keyHash === undefined && publicKey === undefined) fail("bad-tlv", "no KEYHASH or PUBKEY TLV names the signing key");
	if (keyHash !== undefined && publicKey !== undefined) fail("bad-tlv", "both KEYHASH and PUBKEY TLVs");
	const keyMatches =
		keyHash !== undefined ? constantTimeEqual(keyHash.value, imageHash(keyHashAlgorithm, key.publicKeyInfo)) : constantTimeEqual(publicKey!.value, key.publicKeyInfo);
	if (!keyMatches) fail("wrong-key", "the image was signed with another key");

	const ownType = signatureTlvType(key.algorithm);
	const signature = onlyTlv(parsed.tlvs, ownType);
	if (signature === undefined) {
		const otherType = signatureTlvType(key.algorithm === "ed25519" ? "ecdsa-p256" : "ed25519");
		if (parsed.tlvs.some((tlv) => tlv.type === otherType)) fail("wrong-key", `the image carries a ${tlvName(otherType)} signature, the key is ${key.algorithm}`);
		fail("unsigned", `no ${tlvName(ownType)} signature TLV`);
	}
	if (pure && key.algorithm !== "ed25519") fail("wrong-key", "a SIG_PURE image is signed with Ed25519 (imgtool ALLOWED_PURE_SIG_TLVS)");
	// MCUboot's ED25519 verify takes exactly 64 bytes; ECDSA goes through the device's DER parser.
	if (key.algorithm === "ed25519" && signature.value.length !== 64) fail("bad-signature", `ED25519 signature is ${signature.value.length} bytes, not 64`);
	const encoded = key.algorithm === "ecdsa-p256" ? ecdsaP256SignatureToRaw(signature.value) : signature.value;
	const message = signedMessage(key.algorithm, parsed.hashedRegion, checked.digest, pure);
	if (!key.verify(message, encoded)) fail("bad-signature", `${key.algorithm} signature does not verify`);
	return { image: parsed, ...checked, signedBy: key.algorithm, signature: signature.value };
}

export function tlvName(type: number): string {
	return TLV_NAMES[type] ?? `0x${type.toString(16).padStart(2, "0")}`;
}

function describeHash(hash: ImageHashCheck): string {
	if (hash.status === "absent") return "none (pure signature over the image)";
	const name = tlvName(HASHES[hash.algorithm].tlv);
	if (hash.status === "encrypted") return `${name} not checked: the body is encrypted and the hash covers the plaintext`;
	return `${name} valid`;
}

/** A plain-object view of a parsed image for people (`picket image dump`). */
export function describeImage(parsed: ParsedImage, hash?: ImageHashCheck): Record<string, unknown> {
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
		...(hash === undefined ? {} : { hash: describeHash(hash) }),
		...(hash?.status === "valid" ? { digest: toHex(hash.digest) } : {}),
		...(parsed.trailer === undefined ? {} : { trailer: parsed.trailer }),
	};
}
