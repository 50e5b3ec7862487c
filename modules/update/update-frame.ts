/**
 * Update frames on the air: the offer, the chunks, the boards' status and progress reports
 * of a rollout, authenticated under the network key so that relays (which hold only that
 * key) carry them and an outsider can inject nothing. Frame kind 4 (frame-kind.ts), its
 * detail nibble the type.
 *
 * | bytes | offer (type 0)          | chunk (type 1)        | status (type 2)                        |
 * |-------|-------------------------|-----------------------|----------------------------------------|
 * | 1     | byte 0: version, kind 4, type                                                           |
 * | …     | u8 hops from the seeder | u32 rollout           | u32 rollout                            |
 * |       | u16 sender (member id)  |                       |                                        |
 * |       | signed offer (151 B)    | u16 chunk number      | u16 reporter, u16 its server           |
 * |       |                         | chunk bytes (≤ 224)   | u16 base, bitmap of missing chunks from base (≤ 200 B; empty: has all) |
 * | 8     | tag: HMAC-SHA-256 under the update frame key, over every byte before it, first 8 bytes |
 *
 * | bytes | progress (type 3): a board tells the seeder how far it got (rollout-agent.ts)     |
 * |-------|-----------------------------------------------------------------------------------|
 * | 1     | byte 0: version, kind 4, type 3                                                   |
 * | 4     | u32 rollout                                                                       |
 * | 2     | u16 reporter (member id)                                                          |
 * | 1     | u8 state: 1 installed (checked, marked bootable), 2 confirmed (runs it, confirmed) |
 * | 1     | u8 hops left: serving boards pass it on while > 0, one less each time              |
 * | 8     | tag                                                                               |
 *
 * The update frame key is HKDF-SHA-256(network key, salt "", info "picket update frame", 16):
 * its own key, so a tag here can never be passed off as an alert's network tag. HMAC and not
 * CCM: these frames carry nothing secret (the image is signed, not encrypted) and need no
 * nonce. What the tag does not stop, and why it needs not:
 * - a member (the network key holder) can forge any update frame: offers are signed by the
 *   update key, pages checked against the signed page table (update-installer.ts);
 * - a replayed chunk stores nothing twice ("duplicate"), a chunk of another rollout is
 *   ignored, a replayed offer is refused ("not-newer", "downgrade", "refused-rollout");
 * - a replayed status makes a server send chunks again: airtime within its rate limit, no more;
 * - a forged or replayed progress report misinforms the operator's count, never a board: the
 *   post shows progress as reported, and a board's own state is what its heartbeat and its
 *   next offer check say.
 */
import { readU16, readU32, utf8, writeU16, writeU32 } from "picket/core/bytes";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { FrameKind, frameByte0, frameDetail, frameKind, frameVersion, PICKET_VERSION } from "picket/link/frame-kind";
import { OFFER_LENGTH } from "picket/update/update-offer";

export const UPDATE_TAG_LENGTH = 8;
export const STATUS_BITMAP_MAX = 200;

export const enum UpdateFrameType {
	Offer = 0,
	Chunk = 1,
	Status = 2,
	Progress = 3,
}

/** How far a board got with a rollout (progress frames). */
export const enum RolloutProgress {
	Installed = 1,
	Confirmed = 2,
}

export type UpdateFrame =
	| { readonly type: UpdateFrameType.Offer; readonly hops: number; readonly sender: number; readonly offer: Uint8Array }
	| { readonly type: UpdateFrameType.Chunk; readonly rollout: number; readonly index: number; readonly bytes: Uint8Array }
	| { readonly type: UpdateFrameType.Status; readonly rollout: number; readonly reporter: number; readonly server: number; readonly base: number; readonly missing: Uint8Array }
	| { readonly type: UpdateFrameType.Progress; readonly rollout: number; readonly reporter: number; readonly state: RolloutProgress; readonly hopsLeft: number };

export type UpdateFrameRejection = "not-update" | "truncated" | "bad-tag" | "malformed";

/** The key update frames are tagged with, from the epoch's network key. */
export function updateFrameKey(crypto: CryptoSuite, networkKey: Uint8Array): Uint8Array {
	return crypto.hkdfSha256(networkKey, new Uint8Array(0), utf8("picket update frame"), 16);
}

function tag(crypto: CryptoSuite, key: Uint8Array, bytes: Uint8Array): Uint8Array {
	return crypto.hmacSha256(key, bytes).subarray(0, UPDATE_TAG_LENGTH);
}

function sealed(crypto: CryptoSuite, key: Uint8Array, body: Uint8Array): Uint8Array {
	const frame = new Uint8Array(body.length + UPDATE_TAG_LENGTH);
	frame.set(body);
	frame.set(tag(crypto, key, body), body.length);
	return frame;
}

export function encodeUpdateFrame(crypto: CryptoSuite, key: Uint8Array, frame: UpdateFrame): Uint8Array {
	let body: Uint8Array;
	if (frame.type === UpdateFrameType.Offer) {
		body = new Uint8Array(4 + frame.offer.length);
		body[1] = frame.hops;
		writeU16(body, 2, frame.sender);
		body.set(frame.offer, 4);
	} else if (frame.type === UpdateFrameType.Chunk) {
		body = new Uint8Array(7 + frame.bytes.length);
		writeU32(body, 1, frame.rollout);
		writeU16(body, 5, frame.index);
		body.set(frame.bytes, 7);
	} else if (frame.type === UpdateFrameType.Progress) {
		body = new Uint8Array(9);
		writeU32(body, 1, frame.rollout);
		writeU16(body, 5, frame.reporter);
		body[7] = frame.state;
		body[8] = frame.hopsLeft;
	} else {
		body = new Uint8Array(11 + frame.missing.length);
		writeU32(body, 1, frame.rollout);
		writeU16(body, 5, frame.reporter);
		writeU16(body, 7, frame.server);
		writeU16(body, 9, frame.base);
		body.set(frame.missing, 11);
	}
	body[0] = frameByte0(FrameKind.Update, frame.type);
	return sealed(crypto, key, body);
}

/** Decodes and authenticates an update frame; a rejection is a value, never an exception. */
export function decodeUpdateFrame(crypto: CryptoSuite, key: Uint8Array, frame: Uint8Array): { ok: true; frame: UpdateFrame } | { ok: false; reason: UpdateFrameRejection } {
	if (frame.length < 1 + UPDATE_TAG_LENGTH || frameVersion(frame[0]) !== PICKET_VERSION || frameKind(frame[0]) !== FrameKind.Update) return { ok: false, reason: "not-update" };
	const body = frame.subarray(0, frame.length - UPDATE_TAG_LENGTH);
	const type = frameDetail(frame[0]);
	const minimum = type === UpdateFrameType.Offer ? 4 + OFFER_LENGTH : type === UpdateFrameType.Chunk ? 8 : type === UpdateFrameType.Status ? 11 : type === UpdateFrameType.Progress ? 9 : -1;
	if (minimum < 0) return { ok: false, reason: "not-update" };
	const exact = type === UpdateFrameType.Offer || type === UpdateFrameType.Progress;
	if (body.length < minimum || (exact && body.length !== minimum) || (type === UpdateFrameType.Status && body.length > 11 + STATUS_BITMAP_MAX)) {
		return { ok: false, reason: "truncated" };
	}
	const expected = tag(crypto, key, body);
	let difference = 0;
	for (let i = 0; i < UPDATE_TAG_LENGTH; i++) difference |= expected[i] ^ frame[body.length + i];
	if (difference !== 0) return { ok: false, reason: "bad-tag" };
	if (type === UpdateFrameType.Offer) return { ok: true, frame: { type, hops: body[1], sender: readU16(body, 2), offer: body.slice(4) } };
	if (type === UpdateFrameType.Chunk) return { ok: true, frame: { type, rollout: readU32(body, 1), index: readU16(body, 5), bytes: body.slice(7) } };
	if (type === UpdateFrameType.Progress) {
		if (body[7] !== RolloutProgress.Installed && body[7] !== RolloutProgress.Confirmed) return { ok: false, reason: "malformed" };
		return { ok: true, frame: { type, rollout: readU32(body, 1), reporter: readU16(body, 5), state: body[7], hopsLeft: body[8] } };
	}
	return { ok: true, frame: { type: UpdateFrameType.Status, rollout: readU32(body, 1), reporter: readU16(body, 5), server: readU16(body, 7), base: readU16(body, 9), missing: body.slice(11) } };
}
