/**
 * The last check before a board marks a received image bootable: the image in the slot, read
 * back from flash (what will boot, not what was received), must be the MCUboot image the offer
 * announced and signed by the pinned update key. In order, cheapest first:
 *
 *   1. SHA-256 of the whole file = the offer's image digest            → "bad-image-hash"
 *   2. header: MCUboot magic, sizes that add up to the file's length   → "bad-magic", "truncated", "bad-header"
 *   3. header version = the offer's version                            → "offer-mismatch"
 *   4. protected TLVs: one SEC_CNT = the offer's security counter      → "offer-mismatch", "bad-tlv"
 *   5. unprotected TLVs: only MCUboot's allow list; one SHA256 over
 *      header ‖ body ‖ protected TLVs, recomputed from flash            → "bad-tlv", "bad-hash"
 *   6. KEYHASH = SHA-256 of the anchor's SubjectPublicKeyInfo           → "wrong-key"
 *   7. ECDSASIG (strict DER, imgtool's --pad-sig zeros allowed) verifies
 *      over that digest with the anchor                                 → "bad-signature"
 *
 * ECDSA P-256 with SHA-256 only: what the native PSA suite verifies on the ESP32 (Ed25519
 * images are for MCUboot targets, README "Signing firmware"). The security counter against the
 * board's own floor is the installer's check (update-installer.ts), made before and after.
 */
import { constantTimeEqual } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { ecdsaP256SignatureToRaw, p256PublicKeyInfo } from "picket/update/ecdsa-signature";
import type { FirmwareSlot } from "picket/update/firmware-slot";
import {
	ALLOWED_UNPROTECTED_TLVS,
	IMAGE_HEADER_SIZE,
	onlyTlv,
	parseImageHeader,
	readTlvArea,
	TLV_INFO_MAGIC,
	TLV_INFO_SIZE,
	TLV_PROT_INFO_MAGIC,
	TlvType,
	type ImageStructureErrorCode,
	type ImageVersion,
} from "picket/update/mcuboot-structure";
import { compareVersions, type UpdateOffer } from "picket/update/update-offer";

export type ImageAcceptanceErrorCode =
	| ImageStructureErrorCode
	| "bad-image-hash" // the file differs from the one the offer announced
	| "offer-mismatch" // the header's version or SEC_CNT is not the offer's
	| "bad-hash" // the SHA256 TLV does not match header ‖ body ‖ protected TLVs
	| "wrong-key" // KEYHASH names another key than the pinned anchor
	| "unsigned" // no ECDSASIG TLV
	| "bad-signature"; // the signature does not verify

/** Flash is read in pieces this long: a board never holds the image. */
const READ_PIECE = 4096;

function fail(code: ImageAcceptanceErrorCode, message: string): never {
	throw new PicketError<ImageAcceptanceErrorCode>(code, message);
}

/** SHA-256 of slot bytes [0, length), read piece by piece. */
export function hashSlot(crypto: CryptoSuite, slot: FirmwareSlot, length: number): Uint8Array {
	const stream = crypto.sha256Stream();
	try {
		for (let offset = 0; offset < length; offset += READ_PIECE) stream.update(slot.read(offset, Math.min(READ_PIECE, length - offset)));
	} catch (error) {
		stream.abort();
		throw error;
	}
	return stream.digest();
}

export interface AcceptedImage {
	readonly version: ImageVersion;
	readonly securityCounter: number;
	readonly digest: Uint8Array;
}

/** Checks the image of `offer.imageLength` bytes at the start of `slot` (the table above). */
export function acceptImage(crypto: CryptoSuite, slot: FirmwareSlot, offer: UpdateOffer, anchor: Uint8Array): AcceptedImage {
	const length = offer.imageLength;
	if (!constantTimeEqual(hashSlot(crypto, slot, length), offer.imageDigest)) fail("bad-image-hash", "the image in the slot is not the one the offer announced");

	const header = parseImageHeader(slot.read(0, IMAGE_HEADER_SIZE));
	const protectedStart = header.headerSize + header.imageSize;
	if (protectedStart + header.protectedTlvSize + TLV_INFO_SIZE > length) fail("truncated", `header promises ${protectedStart} bytes before its TLVs; the image has ${length}`);
	if (compareVersions(header.version, offer.version) !== 0) fail("offer-mismatch", "the header's version is not the offer's");

	// The TLV areas are small (a few hundred bytes): read them from flash in one piece.
	const tail = slot.read(protectedStart, length - protectedStart);
	let cursor = 0;
	let protectedTlvs: ReturnType<typeof readTlvArea>["tlvs"] = [];
	if (header.protectedTlvSize !== 0) {
		const area = readTlvArea(tail, 0, TLV_PROT_INFO_MAGIC, header.protectedTlvSize);
		protectedTlvs = area.tlvs;
		cursor = area.end;
	}
	const unprotected = readTlvArea(tail, cursor, TLV_INFO_MAGIC, undefined);
	if (unprotected.end !== tail.length) fail("bad-tlv", `${tail.length - unprotected.end} bytes after the TLV area`);
	const counter = onlyTlv(protectedTlvs, TlvType.securityCounter, 4, "SEC_CNT");
	if (counter === undefined) fail("bad-tlv", "no SEC_CNT TLV: a board accepts only images with a security counter");
	const securityCounter = (counter.value[0] | (counter.value[1] << 8) | (counter.value[2] << 16) | (counter.value[3] << 24)) >>> 0;
	if (securityCounter !== offer.securityCounter) fail("offer-mismatch", `SEC_CNT ${securityCounter} is not the offer's ${offer.securityCounter}`);
	const stray = unprotected.tlvs.find((tlv) => !ALLOWED_UNPROTECTED_TLVS.has(tlv.type));
	if (stray !== undefined) fail("bad-tlv", `TLV 0x${stray.type.toString(16)} is not allowed outside the protected area`);

	const hashTlv = onlyTlv(unprotected.tlvs, TlvType.sha256, 32, "SHA256");
	if (hashTlv === undefined) fail("bad-tlv", "no SHA256 TLV: a board checks SHA-256 images signed with ECDSA P-256");
	const digest = hashSlot(crypto, slot, protectedStart + header.protectedTlvSize);
	if (!constantTimeEqual(digest, hashTlv.value)) fail("bad-hash", "the SHA256 TLV does not match the image");

	const keyHash = onlyTlv(unprotected.tlvs, TlvType.keyHash, 32, "KEYHASH");
	if (keyHash === undefined || !constantTimeEqual(keyHash.value, crypto.sha256(p256PublicKeyInfo(anchor)))) fail("wrong-key", "the image names another signing key than the pinned update key");
	const signature = onlyTlv(unprotected.tlvs, TlvType.ecdsaSignature, undefined, "ECDSASIG");
	if (signature === undefined) fail("unsigned", "no ECDSASIG TLV");
	if (!crypto.ecdsaP256VerifyDigest(anchor, digest, ecdsaP256SignatureToRaw(signature.value))) fail("bad-signature", "the image's signature does not verify with the pinned update key");
	return { version: header.version, securityCounter, digest };
}
