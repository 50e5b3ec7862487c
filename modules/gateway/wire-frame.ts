/**
 * Framing of the gateway's wired link to the command post: the same bytes over the ESP32's
 * USB serial (a UART, no message boundaries, noise when a cable is plugged) and over TCP on
 * loopback for the simulators. A byte stream becomes frames, each checked for length and
 * integrity before anything reads it; garbage between frames is skipped.
 *
 * | offset | size | field                                                          |
 * |--------|------|----------------------------------------------------------------|
 * | 0      | 2    | sync 0xB5 0x62: where a frame may start                        |
 * | 2      | 1    | type (picket/gateway/post-link: handshake 1, 2; transport 3)   |
 * | 3      | 2    | length n of the body, u16 big-endian, ≤ WIRE_BODY_MAX          |
 * | 5      | n    | body                                                           |
 * | 5 + n  | 4    | CRC-32 (picket/core/crc32) of bytes 2 .. 5+n, big-endian       |
 *
 * The CRC catches line noise, not attackers: every body after the handshake is
 * authenticated by the link's AEAD. Resynchronisation: on a bad length or a bad CRC the
 * decoder drops the first sync byte and searches for the next sync, so one corrupted frame
 * costs that frame only, and a flood of garbage costs the decoder linear time and at most
 * one frame's worth of buffer.
 */
import { crc32 } from "picket/core/crc32";
import { readU16, readU32, writeU16, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";

export const WIRE_SYNC_0 = 0xb5;
export const WIRE_SYNC_1 = 0x62;
export const WIRE_HEADER_LENGTH = 5;
export const WIRE_TRAILER_LENGTH = 4;
/** Bodies up to 4 KiB: a key-epoch delivery for a large roster is the biggest. */
export const WIRE_BODY_MAX = 4096;

export type WireErrorCode =
	| "skipped-garbage" // bytes before a sync
	| "oversized" // a length above WIRE_BODY_MAX
	| "bad-crc";

export interface WireFrame {
	readonly type: number;
	readonly body: Uint8Array;
}

export function encodeWireFrame(type: number, body: Uint8Array): Uint8Array {
	if (!Number.isInteger(type) || type < 0 || type > 255) throw new PicketError<"bad-type">("bad-type", `type ${type}`);
	if (body.length > WIRE_BODY_MAX) throw new PicketError<WireErrorCode>("oversized", `${body.length} bytes`);
	const frame = new Uint8Array(WIRE_HEADER_LENGTH + body.length + WIRE_TRAILER_LENGTH);
	frame[0] = WIRE_SYNC_0;
	frame[1] = WIRE_SYNC_1;
	frame[2] = type;
	writeU16(frame, 3, body.length);
	frame.set(body, WIRE_HEADER_LENGTH);
	writeU32(frame, WIRE_HEADER_LENGTH + body.length, crc32(frame, 2, WIRE_HEADER_LENGTH + body.length));
	return frame;
}

/**
 * Turns chunks of a byte stream into frames. `push` returns the frames completed by this
 * chunk; what was skipped is reported to `onError` with a code and a byte count.
 */
export class WireDecoder {
	#buffer = new Uint8Array(0);
	readonly #onError: (code: WireErrorCode, bytes: number) => void;

	constructor(onError: (code: WireErrorCode, bytes: number) => void = () => {}) {
		this.#onError = onError;
	}

	/** Bytes held waiting for the rest of a frame. */
	get buffered(): number {
		return this.#buffer.length;
	}

	push(chunk: Uint8Array): WireFrame[] {
		let buffer = concat(this.#buffer, chunk);
		const frames: WireFrame[] = [];
		let start = 0;
		for (;;) {
			const sync = findSync(buffer, start);
			if (sync > start) this.#onError("skipped-garbage", sync - start);
			start = sync;
			if (buffer.length - start < WIRE_HEADER_LENGTH) break;
			const length = readU16(buffer, start + 3);
			if (length > WIRE_BODY_MAX) {
				this.#onError("oversized", 1);
				start += 1;
				continue;
			}
			const end = start + WIRE_HEADER_LENGTH + length + WIRE_TRAILER_LENGTH;
			if (buffer.length < end) break;
			if (crc32(buffer, start + 2, end - WIRE_TRAILER_LENGTH) !== readU32(buffer, end - WIRE_TRAILER_LENGTH)) {
				this.#onError("bad-crc", 1);
				start += 1;
				continue;
			}
			frames.push({ type: buffer[start + 2], body: buffer.slice(start + WIRE_HEADER_LENGTH, end - WIRE_TRAILER_LENGTH) });
			start = end;
		}
		this.#buffer = buffer.slice(start);
		return frames;
	}
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
	if (a.length === 0) return b;
	const joined = new Uint8Array(a.length + b.length);
	joined.set(a);
	joined.set(b, a.length);
	return joined;
}

/** Index of the next sync pair at or after `from`; a lone first sync byte at the very end is kept. */
function findSync(buffer: Uint8Array, from: number): number {
	for (let i = from; i < buffer.length; i++) {
		if (buffer[i] !== WIRE_SYNC_0) continue;
		if (i + 1 === buffer.length || buffer[i + 1] === WIRE_SYNC_1) return i;
	}
	return buffer.length;
}
