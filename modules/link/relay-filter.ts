/**
 * Which alert copies a device forwards, and when.
 *
 * Flooding: every relaying device rebroadcasts each alert it has not seen before, once,
 * with TTL − 1, after a random jitter so that neighbours that heard the same copy do not
 * all transmit in the same instant. Copies with TTL 0 are delivered but not forwarded.
 *
 * Duplicate suppression: a bounded first-in-first-out cache of the alerts this device
 * already accepted (or sent), keyed by (epoch mod 8, source, sequence). A copy found in
 * it is a "duplicate" and costs no crypto at all. When the link changes key epochs it drops
 * the entries of epochs it no longer holds (`retainEpochs`), so the 3 epoch bits never
 * confuse epoch e with e + 8. Only authenticated frames enter the
 * cache, so a forgery can never shadow a genuine alert; a genuine alert that fell out of
 * the cache is still caught by the replay window (replay-window.ts), which is why relayed
 * copies never reach the window as replays.
 */
import type { RandomSource } from "picket/crypto/crypto-suite";
import { EPOCH_KEY_ID_MASK, MAX_SEQUENCE, withTtl } from "picket/link/alert-frame";

export const DEFAULT_DUPLICATE_CAPACITY = 256;
export const DEFAULT_MAX_JITTER_MS = 40;

/** What a relay rebroadcasts, and how long it waits first. */
export interface RelayInstruction {
	readonly frame: Uint8Array;
	readonly delayMs: number;
}

export class RelayFilter {
	readonly #seen = new Set<number>();
	readonly #order: Float64Array;
	/** The full key epoch of each ring slot (the key keeps only its low bits). */
	readonly #epochs: Float64Array;
	#oldest = 0;

	/** `capacity` bounds memory: capacity × (16 B of ring slots + one Set entry). */
	constructor(capacity: number = DEFAULT_DUPLICATE_CAPACITY) {
		this.#order = new Float64Array(Math.max(1, capacity)).fill(-1);
		this.#epochs = new Float64Array(this.#order.length);
	}

	has(source: number, epoch: number, sequence: number): boolean {
		return this.#seen.has(alertKey(source, epoch, sequence));
	}

	/** Remembers an authenticated alert, forgetting the oldest when full. */
	remember(source: number, epoch: number, sequence: number): void {
		const key = alertKey(source, epoch, sequence);
		if (this.#seen.has(key)) return;
		const evicted = this.#order[this.#oldest];
		if (evicted >= 0) this.#seen.delete(evicted);
		this.#order[this.#oldest] = key;
		this.#epochs[this.#oldest] = epoch;
		this.#oldest = (this.#oldest + 1) % this.#order.length;
		this.#seen.add(key);
	}

	/**
	 * Forgets every alert of an epoch not in `epochs` (the key epochs the link still holds).
	 * Sequences restart at 0 in each epoch and the key holds only epoch mod 8, so an entry
	 * left over from epoch e would otherwise swallow alerts of epoch e + 8 as "duplicate".
	 */
	retainEpochs(epochs: readonly number[]): void {
		for (let slot = 0; slot < this.#order.length; slot++) {
			if (this.#order[slot] < 0 || epochs.includes(this.#epochs[slot])) continue;
			this.#seen.delete(this.#order[slot]);
			this.#order[slot] = -1;
		}
	}

	get size(): number {
		return this.#seen.size;
	}
}

/** (epoch mod 8) ‖ source ‖ sequence as one integer below 2^35, exact in a double. */
function alertKey(source: number, epoch: number, sequence: number): number {
	return (epoch & EPOCH_KEY_ID_MASK) * 2 ** 32 + source * (MAX_SEQUENCE + 1) + sequence;
}

/**
 * The relay decision for an authenticated, first-seen frame received with `ttl` hops
 * left: undefined when it must not travel further, else the copy with TTL − 1 and a delay
 * uniform over [0, maxJitterMs) drawn from the injected random source.
 */
export function decideRelay(frame: Uint8Array, ttl: number, random: RandomSource, maxJitterMs: number = DEFAULT_MAX_JITTER_MS): RelayInstruction | undefined {
	if (ttl <= 0) return undefined;
	const draw = random(2);
	const delayMs = Math.floor((((draw[0] << 8) | draw[1]) / 65536) * maxJitterMs);
	return { frame: withTtl(frame, ttl - 1), delayMs };
}
