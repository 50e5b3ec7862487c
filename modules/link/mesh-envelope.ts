/**
 * The mesh envelope: a handshake or session frame (picket/link/handshake, picket/link/session)
 * on its way to a member that is not a radio neighbour, carried by the relays of the domain.
 *
 * | bytes | field                                                                      |
 * |-------|----------------------------------------------------------------------------|
 * | 1     | version (2 bits), kind 3 "mesh" (2), TTL (4)  (picket/link/frame-kind)      |
 * | 1     | key id: epoch mod 8 (3 bits), flood (1 bit), behind (1 bit), 3 bits zero   |
 * | 4     | source (13 bits), sequence (19 bits): as an alert's, from the same counter |
 * | 2     | destination member id (u16)                                                |
 * | n     | the inner frame, as the session layer made it (n ≤ 238)                    |
 * | 4     | network tag: AES-CCM under the network key, empty plaintext, associated    |
 * |       | data = the 8 header bytes with TTL 0 ‖ inner frame                         |
 *
 * 12 bytes of overhead. Relays treat an envelope as they treat an alert they cannot read
 * (secure-link.ts): they check the network tag (1 CCM), drop duplicates before any crypto,
 * decrement the TTL and forward; they never open the inner frame, which is the end-to-end
 * business of the two session layers (it carries its own AEAD and replay window). The TTL is
 * outside the tag for the reason an alert's is.
 *
 * Nonce (13 bytes): layer 0x03 ‖ epoch u32 ‖ source u16 ‖ sequence u24 ‖ era u16 ‖ 1 zero byte,
 * the alert layers' table (alert-layers.ts) with its own layer byte: as for an alert, only the
 * extended sequence's low 19 bits travel and the receiver infers the era (alert-frame.ts). The sequence comes from
 * the device's one sequence counter, shared with alerts, so (epoch, source, sequence) never
 * repeats across alerts and envelopes, and one duplicate cache serves both.
 *
 * "Behind": sealed for a member still in the epoch before the sender's (a revocation's
 * laggard, picket/link/delivery-tracker) under that epoch's network key, which the sender
 * keeps for envelopes during a grace period (secure-link.ts `sealEnvelope`). Its nonce takes
 * layer 0x04 and a sequence from the counter of the sender's *current* epoch: that counter
 * hands each sequence out once, and layer 0x04 under epoch e's key only ever meets sequences
 * of epoch e + 1's counter, so no nonce repeats under the old key, which the sender's own
 * old-epoch counter could not promise (it moved on). The receiver reads the bit to pick the layer.
 *
 * The flood bit asks every relay to broadcast instead of following a learnt route
 * (mesh-routes.ts): a sender sets it when a routed envelope went unanswered.
 *
 * `meshAddress(member)` is the 6-byte address the session layer uses for "member M, through
 * the mesh": its first byte has the group bit set, so no station's MAC is ever one, and
 * sessions are matched by it exactly as by a neighbour's MAC.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { readU16, readU32 } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import { RADIO_FRAME_MAX } from "picket/device/radio";
import { EPOCH_KEY_ID_MASK, MAX_EXTENDED_SEQUENCE, MAX_SEQUENCE, MAX_SOURCE_ID, MAX_TTL, SEQUENCE_BITS } from "picket/link/alert-frame";
import { AlertLayer, alertNonce } from "picket/link/alert-layers";
import { FrameKind, PICKET_VERSION, frameByte0, frameDetail, frameKind, frameVersion } from "picket/link/frame-kind";

export const MESH_HEADER_LENGTH = 8;
export const MESH_TAG_LENGTH = 4;
export const MESH_OVERHEAD = MESH_HEADER_LENGTH + MESH_TAG_LENGTH;
export const MESH_INNER_MAX = RADIO_FRAME_MAX - MESH_OVERHEAD;
const MESH_NONCE_LAYER = 0x03;
const BEHIND_NONCE_LAYER = 0x04;
const FLOOD_BIT = 0x10;
const BEHIND_BIT = 0x08;

export type MeshDecodeFailure = "truncated" | "oversized" | "unknown-version" | "unknown-kind" | "bad-header";

export interface MeshHeader {
	readonly ttl: number;
	readonly epoch: number;
	readonly flood: boolean;
	/** Sealed under the previous epoch's key for a member behind (header comment). */
	readonly behind?: boolean;
	readonly source: number;
	/** The extended sequence (alert-frame.ts): its low 19 bits travel, the era is in the nonce. */
	readonly sequence: number;
	readonly destination: number;
}

export interface MeshEnvelope {
	readonly ttl: number;
	readonly epochBits: number;
	readonly flood: boolean;
	readonly behind: boolean;
	readonly source: number;
	readonly sequence: number;
	readonly destination: number;
	readonly inner: Uint8Array;
	readonly networkTag: number;
}

export type MeshDecodeResult = { readonly ok: true; readonly envelope: MeshEnvelope } | { readonly ok: false; readonly reason: MeshDecodeFailure };

/** Seals `inner` for `header.destination` under `networkKey` (1 CCM). Throws on a local bug (field out of range, inner too long). */
export function sealMeshEnvelope(crypto: CryptoSuite, networkKey: Uint8Array, header: MeshHeader, inner: Uint8Array): Uint8Array {
	if (inner.length < 1 || inner.length > MESH_INNER_MAX) throw new RangeError(`inner frame of ${inner.length} B`);
	if (header.ttl < 0 || header.ttl > MAX_TTL || header.source > MAX_SOURCE_ID || header.sequence > MAX_EXTENDED_SEQUENCE || header.destination > 0xffff) throw new RangeError("mesh header field out of range");
	const frame = new Uint8Array(MESH_OVERHEAD + inner.length);
	const packed = header.source * (1 << SEQUENCE_BITS) + (header.sequence & MAX_SEQUENCE);
	frame[0] = frameByte0(FrameKind.Mesh, header.ttl);
	frame[1] = ((header.epoch & EPOCH_KEY_ID_MASK) << 5) | (header.flood ? FLOOD_BIT : 0) | (header.behind === true ? BEHIND_BIT : 0);
	frame[2] = packed >>> 24;
	frame[3] = (packed >>> 16) & 255;
	frame[4] = (packed >>> 8) & 255;
	frame[5] = packed & 255;
	frame[6] = header.destination >>> 8;
	frame[7] = header.destination & 255;
	frame.set(inner, MESH_HEADER_LENGTH);
	const tag = crypto.ccmSeal(networkKey, meshNonce(header.behind === true, header.epoch, header.source, header.sequence), maskedBody(frame), new Uint8Array(0), MESH_TAG_LENGTH);
	frame.set(tag, frame.length - MESH_TAG_LENGTH);
	return frame;
}

export function decodeMeshEnvelope(bytes: Uint8Array): MeshDecodeResult {
	if (bytes.length < MESH_OVERHEAD + 1) return { ok: false, reason: "truncated" };
	if (bytes.length > RADIO_FRAME_MAX) return { ok: false, reason: "oversized" };
	if (frameVersion(bytes[0]) !== PICKET_VERSION) return { ok: false, reason: "unknown-version" };
	if (frameKind(bytes[0]) !== FrameKind.Mesh) return { ok: false, reason: "unknown-kind" };
	if ((bytes[1] & 0x07) !== 0) return { ok: false, reason: "bad-header" };
	const packed = readU32(bytes, 2);
	return {
		ok: true,
		envelope: {
			ttl: frameDetail(bytes[0]),
			epochBits: bytes[1] >>> 5,
			flood: (bytes[1] & FLOOD_BIT) !== 0,
			behind: (bytes[1] & BEHIND_BIT) !== 0,
			source: packed >>> SEQUENCE_BITS,
			sequence: packed & MAX_SEQUENCE,
			destination: readU16(bytes, 6),
			inner: bytes.subarray(MESH_HEADER_LENGTH, bytes.length - MESH_TAG_LENGTH),
			networkTag: readU32(bytes, bytes.length - MESH_TAG_LENGTH),
		},
	};
}

/**
 * True when the envelope's network tag is genuine under `networkKey` and the full `epoch`, with
 * `extendedSequence` the receiver's inference of the sequence's era (default: era 0). 1 CCM;
 * never throws on air input.
 */
export function verifyMeshEnvelope(crypto: CryptoSuite, networkKey: Uint8Array, epoch: number, bytes: Uint8Array, envelope: MeshEnvelope, extendedSequence = envelope.sequence): boolean {
	try {
		crypto.ccmOpen(networkKey, meshNonce(envelope.behind, epoch, envelope.source, extendedSequence), maskedBody(bytes), bytes.subarray(bytes.length - MESH_TAG_LENGTH), MESH_TAG_LENGTH);
		return true;
	} catch (error) {
		if (isPicketError(error)) return false;
		throw error;
	}
}

/** A copy of `bytes` with the TTL replaced (what a relay forwards). */
export function withMeshTtl(bytes: Uint8Array, ttl: number): Uint8Array {
	const copy = bytes.slice();
	copy[0] = (copy[0] & 0xf0) | (ttl & 15);
	return copy;
}

/** The address the session layer gives "member `member`, through the mesh". */
export function meshAddress(member: number): Uint8Array {
	return Uint8Array.of(0x03, 0x50, 0x4b, 0x4d, member >>> 8, member & 255);
}

/** The member a mesh address names, or undefined for a station's MAC. */
export function meshMember(address: Uint8Array): number | undefined {
	if (address.length !== 6 || address[0] !== 0x03 || address[1] !== 0x50 || address[2] !== 0x4b || address[3] !== 0x4d) return undefined;
	return (address[4] << 8) | address[5];
}

/** Header with TTL 0 ‖ inner frame: what the network tag covers. */
function maskedBody(frame: Uint8Array): Uint8Array {
	const body = frame.slice(0, frame.length - MESH_TAG_LENGTH);
	body[0] &= 0xf0;
	return body;
}

/** The alert layers' nonce (alert-layers.ts) with the envelope's own layer byte. */
function meshNonce(behind: boolean, epoch: number, source: number, sequence: number): Uint8Array {
	const nonce = alertNonce(AlertLayer.Network, epoch, source, sequence);
	nonce[0] = behind ? BEHIND_NONCE_LAYER : MESH_NONCE_LAYER;
	return nonce;
}
