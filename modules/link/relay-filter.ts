/**
 * Which alert copies a device forwards, and when.
 *
 * Flooding: every relaying device rebroadcasts each alert it has not seen before, once,
 * with TTL − 1, after a random jitter so that neighbours that heard the same copy do not
 * all transmit in the same instant. Copies with TTL 0 are delivered but not forwarded.
 *
 * Relay memory (duplicate suppression): a bounded first-in-first-out cache of the alerts
 * this device already accepted or relayed, keyed by the frame's identity *and its network tag*:
 * (epoch mod 8, source, sequence, network tag). A copy found in it is a "duplicate" and
 * costs no crypto at all. Relays enter frames they cannot read, authenticated by the
 * network tag only, which every member can produce; keying on the tag too means that a
 * member forging "source X, sequence n" (n predictable: X's next alert) fills a slot of
 * its own and never shadows X's genuine frame n, whose tag it cannot predict without X's
 * group key. When the link changes key epochs it drops the entries of epochs it no longer
 * holds (`retainEpochs`), so the 3 epoch bits never confuse epoch e with e + 8.
 *
 * The memory keeps, with each alert, the most hops left of any copy heard (its TTL, capped
 * at the domain's maximum). The TTL is outside both tags, so that relays can decrement it
 * without a key, and so anyone can rewrite it: a copy re-broadcast with TTL 0 by an outsider
 * that reaches a relay before the genuine copy must not make the genuine copy a mere
 * duplicate (issue 12, item 1). A copy with more hops left than any copy heard before is
 * therefore forwarded again (with its own TTL − 1): the best TTL seen always travels, and a
 * relay forwards one alert at most `maxTtl` times however its copies are rewritten. Only
 * while the alert is still travelling, BETTER_COPY_WINDOW_MS after its first copy (15 hops
 * of 40 ms jitter take 600 ms): later, a copy with more hops left is a replay with its TTL
 * raised, and forwarding it would let a recording re-flood the domain (item 4).
 *
 * A genuine alert that fell out of the cache is caught, at the devices that read it, by
 * the replay window (replay-window.ts); relayed copies are caught here first, which is
 * why they never reach the window as replays.
 */
import type { RandomSource } from "picket/crypto/crypto-suite";
import type { Clock } from "picket/core/host-contracts";
import { EPOCH_KEY_ID_MASK, MAX_SEQUENCE, withTtl } from "picket/link/alert-frame";

export const DEFAULT_DUPLICATE_CAPACITY = 1024;
export const DEFAULT_MAX_JITTER_MS = 40;
/** How long after its first copy an alert's copy with more hops left is still forwarded. */
export const BETTER_COPY_WINDOW_MS = 1000;
/** Ring slots a relay memory starts with, before it takes its whole capacity. */
const RING_INITIAL_SLOTS = 16;

/** What a relay rebroadcasts, and how long it waits first. */
export interface RelayInstruction {
	readonly frame: Uint8Array;
	readonly delayMs: number;
}

/** One frame as the duplicate cache knows it; `networkTag` is the frame's 4-byte network tag as a u32. */
export interface FrameIdentity {
	readonly source: number;
	readonly epoch: number;
	readonly sequence: number;
	readonly networkTag: number;
}

export class RelayFilter {
	/** Alert key → the ring slots of the copies remembered under it (one, unless someone forged a copy). */
	readonly #seen = new Map<number, number[]>();
	readonly #capacity: number;
	readonly #clock: Clock | undefined;
	/**
	 * Ring of remembered frames: alert key (−1 = free), network tag, full key epoch, most hops
	 * left heard, when first remembered (ms of `clock`). Allocated for RING_INITIAL_SLOTS
	 * frames, then for the whole capacity once a 17th arrives: most devices hear few alerts
	 * between reboots (in bench/sim's 5,000-device grid, 4,915 hear at most 16), and a
	 * simulated domain of 10,000 held 290 MB of empty slots. One step, so a device that hears
	 * more holds what it always did (29 B a slot) and needs only 16 slots more while it
	 * copies: on a board, the chunk heap must still have room for the whole ring.
	 */
	#keys: Float64Array;
	#tags: Uint32Array;
	#epochs: Float64Array;
	#ttls: Uint8Array;
	#times: Float64Array;
	/** The next slot written: slots at and past it were never used until the ring first wraps. */
	#oldest = 0;
	#size = 0;

	/** `capacity` bounds memory: capacity × (29 B of ring slots + one map entry). */
	constructor(capacity: number = DEFAULT_DUPLICATE_CAPACITY, clock?: Clock) {
		this.#clock = clock;
		this.#capacity = Math.max(1, capacity);
		const initial = Math.min(this.#capacity, RING_INITIAL_SLOTS);
		this.#keys = new Float64Array(initial).fill(-1);
		this.#tags = new Uint32Array(initial);
		this.#epochs = new Float64Array(initial);
		this.#ttls = new Uint8Array(initial);
		this.#times = new Float64Array(initial);
	}

	/** Ring slots allocated so far (RING_INITIAL_SLOTS, or the capacity once more frames were remembered). */
	get allocated(): number {
		return this.#keys.length;
	}

	has(frame: FrameIdentity): boolean {
		return this.#slotOf(frame) >= 0;
	}

	/** The most hops left of any copy of `frame` remembered, or undefined when it is not remembered. */
	bestTtl(frame: FrameIdentity): number | undefined {
		const slot = this.#slotOf(frame);
		return slot < 0 ? undefined : this.#ttls[slot];
	}

	/**
	 * Remembers an authenticated frame heard with `ttl` hops left (forgetting the oldest
	 * frame when full), or raises the TTL remembered for it.
	 */
	remember(frame: FrameIdentity, ttl = 0): void {
		const known = this.#slotOf(frame);
		if (known >= 0) {
			this.#ttls[known] = Math.max(this.#ttls[known], ttl);
			return;
		}
		if (this.#oldest === this.#keys.length && this.#keys.length < this.#capacity) this.#grow();
		this.#oldest %= this.#keys.length;
		this.#free(this.#oldest); // may be this key's last slot: look its tags up afterwards
		const key = alertKey(frame);
		const tags = this.#seen.get(key);
		this.#keys[this.#oldest] = key;
		this.#tags[this.#oldest] = frame.networkTag;
		this.#epochs[this.#oldest] = frame.epoch;
		this.#ttls[this.#oldest] = ttl;
		this.#times[this.#oldest] = this.#clock?.now() ?? 0;
		if (tags === undefined) this.#seen.set(key, [this.#oldest]);
		else tags.push(this.#oldest);
		this.#oldest++;
		this.#size++;
	}

	/** Whether a remembered frame's first copy is recent enough that a better copy still belongs to its flood (always, without a clock). */
	stillTravelling(frame: FrameIdentity): boolean {
		const slot = this.#slotOf(frame);
		return slot >= 0 && (this.#clock === undefined || this.#clock.now() - this.#times[slot] < BETTER_COPY_WINDOW_MS);
	}

	#slotOf(frame: FrameIdentity): number {
		const slots = this.#seen.get(alertKey(frame));
		if (slots === undefined) return -1;
		for (const slot of slots) if (this.#tags[slot] === frame.networkTag) return slot;
		return -1;
	}

	/**
	 * Forgets every alert of an epoch not in `epochs` (the key epochs the link still holds).
	 * Sequences restart at 0 in each epoch and the key holds only epoch mod 8, so an entry
	 * left over from epoch e would otherwise swallow alerts of epoch e + 8 as "duplicate".
	 */
	retainEpochs(epochs: readonly number[]): void {
		for (let slot = 0; slot < this.#keys.length; slot++) {
			if (!epochs.includes(this.#epochs[slot])) this.#free(slot);
		}
	}

	/** Frames remembered (at most the capacity). */
	get size(): number {
		return this.#size;
	}

	/**
	 * The whole capacity, once the cursor has reached the end of the first slots: until the
	 * ring first wraps, the slots past the cursor are free, so the order in which frames are
	 * forgotten is that of a ring allocated at its full capacity.
	 */
	#grow(): void {
		const length = this.#capacity;
		const keys = new Float64Array(length).fill(-1);
		keys.set(this.#keys);
		this.#keys = keys;
		this.#tags = grown(new Uint32Array(length), this.#tags);
		this.#epochs = grown(new Float64Array(length), this.#epochs);
		this.#ttls = grown(new Uint8Array(length), this.#ttls);
		this.#times = grown(new Float64Array(length), this.#times);
	}

	#free(slot: number): void {
		const key = this.#keys[slot];
		if (key < 0) return;
		const slots = this.#seen.get(key);
		if (slots !== undefined) {
			const index = slots.indexOf(slot);
			if (index >= 0) slots.splice(index, 1);
			if (slots.length === 0) this.#seen.delete(key);
		}
		this.#keys[slot] = -1;
		this.#size--;
	}
}

function grown<Ring extends Float64Array | Uint32Array | Uint8Array>(larger: Ring, ring: Ring): Ring {
	larger.set(ring);
	return larger;
}

/** (epoch mod 8) ‖ source ‖ sequence as one integer below 2^35, exact in a double. */
function alertKey(frame: FrameIdentity): number {
	return (frame.epoch & EPOCH_KEY_ID_MASK) * 2 ** 32 + frame.source * (MAX_SEQUENCE + 1) + frame.sequence;
}

/**
 * The relay decision for an authenticated frame with `ttl` hops left (already capped at
 * the domain's maximum) that is first seen or has more hops left than any copy before:
 * undefined when it must not travel further, else the copy with TTL − 1 and a delay
 * uniform over [0, maxJitterMs) drawn from the injected random source.
 */
export function decideRelay(frame: Uint8Array, ttl: number, random: RandomSource, maxJitterMs: number = DEFAULT_MAX_JITTER_MS): RelayInstruction | undefined {
	if (ttl <= 0) return undefined;
	const draw = random(2);
	const delayMs = Math.floor((((draw[0] << 8) | draw[1]) / 65536) * maxJitterMs);
	return { frame: withTtl(frame, ttl - 1), delayMs };
}
