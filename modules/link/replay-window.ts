/**
 * Per-source sliding replay window (RFC 4303 §3.4.3 style, 64 wide) over the alert
 * sequence, one per source, keyed also by epoch, persisted so that it survives reboot.
 *
 * `check` judges a frame without changing anything; `accept` records it and must only be
 * called once the frame's *app* tag verified, so forgeries never move a window. The
 * network tag alone is not enough: every member can produce it (secure-link.ts).
 *
 * - a newer epoch than the source's window starts a fresh window (counters restart at 0
 *   with new keys);
 * - an older epoch is a cross-epoch replay: "wrong-epoch" (the source's counter refuses to
 *   go back, sequence-counter.ts, so nothing genuine comes after it);
 * - a sequence more than 63 below the highest seen is "too-old";
 * - a sequence already seen is "replayed".
 *
 * Bounded leap (issue 12, item 7). Group keys are shared: any member of a group can seal
 * "source X, sequence n" for that group, so one forged "X, 2^19 − 1" used to move every
 * reader's window for X to the top and make X's genuine alerts "too-old". Binding the
 * source to a key only X holds would take a signature per alert (64 B and a public-key
 * operation: outside the 18 B and 0 public-key budgets; any symmetric key a reader can
 * verify with, it can also forge with). So the window bounds what one frame can do
 * instead: a frame at most MAX_LEAP (64, the window's width) ahead of the top moves it as
 * before, and a genuine alert just above the old top is then still inside the window; a
 * frame further ahead is taken (once: the "ahead" mark only rises) without moving the
 * window, and the window leaps to it only when the next frame confirms it, lying within
 * MAX_LEAP above it — what a source does after the reader missed more than 64 of its
 * alerts. One frame can no longer mute a member; a member of X's group that sends two, or
 * steps the window 64 at a time, still can (it can also forge X's alerts outright): the
 * README's threat model says so.
 *
 * Each source's window is stored under its own key, written on every accept (one write per
 * alert read; duplicates are dropped before, relay-filter.ts):
 *
 * | stored byte | field   | content                                             |
 * |-------------|---------|-----------------------------------------------------|
 * | 0..3        | epoch   | u32 big-endian                                      |
 * | 4..7        | top     | highest sequence accepted, u32 big-endian           |
 * | 8..11       | seen hi | bits 63..32 of the bitmap, u32 big-endian           |
 * | 12..15      | seen lo | bits 31..0: bit i set = sequence top − i accepted   |
 * | 16..19      | ahead   | highest far-ahead sequence taken, unconfirmed (0 = none); absent in older records |
 */
import type { Storage } from "picket/core/host-contracts";
import { readU32, writeU32 } from "picket/core/bytes";

export const REPLAY_WINDOW_SIZE = 64;
/** The furthest one frame moves a source's window (see above). */
export const MAX_LEAP = REPLAY_WINDOW_SIZE;
const RECORD_LENGTH = 20;
const RECORD_LENGTH_WITHOUT_AHEAD = 16;

export type ReplayRejection = "replayed" | "too-old" | "wrong-epoch";
export type ReplayVerdict = "fresh" | ReplayRejection;

interface SourceWindow {
	epoch: number;
	top: number;
	seenHigh: number;
	seenLow: number;
	ahead: number;
}

export interface ReplayWindowOptions {
	readonly storage: Storage;
	readonly domain: string;
	/** Storage key prefix; the source id in decimal follows it ("w" → "w4711"). */
	readonly keyPrefix: string;
}

export class ReplayWindow {
	readonly #storage: Storage;
	readonly #domain: string;
	readonly #keyPrefix: string;
	/** Windows loaded so far; null = looked up in storage, nothing there. */
	readonly #windows = new Map<number, SourceWindow | null>();

	constructor(options: ReplayWindowOptions) {
		this.#storage = options.storage;
		this.#domain = options.domain;
		this.#keyPrefix = options.keyPrefix;
	}

	/** The highest (extended) sequence accepted from `source` in `epoch`, if any. */
	highest(source: number, epoch: number): number | undefined {
		const window = this.#window(source);
		return window === null || window.epoch !== epoch ? undefined : window.top;
	}

	/** Would a frame (source, epoch, sequence) be new? Changes nothing. */
	check(source: number, epoch: number, sequence: number): ReplayVerdict {
		const window = this.#window(source);
		if (window === null || epoch > window.epoch) return "fresh";
		if (epoch < window.epoch) return "wrong-epoch";
		if (sequence > window.top + MAX_LEAP) return sequence > window.ahead ? "fresh" : "replayed";
		if (window.ahead !== 0 && sequence === window.ahead) return "replayed";
		if (sequence > window.top) return "fresh";
		const age = window.top - sequence;
		if (age >= REPLAY_WINDOW_SIZE) return "too-old";
		return isSeen(window, age) ? "replayed" : "fresh";
	}

	/** Records an authenticated frame that `check` called "fresh", and persists the source's window. */
	accept(source: number, epoch: number, sequence: number): void {
		let window = this.#window(source);
		if (window === null || epoch > window.epoch) {
			// Nothing seen yet in this epoch: as if sequence 0 were the top, not yet seen.
			window = { epoch, top: 0, seenHigh: 0, seenLow: 0, ahead: 0 };
			this.#windows.set(source, window);
		}
		if (sequence > window.top + MAX_LEAP) {
			if (window.ahead !== 0 && sequence - window.ahead <= MAX_LEAP) {
				// Confirmed: the source is really this far ahead. Both frames are in the new window.
				const previous = window.ahead;
				window.top = sequence;
				window.seenHigh = 0;
				window.seenLow = 1;
				window.ahead = 0;
				markSeen(window, sequence - previous);
			} else {
				window.ahead = sequence;
			}
		} else if (sequence > window.top) {
			shiftSeen(window, sequence - window.top);
			window.top = sequence;
			window.seenLow = (window.seenLow | 1) >>> 0;
		} else {
			markSeen(window, window.top - sequence);
		}
		if (window.ahead !== 0 && window.ahead <= window.top) {
			// The window caught up with the frame taken ahead of it: the bitmap remembers it from now on.
			markSeen(window, window.top - window.ahead);
			window.ahead = 0;
		}
		const record = new Uint8Array(RECORD_LENGTH);
		writeU32(record, 0, window.epoch);
		writeU32(record, 4, window.top);
		writeU32(record, 8, window.seenHigh);
		writeU32(record, 12, window.seenLow);
		writeU32(record, 16, window.ahead);
		this.#storage.write(this.#domain, this.#keyPrefix + source, record);
	}

	#window(source: number): SourceWindow | null {
		let window = this.#windows.get(source);
		if (window === undefined) {
			const stored = this.#storage.read(this.#domain, this.#keyPrefix + source);
			// Storage writes are atomic (power-safe-storage.ts): a power cut leaves the window
			// before or after an accept, never behind it. Only flash damage loses a window: no
			// intact record, or one of the wrong size, reads as absent (frames of the current
			// epoch recorded before could then pass once each; the sender's counter still never
			// repeats a nonce), and a spoilt newest record falls back one accept.
			window =
				stored !== undefined && (stored.length === RECORD_LENGTH || stored.length === RECORD_LENGTH_WITHOUT_AHEAD)
					? { epoch: readU32(stored, 0), top: readU32(stored, 4), seenHigh: readU32(stored, 8), seenLow: readU32(stored, 12), ahead: stored.length === RECORD_LENGTH ? readU32(stored, 16) : 0 }
					: null;
			this.#windows.set(source, window);
		}
		return window;
	}
}

function isSeen(window: SourceWindow, age: number): boolean {
	return age < 32 ? ((window.seenLow >>> age) & 1) === 1 : ((window.seenHigh >>> (age - 32)) & 1) === 1;
}

function markSeen(window: SourceWindow, age: number): void {
	if (age >= REPLAY_WINDOW_SIZE) return;
	if (age < 32) window.seenLow = (window.seenLow | (1 << age)) >>> 0;
	else window.seenHigh = (window.seenHigh | (1 << (age - 32))) >>> 0;
}

/** Moves the 64-bit bitmap up by `distance` (≥ 1): bit i becomes bit i + distance, older bits fall off. */
function shiftSeen(window: SourceWindow, distance: number): void {
	if (distance >= 64) {
		window.seenHigh = 0;
		window.seenLow = 0;
	} else if (distance >= 32) {
		window.seenHigh = (window.seenLow << (distance - 32)) >>> 0;
		window.seenLow = 0;
	} else {
		window.seenHigh = ((window.seenHigh << distance) | (window.seenLow >>> (32 - distance))) >>> 0;
		window.seenLow = (window.seenLow << distance) >>> 0;
	}
}
