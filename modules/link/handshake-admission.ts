/**
 * Which messages 1 a responder may spend public-key work on: token buckets on the host's
 * clock, one per claimed initiator and one for the device, so that whatever passes mac1
 * (picket/link/handshake) — a replayed genuine message 1 after a reboot, or the rare blind
 * forgery that guesses mac1 — costs at most a bounded share of the CPU.
 *
 * | bucket                 | burst | refill         | worst case it allows                         |
 * |------------------------|-------|----------------|----------------------------------------------|
 * | per initiator id       | 4     | one per 1 s    | one handshake a second per claimed member    |
 * | global, all initiators | 24    | one per 500 ms | 2 handshakes/s: 4 X25519/s, ~40 % of an ESP32 |
 *
 * Honest traffic stays within: a responder repeating its acknowledgement to a panic's
 * repeats (0.3, 0.6, 1.2, 2.4 s apart) starts a fresh handshake each time
 * (picket/link/pairwise-sessions: a repeat means the first had no effect), which the
 * per-initiator burst and refill cover; an initiator's retries of one message 1 are answered from
 * the pending answer without new work (picket/link/pairwise-sessions), a device starts a
 * new handshake with a peer only when a session is missing or worn out, and the largest
 * honest burst — every responder in range acknowledging one sensor's alert at once — is
 * bounded by the radio's peer list (19 unicast peers), which the global burst covers.
 *
 * Only messages 1 that passed mac1 are charged, so an outsider cannot drain a bucket. The
 * global bucket pays for every X25519 spent; a member's own bucket only for messages 1 that
 * completed Noise (`answered`): an insider who holds the PSK but not member X's static key
 * can forge messages 1 that pass mac1 as X, and were those charged to X, a few would lock X
 * out of every handshake. Their cost lands on the global bucket instead, which bounds the
 * CPU they take (and, while they flood faster than its refill, delays everyone's
 * handshakes: the price of a bounded CPU). Per-initiator buckets are bounded (`maxInitiators`, least recently charged
 * forgotten: a forgotten one comes back full, which is only as generous as the global bucket).
 */
export interface HandshakeAdmissionOptions {
	readonly perInitiatorBurst?: number;
	readonly perInitiatorRefillMs?: number;
	readonly globalBurst?: number;
	readonly globalRefillMs?: number;
	readonly maxInitiators?: number;
}

export const DEFAULT_PER_INITIATOR_BURST = 4;
export const DEFAULT_PER_INITIATOR_REFILL_MS = 1_000;
export const DEFAULT_GLOBAL_BURST = 24;
export const DEFAULT_GLOBAL_REFILL_MS = 500;
export const DEFAULT_MAX_INITIATORS = 32;

/** A token bucket on a caller-given clock: `burst` tokens, one more every `refillMs`. */
export class TokenBucket {
	readonly #burst: number;
	readonly #refillMs: number;
	#tokens: number;
	#updated: number;

	constructor(burst: number, refillMs: number, now: number) {
		this.#burst = burst;
		this.#refillMs = refillMs;
		this.#tokens = burst;
		this.#updated = now;
	}

	/** True when a token is available at `now` (without taking it). */
	has(now: number): boolean {
		this.#refill(now);
		return this.#tokens >= 1;
	}

	/** Takes a token; false when none is left. */
	take(now: number): boolean {
		if (!this.has(now)) return false;
		this.#tokens -= 1;
		return true;
	}

	#refill(now: number): void {
		if (now > this.#updated) this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updated) / this.#refillMs);
		this.#updated = Math.max(this.#updated, now);
	}
}

export class HandshakeAdmission {
	readonly #perInitiatorBurst: number;
	readonly #perInitiatorRefillMs: number;
	readonly #maxInitiators: number;
	readonly #global: TokenBucket;
	/** Insertion order is recency order. */
	readonly #initiators = new Map<number, TokenBucket>();

	constructor(now: number, options: HandshakeAdmissionOptions = {}) {
		this.#perInitiatorBurst = options.perInitiatorBurst ?? DEFAULT_PER_INITIATOR_BURST;
		this.#perInitiatorRefillMs = options.perInitiatorRefillMs ?? DEFAULT_PER_INITIATOR_REFILL_MS;
		this.#maxInitiators = Math.max(1, options.maxInitiators ?? DEFAULT_MAX_INITIATORS);
		this.#global = new TokenBucket(options.globalBurst ?? DEFAULT_GLOBAL_BURST, options.globalRefillMs ?? DEFAULT_GLOBAL_REFILL_MS, now);
	}

	/** True, and the global bucket charged, when a handshake with `initiator` may run now. */
	admit(initiator: number, now: number): boolean {
		if (!this.#bucketOf(initiator, now).has(now) || !this.#global.has(now)) return false;
		this.#global.take(now);
		return true;
	}

	/** `initiator`'s message 1 passed Noise and was answered: its own bucket pays. */
	answered(initiator: number, now: number): void {
		this.#bucketOf(initiator, now).take(now);
	}

	#bucketOf(initiator: number, now: number): TokenBucket {
		let bucket = this.#initiators.get(initiator);
		if (bucket === undefined) {
			bucket = new TokenBucket(this.#perInitiatorBurst, this.#perInitiatorRefillMs, now);
			if (this.#initiators.size >= this.#maxInitiators) this.#initiators.delete(this.#initiators.keys().next().value!);
		}
		this.#initiators.delete(initiator);
		this.#initiators.set(initiator, bucket);
		return bucket;
	}
}
