/**
 * The relay horizon (issue 12, item 4): per source, the highest sequence this device has
 * authenticated under the network key, so that a relay never re-floods a stale frame.
 *
 * A relay cannot read what it forwards, so it has no replay window (replay-window.ts moves
 * only on an app tag). Its relay memory (relay-filter.ts) is bounded: a recording replayed
 * after its frames left that memory, or after a reboot emptied it, used to be flooded again
 * at whatever TTL the attacker wrote (300 frames replayed 10 times: 3,000 re-broadcasts
 * from one relay). With the horizon, a frame more than HORIZON_SPAN (64, the readers'
 * window) below its source's highest sequence is "too-old" and goes no further. A frame
 * inside the span is still caught by the relay memory, which an outsider cannot flush:
 * stale replays are dropped before they are remembered, so only 1,024 fresh alerts push a
 * frame out of it.
 *
 * The horizon moves on the network tag alone, which every member can produce, so it uses
 * the readers' bounded leap (MAX_LEAP, replay-window.ts): a frame more than 64 ahead is
 * only noted, and moves the horizon when the next frame of the source confirms it. An
 * insider forging "X, 2^19 − 1" therefore does not make relays drop X's alerts; stepping
 * the horizon 64 at a time, twice or more, it can (it could forge X's alerts in X's groups
 * anyway; README, threat model).
 *
 * The horizon survives reboot: each source's is stored when it has moved PERSIST_STEP
 * sequences since the last write (one flash write per 16 alerts of a source), so after a
 * reboot it is at most 15 behind. Everything up to the stored top was heard before the
 * reboot, so until the next reboot that is stale too (the relay memory, in RAM, forgot it).
 *
 * | stored byte | field | content                                  |
 * |-------------|-------|------------------------------------------|
 * | 0..3        | epoch | key epoch, u32 big-endian                |
 * | 4..7        | top   | highest sequence confirmed, u32 big-endian |
 */
import type { Storage } from "picket/core/host-contracts";
import { readU32, writeU32 } from "picket/core/bytes";
import { MAX_LEAP, REPLAY_WINDOW_SIZE } from "picket/link/replay-window";

export const HORIZON_SPAN = REPLAY_WINDOW_SIZE;
const PERSIST_STEP = 16;
/** Sources kept in RAM; the others are read back from storage when heard. */
const SOURCES_IN_MEMORY = 64;
const RECORD_LENGTH = 8;

interface SourceHorizon {
	epoch: number;
	top: number;
	/** Highest sequence more than MAX_LEAP ahead of `top` heard, unconfirmed (0 = none). */
	ahead: number;
	/** The top last stored. */
	stored: number;
	/** The top stored before this boot (−1: none): heard before the reboot, so stale now. */
	readonly floor: number;
}

export interface RelayHorizonOptions {
	readonly storage: Storage;
	readonly domain: string;
	/** Storage key prefix; the source id in decimal follows it ("h" → "h4711"). */
	readonly keyPrefix: string;
}

export class RelayHorizon {
	readonly #storage: Storage;
	readonly #domain: string;
	readonly #keyPrefix: string;
	readonly #sources = new Map<number, SourceHorizon | null>();
	/** The source last in `#sources` (the most recently heard). */
	#newest: number | undefined;

	constructor(options: RelayHorizonOptions) {
		this.#storage = options.storage;
		this.#domain = options.domain;
		this.#keyPrefix = options.keyPrefix;
	}

	/** The horizon of `source` in `epoch`, if any. */
	highest(source: number, epoch: number): number | undefined {
		const horizon = this.#horizon(source);
		return horizon === null || horizon.epoch !== epoch ? undefined : horizon.top;
	}

	/** True when (source, epoch, sequence) is older than what this device already relayed: never forward it. */
	isStale(source: number, epoch: number, sequence: number): boolean {
		const horizon = this.#horizon(source);
		if (horizon === null || epoch > horizon.epoch) return false;
		return epoch < horizon.epoch || sequence + HORIZON_SPAN <= horizon.top || (epoch === horizon.epoch && sequence <= horizon.floor);
	}

	/** Notes a frame whose network tag verified and that is not stale. */
	note(source: number, epoch: number, sequence: number): void {
		let horizon = this.#horizon(source);
		if (horizon === null || epoch > horizon.epoch) {
			horizon = { epoch, top: 0, ahead: 0, stored: -1, floor: -1 };
			this.#remember(source, horizon);
		}
		if (sequence <= horizon.top) return;
		if (sequence <= horizon.top + MAX_LEAP || (horizon.ahead !== 0 && sequence > horizon.ahead && sequence - horizon.ahead <= MAX_LEAP)) {
			horizon.top = sequence;
			if (horizon.ahead <= horizon.top) horizon.ahead = 0;
		} else {
			horizon.ahead = Math.max(horizon.ahead, sequence);
		}
		if (horizon.stored < 0 || horizon.top - horizon.stored >= PERSIST_STEP) {
			const record = new Uint8Array(RECORD_LENGTH);
			writeU32(record, 0, horizon.epoch);
			writeU32(record, 4, horizon.top);
			this.#storage.write(this.#domain, this.#keyPrefix + source, record);
			horizon.stored = horizon.top;
		}
	}

	#horizon(source: number): SourceHorizon | null {
		let horizon = this.#sources.get(source);
		if (horizon === undefined) {
			const stored = this.#storage.read(this.#domain, this.#keyPrefix + source);
			// Lost or damaged: no horizon, as before this module; the relay memory still stops copies.
			horizon = stored !== undefined && stored.length === RECORD_LENGTH ? { epoch: readU32(stored, 0), top: readU32(stored, 4), ahead: 0, stored: readU32(stored, 4), floor: readU32(stored, 4) } : null;
			this.#remember(source, horizon);
		} else if (source !== this.#newest) {
			// Most recently heard last: the first entry is the one to forget. (Every copy of an
			// alert asks again: moving the newest entry would only churn the map.)
			this.#sources.delete(source);
			this.#sources.set(source, horizon);
			this.#newest = source;
		}
		return horizon;
	}

	#remember(source: number, horizon: SourceHorizon | null): void {
		this.#sources.delete(source);
		this.#sources.set(source, horizon);
		this.#newest = source;
		if (this.#sources.size > SOURCES_IN_MEMORY) {
			const [oldest] = this.#sources.keys();
			this.#sources.delete(oldest);
		}
	}
}
