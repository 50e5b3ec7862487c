/**
 * The operator's side of a rollout (host only): from an image `picket image sign` wrote with
 * the domain's update key (ECDSA P-256), the page table and the signed offer a seeder sends,
 * and the key's point a board pins as its update anchor.
 */
import * as nodeCrypto from "node:crypto";
import { PicketError } from "picket/core/picket-error";
import { parseImage } from "picket/tools/image/mcuboot-image";
import { pageTable } from "picket/update/transfer-plan";
import { encodeSignedOffer, type UpdateOffer } from "picket/update/update-offer";

export interface RolloutPackage {
	readonly offer: UpdateOffer;
	/** The signed offer, as broadcast. */
	readonly offerBytes: Uint8Array;
	readonly image: Uint8Array;
	readonly pageTable: Uint8Array;
}

export interface RolloutOptions {
	readonly rollout: number;
	readonly chunkLength?: number; // default 224
	readonly pageShift?: number; // default 14 (16 KiB pages)
}

function sha256(bytes: Uint8Array): Uint8Array {
	return new Uint8Array(nodeCrypto.createHash("sha256").update(bytes).digest());
}

function privateKey(pem: string): nodeCrypto.KeyObject {
	const key = nodeCrypto.createPrivateKey(pem);
	if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
		throw new PicketError("bad-key", "the update key must be ECDSA P-256 (picket image keygen -t ecdsa-p256)");
	}
	return key;
}

/** The uncompressed SEC1 point of the update key (PEM, private or public): what a board pins. */
export function updateKeyPoint(pem: string): Uint8Array {
	const jwk = nodeCrypto.createPublicKey(pem).export({ format: "jwk" });
	if (jwk.crv !== "P-256" || jwk.x === undefined || jwk.y === undefined) throw new PicketError("bad-key", "the update key must be ECDSA P-256");
	const point = new Uint8Array(65);
	point[0] = 4;
	point.set(Buffer.from(jwk.x, "base64url"), 1);
	point.set(Buffer.from(jwk.y, "base64url"), 33);
	return point;
}

/** The signed offer and page table for `image` (a signed MCUboot image with a SEC_CNT TLV). */
export function packageRollout(image: Uint8Array, keyPem: string, options: RolloutOptions): RolloutPackage {
	const key = privateKey(keyPem);
	const parsed = parseImage(image);
	const counter = parsed.protectedTlvs.find((tlv) => tlv.type === 0x50);
	if (counter === undefined || counter.value.length !== 4) throw new PicketError("bad-image", "the image has no SEC_CNT TLV: sign it with --security-counter");
	const pageShift = options.pageShift ?? 14;
	const table = pageTable(image, pageShift, sha256);
	const offer: UpdateOffer = {
		rollout: options.rollout,
		version: parsed.header.version,
		securityCounter: new DataView(counter.value.buffer, counter.value.byteOffset, 4).getUint32(0, true),
		imageLength: image.length,
		chunkLength: options.chunkLength ?? 224,
		pageShift,
		imageDigest: sha256(image),
		pageTableDigest: sha256(table),
	};
	const offerBytes = encodeSignedOffer(offer, (message) => new Uint8Array(nodeCrypto.sign("sha256", message, { key, dsaEncoding: "ieee-p1363" })));
	return { offer, offerBytes, image, pageTable: table };
}
