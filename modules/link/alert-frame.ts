/**
 * The alert frame: one ESP-NOW v1 frame (≤ 250 B) per alert, and its codec. This module
 * only moves bytes; the two protection layers that fill the tags live in alert-layers.ts.
 *
 * | offset    | size | field           | content                                                          |
 * |-----------|------|-----------------|------------------------------------------------------------------|
 * | 0         | 1    | byte 0          | bits 7..6 version 0, 5..4 kind 0 (alert), 3..0 TTL (frame-kind.ts) |
 * | 1         | 1    | key id          | bits 7..5 epoch mod 8, bits 4..0 group 0..31 (group obfuscated)   |
 * | 2..5      | 4    | source, sequence| u32 big-endian: bits 31..19 source id (13 b), 18..0 sequence (19 b): the extended sequence's low bits (obfuscated) |
 * | 6..6+n−1  | n    | app ciphertext  | payload under the group key (AES-CCM), n = 0..232                |
 * | 6+n..13+n | 8    | app tag         | CCM tag, group key, AD = header with TTL 0                        |
 * | 14+n..17+n| 4    | network tag     | CCM tag, network key, AD = header with TTL 0 ‖ ciphertext ‖ app tag |
 *
 * Overhead = 6 (header) + 8 (app tag) + 4 (network tag) = 18 B; the largest payload is
 * 250 − 18 = 232 B.
 *
 * Why 13/19 bits: 13 bits name 8,192 sources (the simulator runs 5,000 devices). The 19
 * bits are the low bits of a 32-bit *extended* sequence, as IPsec's extended sequence
 * numbers (RFC 4303 §2.2.1) and Bluetooth Mesh's IV index: the high 13 bits are the era
 * (extended >>> 19), which never travels but is in both nonces (alert-layers.ts), and which
 * every receiver infers from the highest sequence it holds for the source (`extendSequence`).
 * 19 bits alone would last a busy PIR 12 days (a 10 s hold-off and 4 repeats: 43,200 frames
 * a day at most; `npm run bench -- link` prints it), not the 182 days once claimed here;
 * the sender's counter simply goes on into the next era, so nothing stops or warns at
 * 2^19, and the whole 2^32 lasts that PIR 272 years of continuous triggering. A new key
 * epoch restarts every counter at 0. The counter's block reservation (64 per reboot at
 * worst) costs nothing that matters against 2^32.
 *
 * Why the epoch's low 3 bits in the key id: receivers hold at most the current and the
 * previous epoch (secure-link.ts); 3 bits tell those apart and let a receiver name a
 * frame from any other epoch "wrong-epoch" instead of failing its tag.
 *
 * Obfuscation (Bluetooth Mesh's network PDU privacy, Mesh Profile 3.8.7.3): on the air, the
 * group bits and bytes 2..5 are XORed with a 37-bit mask that changes with every frame
 * (alert-layers.ts derives it from the privacy key and the frame's last 12 bytes, its
 * "privacy random": app tag ‖ network tag). The tags cover the header in clear, so a
 * changed masked bit or privacy-random bit fails the network tag. What stays readable
 * without keys, and why:
 *
 * | field      | why it stays in clear                                                          |
 * |------------|--------------------------------------------------------------------------------|
 * | byte 0     | version and kind route every frame before any key is chosen; the TTL is rewritten by relays on the way while the mask (from the tags) stays, so masking it would still show each copy's hop count relative to the others |
 * | epoch bits | choose which epoch's privacy key unmasks the rest (receivers hold two epochs)    |
 * | length     | the radio's; the payload is already encrypted                                   |
 *
 * Before obfuscation a listener read 48 header bits; now 11 (byte 0, the epoch bits), and
 * those are the same for every alert of the domain at a given hop.
 *
 * Why the TTL sits in byte 0 and is masked in the tags' associated data: relays decrement
 * it without any key, and no tag has to be recomputed on the way.
 */
import { readU32 } from "picket/core/bytes";
import { FrameKind, PICKET_VERSION, frameByte0, frameDetail, frameKind, frameVersion } from "picket/link/frame-kind";
import { RADIO_FRAME_MAX } from "picket/device/radio";
import { MAX_GROUP } from "picket/link/key-schedule";
import { PicketError } from "picket/core/picket-error";

export const ALERT_HEADER_LENGTH = 6;
export const ALERT_APP_TAG_LENGTH = 8;
export const ALERT_NETWORK_TAG_LENGTH = 4;
/** All header and tag bytes of one alert. */
export const ALERT_OVERHEAD = ALERT_HEADER_LENGTH + ALERT_APP_TAG_LENGTH + ALERT_NETWORK_TAG_LENGTH;
export const ALERT_FRAME_MAX = RADIO_FRAME_MAX;
export const ALERT_PAYLOAD_MAX = ALERT_FRAME_MAX - ALERT_OVERHEAD;

export const SOURCE_BITS = 13;
export const SEQUENCE_BITS = 19;
export const MAX_SOURCE_ID = (1 << SOURCE_BITS) - 1;
export const MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
/** The sender's counter: era (13 bits, never sent) ‖ the sequence on the air (19 bits); the last era is left unused so that the counter's stored limit fits 32 bits. */
export const MAX_EXTENDED_SEQUENCE = 0xfff7ffff;
const SEQUENCE_SPACE = MAX_SEQUENCE + 1;

/**
 * The extended sequence a frame's 19 bits stand for, given the highest extended sequence
 * held for its source (`reference`; undefined: none, era 0): the value with those low bits
 * nearest to the reference (RFC 4303 Appendix A's inference, with a half-space of 2^18). A
 * frame just past an era boundary is therefore read in the next era, a late copy from just
 * before it in the previous one.
 */
export function extendSequence(sequence: number, reference: number | undefined): number {
	if (reference === undefined) return sequence;
	const half = SEQUENCE_SPACE / 2;
	let extended = reference - (reference % SEQUENCE_SPACE) + sequence;
	if (extended + half < reference && extended + SEQUENCE_SPACE <= MAX_EXTENDED_SEQUENCE) extended += SEQUENCE_SPACE;
	else if (extended > reference + half && extended >= SEQUENCE_SPACE) extended -= SEQUENCE_SPACE;
	return extended;
}
export const EPOCH_BITS_IN_KEY_ID = 3;
export const EPOCH_KEY_ID_MASK = (1 << EPOCH_BITS_IN_KEY_ID) - 1;
export const MAX_TTL = 15;

/** The header bytes the obfuscation mask covers: the key id (group bits only) and bytes 2..5. */
export const OBFUSCATED_OFFSET = 1;
export const OBFUSCATED_LENGTH = 5;
/** Which bits of the key id are obfuscated: the group's; the epoch bits stay readable. */
const OBFUSCATED_KEY_ID_BITS = MAX_GROUP;
/** The frame's last bytes, app tag ‖ network tag: already on the air and different in every frame. */
export const PRIVACY_RANDOM_LENGTH = ALERT_APP_TAG_LENGTH + ALERT_NETWORK_TAG_LENGTH;

/** The bytes the obfuscation mask is derived from: the frame's app tag ‖ network tag (a view). */
export function privacyRandom(frame: Uint8Array): Uint8Array {
	return frame.subarray(frame.length - PRIVACY_RANDOM_LENGTH);
}

/**
 * A copy of `frame` with the 5 mask bytes of `masks` from `offset` XORed over the obfuscated
 * header bits: masks a clear header and unmasks a masked one. Byte 0 and the epoch bits are
 * never touched.
 */
export function xorHeaderMask(frame: Uint8Array, masks: Uint8Array, offset = 0): Uint8Array {
	const copy = frame.slice();
	copy[OBFUSCATED_OFFSET] ^= masks[offset] & OBFUSCATED_KEY_ID_BITS;
	for (let i = 1; i < OBFUSCATED_LENGTH; i++) copy[OBFUSCATED_OFFSET + i] ^= masks[offset + i];
	return copy;
}

/** The fields the header carries. `epoch` is the full key epoch; only its low 3 bits travel. */
export interface AlertHeader {
	readonly ttl: number;
	readonly epoch: number;
	readonly group: number;
	readonly source: number;
	/** The extended sequence: only its low 19 bits travel. */
	readonly sequence: number;
}

/** A decoded frame: the header as it travels (epoch known only by its low bits) and views of each part. */
export interface AlertFrame {
	readonly ttl: number;
	readonly epochBits: number;
	readonly group: number;
	readonly source: number;
	/** The sequence's low 19 bits, as they travel (extendSequence gives the rest). */
	readonly sequence: number;
	/** The 6 header bytes of `bytes`: masked as received, in clear once unmasked (alert-layers.ts). */
	readonly header: Uint8Array;
	/** App ciphertext ‖ app tag. */
	readonly sealedPayload: Uint8Array;
	readonly networkTag: Uint8Array;
	/** The whole frame. */
	readonly bytes: Uint8Array;
}

export type AlertDecodeFailure = "truncated" | "oversized" | "unknown-version" | "unknown-kind";

export type AlertDecodeResult = { readonly ok: true; readonly frame: AlertFrame } | { readonly ok: false; readonly reason: AlertDecodeFailure };

export type AlertEncodeErrorCode = "bad-header" | "payload-too-long" | "bad-length";

function checkField(name: string, value: number, max: number): void {
	if (!Number.isInteger(value) || value < 0 || value > max) throw new PicketError<AlertEncodeErrorCode>("bad-header", `${name} ${value} not in 0..${max}`);
}

/** The 6 header bytes for `header` (throws "bad-header" on out-of-range fields: a local bug, never air input). */
export function encodeAlertHeader(header: AlertHeader): Uint8Array {
	checkField("ttl", header.ttl, MAX_TTL);
	checkField("epoch", header.epoch, 0xffffffff);
	checkField("group", header.group, MAX_GROUP);
	checkField("source", header.source, MAX_SOURCE_ID);
	checkField("sequence", header.sequence, MAX_EXTENDED_SEQUENCE);
	const packed = header.source * (1 << SEQUENCE_BITS) + (header.sequence % SEQUENCE_SPACE);
	return Uint8Array.of(
		frameByte0(FrameKind.Alert, header.ttl),
		((header.epoch & EPOCH_KEY_ID_MASK) << 5) | header.group,
		packed >>> 24,
		(packed >>> 16) & 255,
		(packed >>> 8) & 255,
		packed & 255,
	);
}

/** The header as the tags see it: TTL set to 0 so relays can decrement it. Returns a copy. */
export function maskTtl(header: Uint8Array): Uint8Array {
	const masked = header.slice(0, ALERT_HEADER_LENGTH);
	masked[0] &= 0xf0;
	return masked;
}

/** Joins the parts into one frame. */
export function encodeAlertFrame(header: Uint8Array, sealedPayload: Uint8Array, networkTag: Uint8Array): Uint8Array {
	if (header.length !== ALERT_HEADER_LENGTH || networkTag.length !== ALERT_NETWORK_TAG_LENGTH || sealedPayload.length < ALERT_APP_TAG_LENGTH) {
		throw new PicketError<AlertEncodeErrorCode>("bad-length", "header, sealed payload or network tag has the wrong length");
	}
	const length = header.length + sealedPayload.length + networkTag.length;
	if (length > ALERT_FRAME_MAX) throw new PicketError<AlertEncodeErrorCode>("payload-too-long", `frame would be ${length} B`);
	const frame = new Uint8Array(length);
	frame.set(header, 0);
	frame.set(sealedPayload, ALERT_HEADER_LENGTH);
	frame.set(networkTag, ALERT_HEADER_LENGTH + sealedPayload.length);
	return frame;
}

/**
 * Parses a frame. Never throws: anything malformed is a typed failure. The result is not
 * authenticated yet; alert-layers.ts checks the tags. On a frame from the air, group,
 * source and sequence are still obfuscated (what a listener without keys reads):
 * `deobfuscateAlertFrame` (alert-layers.ts) gives the header in clear.
 */
export function decodeAlertFrame(bytes: Uint8Array): AlertDecodeResult {
	if (!(bytes instanceof Uint8Array) || bytes.length < ALERT_OVERHEAD) return { ok: false, reason: "truncated" };
	if (bytes.length > ALERT_FRAME_MAX) return { ok: false, reason: "oversized" };
	const byte0 = bytes[0];
	if (frameVersion(byte0) !== PICKET_VERSION) return { ok: false, reason: "unknown-version" };
	if (frameKind(byte0) !== FrameKind.Alert) return { ok: false, reason: "unknown-kind" };
	return { ok: true, frame: alertParts(bytes) };
}

/** The parts of a frame whose length and byte 0 were checked. */
function alertParts(bytes: Uint8Array): AlertFrame {
	return new AlertFrameParts(bytes);
}

/**
 * A decoded frame: the header fields read at once, the byte parts as views made when asked
 * for. Most frames a device hears are copies of an alert it already has, judged on the
 * header fields alone (relay-filter.ts), so they cost no view.
 */
class AlertFrameParts implements AlertFrame {
	readonly ttl: number;
	readonly epochBits: number;
	readonly group: number;
	readonly source: number;
	readonly sequence: number;
	readonly bytes: Uint8Array;

	constructor(bytes: Uint8Array) {
		const packed = readU32(bytes, 2);
		this.ttl = frameDetail(bytes[0]);
		this.epochBits = bytes[1] >>> 5;
		this.group = bytes[1] & 31;
		this.source = packed >>> SEQUENCE_BITS;
		this.sequence = packed & MAX_SEQUENCE;
		this.bytes = bytes;
	}

	get header(): Uint8Array {
		return this.bytes.subarray(0, ALERT_HEADER_LENGTH);
	}

	get sealedPayload(): Uint8Array {
		return this.bytes.subarray(ALERT_HEADER_LENGTH, this.bytes.length - ALERT_NETWORK_TAG_LENGTH);
	}

	get networkTag(): Uint8Array {
		return this.bytes.subarray(this.bytes.length - ALERT_NETWORK_TAG_LENGTH);
	}
}

/** A frame's 4-byte network tag as a u32 (big-endian), without a view: what the relay memory keys on. */
export function networkTagValue(frame: AlertFrame): number {
	return readU32(frame.bytes, frame.bytes.length - ALERT_NETWORK_TAG_LENGTH);
}

/** A decoded frame with the mask at `offset` of `masks` XORed over its obfuscated bits (xorHeaderMask): its parts, on a copy. */
export function unmaskAlertFrame(frame: AlertFrame, masks: Uint8Array, offset = 0): AlertFrame {
	return alertParts(xorHeaderMask(frame.bytes, masks, offset));
}

/** A copy of `frame` with its TTL replaced: what a relay rebroadcasts. No key needed, no tag changes. */
export function withTtl(frame: Uint8Array, ttl: number): Uint8Array {
	checkField("ttl", ttl, MAX_TTL);
	const copy = frame.slice();
	copy[0] = (copy[0] & 0xf0) | ttl;
	return copy;
}
