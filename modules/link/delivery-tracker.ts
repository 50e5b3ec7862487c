/**
 * The key-epoch deliveries a carrier holds until their addressees acknowledge them
 * (DESIGN.md "Revocation is a new key epoch delivered over pairwise sessions to the members
 * that remain": a revocation is only as good as its last member).
 *
 * A delivery is sent at once, then again after `firstRetryMs`, doubling up to `maxRetryMs`
 * between sends, until the addressee's "delivery-ack" (picket/link/session-command) for its
 * epoch or a later one arrives over their pairwise session, or `attempts` sends went out.
 * The ack is a session frame: only the addressee can make it, so nobody else (the revoked
 * device included) can end a carrier's retransmissions. A delivery given up is still held:
 * when its member is heard sending under an old epoch (`heardBehind`: an alert or envelope
 * refused as "wrong-epoch", which names its source in clear), it is sent again, at most once
 * per `firstRetryMs` per member, so a forged "old epoch" frame buys an attacker one
 * resend per member and second, never a flood.
 *
 * Each send hands the whole sealed delivery to the session layer, which chunks it over one
 * session (the receiver reassembles per peer and session, delivery-reassembly.ts): a lost
 * chunk costs a resend of the delivery, about a roster's bytes.
 *
 * Bounded: at most `capacity` deliveries held (a carrier holds one per member it serves);
 * holding one more replaces the one held longest.
 */
import type { TimerId, Timers } from "picket/core/host-contracts";

export const DEFAULT_FIRST_RETRY_MS = 1_000;
/**
 * Resends stay 2 s apart at most: a member still in the old epoch reads no new alert, so the
 * revocation is only done when the last member installs, and one delivery per member every
 * 2 s is a handful of frames against the alerts' repeats (bench/sim prints the airtime).
 */
export const DEFAULT_MAX_RETRY_MS = 2_000;
export const DEFAULT_DELIVERY_ATTEMPTS = 10;
export const DEFAULT_HELD_DELIVERIES = 64;

export interface DeliveryTrackerOptions {
	readonly timers: Timers;
	/** Hands the whole delivery to the session layer for `peer`. */
	readonly send: (peer: number, delivery: Uint8Array) => void;
	/** `peer` acknowledged, `sends` sends after it was first sent (for logs and the simulator). */
	readonly onAcknowledged?: (peer: number, sends: number) => void;
	readonly firstRetryMs?: number;
	readonly maxRetryMs?: number;
	readonly attempts?: number;
	readonly capacity?: number;
}

interface Held {
	readonly delivery: Uint8Array;
	readonly epoch: number;
	sends: number;
	lastSentAt: number;
	timer: TimerId | undefined;
}

export class DeliveryTracker {
	readonly #options: DeliveryTrackerOptions;
	readonly #firstRetryMs: number;
	readonly #maxRetryMs: number;
	readonly #attempts: number;
	readonly #capacity: number;
	/** By addressee; insertion order is the order they were handed over. */
	readonly #held = new Map<number, Held>();

	constructor(options: DeliveryTrackerOptions) {
		this.#options = options;
		this.#firstRetryMs = options.firstRetryMs ?? DEFAULT_FIRST_RETRY_MS;
		this.#maxRetryMs = options.maxRetryMs ?? DEFAULT_MAX_RETRY_MS;
		this.#attempts = Math.max(1, options.attempts ?? DEFAULT_DELIVERY_ATTEMPTS);
		this.#capacity = Math.max(1, options.capacity ?? DEFAULT_HELD_DELIVERIES);
	}

	/** Members whose delivery is still unacknowledged. */
	get waiting(): number[] {
		return [...this.#held.keys()];
	}

	/** True while a delivery for `peer` waits for its acknowledgement: `peer` is still in an older epoch. */
	holds(peer: number): boolean {
		return this.#held.has(peer);
	}

	/** Holds `delivery` (key epoch `epoch`) for `peer` and sends it now; replaces an older one held for `peer`. */
	hold(peer: number, delivery: Uint8Array, epoch: number): void {
		const known = this.#held.get(peer);
		if (known !== undefined) {
			if (known.epoch > epoch) return;
			this.#release(peer, known);
		}
		if (this.#held.size >= this.#capacity) {
			const [oldest, held] = this.#held.entries().next().value!;
			this.#release(oldest, held);
		}
		const held: Held = { delivery: delivery.slice(), epoch, sends: 0, lastSentAt: 0, timer: undefined };
		this.#held.set(peer, held);
		this.#send(peer, held);
	}

	/** `peer` says it holds key epoch `epoch`: true when that ended a held delivery. */
	acknowledged(peer: number, epoch: number): boolean {
		const held = this.#held.get(peer);
		if (held === undefined || epoch < held.epoch) return false;
		this.#release(peer, held);
		this.#options.onAcknowledged?.(peer, held.sends);
		return true;
	}

	/** `peer` was heard sending under an old epoch: send its delivery again now, if held and not sent within `firstRetryMs`. */
	heardBehind(peer: number): void {
		const held = this.#held.get(peer);
		if (held === undefined || this.#options.timers.now() - held.lastSentAt < this.#firstRetryMs) return;
		this.#send(peer, held);
	}

	close(): void {
		for (const [peer, held] of [...this.#held]) this.#release(peer, held);
	}

	#send(peer: number, held: Held): void {
		const timers = this.#options.timers;
		if (held.timer !== undefined) timers.clearTimeout(held.timer);
		held.timer = undefined;
		held.sends++;
		held.lastSentAt = timers.now();
		this.#options.send(peer, held.delivery);
		if (held.sends >= this.#attempts) return; // given up, still held for heardBehind
		const delay = Math.min(this.#maxRetryMs, this.#firstRetryMs * 2 ** (held.sends - 1));
		held.timer = timers.setTimeout(() => {
			held.timer = undefined;
			if (this.#held.get(peer) === held) this.#send(peer, held);
		}, delay);
	}

	#release(peer: number, held: Held): void {
		if (held.timer !== undefined) this.#options.timers.clearTimeout(held.timer);
		held.timer = undefined;
		this.#held.delete(peer);
	}
}
