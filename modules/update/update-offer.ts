/**
 * An update offer: what a seeder (the command post through the gateway, or any board that
 * holds the image) broadcasts to start a rollout, signed by the domain's update key. A board
 * checks it against the update anchor pinned at provisioning (update-anchor.ts) before it
 * spends a byte of flash or airtime on the image, and refuses an older one (security counter
 * or version) at once; the image itself is checked again, MCUboot TLVs and all, before it is
 * marked bootable (image-acceptance.ts).
 *
 * | bytes | field            | content                                                        |
 * |-------|------------------|----------------------------------------------------------------|
 * | 1     | format           | 1                                                              |
 * | 4     | rollout          | u32 the seeder picks; chunk and status frames name it          |
 * | 8     | version          | the image header's: u8 major, u8 minor, u16 revision, u32 build |
 * | 4     | security counter | u32, the image's SEC_CNT TLV                                   |
 * | 4     | image length     | u32 bytes of the signed image file (header … TLV area)         |
 * | 1     | chunk length     | image bytes per chunk frame (16 … 224)                         |
 * | 1     | page shift       | log2 of the page size (12 … 16: 4 KiB … 64 KiB, flash sectors) |
 * | 32    | image digest     | SHA-256 of the image file                                      |
 * | 32    | page table digest| SHA-256 of the page table (page-table.ts)                      |
 * | 64    | signature        | ECDSA P-256 r ‖ s over SHA-256 of the 87 bytes above           |
 *
 * All integers big-endian (Picket's own layouts; the image inside keeps MCUboot's).
 */
import { readU16, readU32, writeU16, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import type { ImageVersion } from "picket/update/mcuboot-structure";

export const OFFER_FORMAT = 1;
export const OFFER_SIGNED_LENGTH = 87;
export const OFFER_LENGTH = OFFER_SIGNED_LENGTH + 64;
export const CHUNK_LENGTH_MIN = 16;
export const CHUNK_LENGTH_MAX = 224;
export const PAGE_SHIFT_MIN = 12;
export const PAGE_SHIFT_MAX = 16;

export type UpdateOfferErrorCode =
	| "bad-offer" // wrong length, format or a field out of range
	| "bad-offer-signature"; // not signed by the pinned update key

export interface UpdateOffer {
	readonly rollout: number;
	readonly version: ImageVersion;
	readonly securityCounter: number;
	readonly imageLength: number;
	readonly chunkLength: number;
	readonly pageShift: number;
	readonly imageDigest: Uint8Array;
	readonly pageTableDigest: Uint8Array;
}

function fail(code: UpdateOfferErrorCode, message: string): never {
	throw new PicketError<UpdateOfferErrorCode>(code, message);
}

function checkFields(offer: UpdateOffer): void {
	if (offer.chunkLength < CHUNK_LENGTH_MIN || offer.chunkLength > CHUNK_LENGTH_MAX) fail("bad-offer", `chunk length ${offer.chunkLength} is outside ${CHUNK_LENGTH_MIN}..${CHUNK_LENGTH_MAX}`);
	if (offer.pageShift < PAGE_SHIFT_MIN || offer.pageShift > PAGE_SHIFT_MAX) fail("bad-offer", `page shift ${offer.pageShift} is outside ${PAGE_SHIFT_MIN}..${PAGE_SHIFT_MAX}`);
	if (offer.imageLength < 32) fail("bad-offer", `an image of ${offer.imageLength} bytes cannot hold its header`);
	if (offer.imageDigest.length !== 32 || offer.pageTableDigest.length !== 32) fail("bad-offer", "digests are SHA-256, 32 bytes");
}

/** The 87 signed bytes of `offer`. */
export function encodeOfferBody(offer: UpdateOffer): Uint8Array {
	checkFields(offer);
	const body = new Uint8Array(OFFER_SIGNED_LENGTH);
	body[0] = OFFER_FORMAT;
	writeU32(body, 1, offer.rollout >>> 0);
	body[5] = offer.version.major;
	body[6] = offer.version.minor;
	writeU16(body, 7, offer.version.revision);
	writeU32(body, 9, offer.version.build);
	writeU32(body, 13, offer.securityCounter >>> 0);
	writeU32(body, 17, offer.imageLength >>> 0);
	body[21] = offer.chunkLength;
	body[22] = offer.pageShift;
	body.set(offer.imageDigest, 23);
	body.set(offer.pageTableDigest, 55);
	return body;
}

/** The signed offer: body ‖ signature (r ‖ s over SHA-256 of the body, from the update key's signer). */
export function encodeSignedOffer(offer: UpdateOffer, sign: (message: Uint8Array) => Uint8Array): Uint8Array {
	const body = encodeOfferBody(offer);
	const signature = sign(body);
	if (signature.length !== 64) fail("bad-offer", "the update key's signature must be r ‖ s, 64 bytes");
	const signed = new Uint8Array(OFFER_LENGTH);
	signed.set(body);
	signed.set(signature, OFFER_SIGNED_LENGTH);
	return signed;
}

/** Decodes a signed offer without checking its signature (see verifyOffer). */
export function decodeOffer(bytes: Uint8Array): UpdateOffer {
	if (bytes.length !== OFFER_LENGTH) fail("bad-offer", `an offer is ${OFFER_LENGTH} bytes, not ${bytes.length}`);
	if (bytes[0] !== OFFER_FORMAT) fail("bad-offer", `offer format ${bytes[0]} is not ${OFFER_FORMAT}`);
	const offer: UpdateOffer = {
		rollout: readU32(bytes, 1),
		version: { major: bytes[5], minor: bytes[6], revision: readU16(bytes, 7), build: readU32(bytes, 9) },
		securityCounter: readU32(bytes, 13),
		imageLength: readU32(bytes, 17),
		chunkLength: bytes[21],
		pageShift: bytes[22],
		imageDigest: bytes.slice(23, 55),
		pageTableDigest: bytes.slice(55, 87),
	};
	checkFields(offer);
	return offer;
}

/** The offer, once its signature verifies under `updateKey` (SEC1 P-256); "bad-offer-signature" otherwise. */
export function verifyOffer(crypto: CryptoSuite, updateKey: Uint8Array, bytes: Uint8Array): UpdateOffer {
	const offer = decodeOffer(bytes);
	const body = bytes.subarray(0, OFFER_SIGNED_LENGTH);
	if (!crypto.ecdsaP256Verify(updateKey, body, bytes.subarray(OFFER_SIGNED_LENGTH))) fail("bad-offer-signature", "the offer is not signed by the pinned update key");
	return offer;
}

/** −1, 0 or 1 as version `a` is older than, equal to or newer than `b` (major, minor, revision, build). */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
	const fields: (keyof ImageVersion)[] = ["major", "minor", "revision", "build"];
	for (const field of fields) {
		if (a[field] !== b[field]) return a[field] < b[field] ? -1 : 1;
	}
	return 0;
}
