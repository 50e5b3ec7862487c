/**
 * The alert sequence counter of this device, one per key epoch, that never hands out the
 * same (epoch, sequence) twice, across reboots and power cuts at any instant.
 *
 * It reserves a block of numbers in Storage BEFORE handing any of them out: the stored
 * value is the first number not yet reserved. After a reboot the counter resumes at that
 * limit and forgets the rest of the old block (at most one block lost per reboot). Storage
 * writes are atomic per key (host-contracts.ts), so a cut during a write leaves either the
 * old reservation (nothing from the new block was handed out yet) or the new one.
 *
 * | stored byte | field  | content                                          |
 * |-------------|--------|--------------------------------------------------|
 * | 0..3        | epoch  | key epoch of the reservation, u32 big-endian     |
 * | 4..7        | limit  | first sequence not reserved, u32 big-endian      |
 *
 * A larger epoch starts again at 0 (new keys, new nonces); a smaller one is refused
 * ("epoch-rollback"): going back would repeat nonces under keys already used.
 *
 * Flash damage (not a cut) can make storage lose its newest record and answer with the one
 * before (StoredValue, host-contracts.ts). The counter keeps every record one step from the
 * one before it — a step is one block further in the same epoch, or the first block of a
 * newer epoch — so a lost record is at most one step beyond the one read, and what storage
 * cannot vouch for is never read as "start at 0":
 * - "latest": resume at the limit, as above.
 * - "latest-or-previous": a reservation (epoch, limit + block) or (a newer epoch, block)
 *   may have been lost: resume at limit + block, and start a newer epoch at block. The
 *   first reservation then writes the step it skips, (epoch, from), before (epoch,
 *   from + block), so that the records stay one step apart.
 * - "first-value-lost": the first record written to the key, always (some epoch, block),
 *   did not complete or was damaged: every epoch starts at block, the same way.
 * - "damaged" (two records, none intact) or a record of the wrong size: the last
 *   reservation is unknown, so every epoch up to the one the device sends in at boot may
 *   have been used. `next` refuses them with "counter-corrupt" (the alarm policy logs
 *   "send-failed"); the device still receives and relays. The first newer epoch (a
 *   rotation, a revocation's key-epoch delivery) is a nonce space never used: sending
 *   resumes there, from 0.
 * A counter whose two NVS entries NVS itself dropped reads "absent" and starts at 0: no
 * layer over NVS can tell that from a counter never used (power-safe-storage.ts).
 */
import type { Storage } from "picket/core/host-contracts";
import { readU32, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { MAX_EXTENDED_SEQUENCE } from "picket/link/alert-frame";

export type SequenceCounterErrorCode = "sequence-exhausted" | "epoch-rollback" | "counter-corrupt" | "bad-epoch";

export const DEFAULT_SEQUENCE_BLOCK = 64;
const RECORD_LENGTH = 8;

export interface SequenceCounterOptions {
	readonly storage: Storage;
	readonly domain: string;
	readonly key: string;
	/** Numbers reserved per storage write: one write per block, at most one block lost per reboot. */
	readonly blockSize?: number;
	/** The largest sequence handed out: the extended sequence's (alert-frame.ts), whose low 19 bits travel. */
	readonly maxSequence?: number;
}

export class SequenceCounter {
	readonly #storage: Storage;
	readonly #domain: string;
	readonly #key: string;
	readonly #blockSize: number;
	readonly #maxSequence: number;
	/** The stored reservation (epoch undefined before the first one): what the next record must be one step from. */
	#epoch: number | undefined;
	#limit = 0;
	/** The next sequence to hand out: the stored limit after a reboot, beyond it when storage may be a step behind. */
	#next = 0;
	/** Where a newer epoch starts: 0, or one block in when storage may have lost a first block. */
	#newEpochStart = 0;
	/** The stored reservation is damaged: epochs up to `refusedThrough` are refused (undefined until `next` names the epoch in use). */
	#damaged: { refusedThrough: number | undefined } | undefined;

	constructor(options: SequenceCounterOptions) {
		this.#storage = options.storage;
		this.#domain = options.domain;
		this.#key = options.key;
		this.#blockSize = options.blockSize ?? DEFAULT_SEQUENCE_BLOCK;
		this.#maxSequence = options.maxSequence ?? MAX_EXTENDED_SEQUENCE;
		const stored = this.#storage.inspect(this.#domain, this.#key);
		const firstBlock = Math.min(this.#blockSize, this.#maxSequence + 1);
		if (stored.state === "absent") return;
		if (stored.state === "first-value-lost") {
			this.#newEpochStart = firstBlock;
			return;
		}
		if (!("value" in stored) || stored.value.length !== RECORD_LENGTH) {
			this.#damaged = { refusedThrough: undefined };
			return;
		}
		this.#epoch = readU32(stored.value, 0);
		// Whatever was left of the block before the reboot may have been used: skip it.
		this.#next = this.#limit = readU32(stored.value, 4);
		if (stored.state === "latest-or-previous") {
			this.#next = Math.min(this.#limit + this.#blockSize, this.#maxSequence + 1);
			this.#newEpochStart = firstBlock;
		}
	}

	/** The next sequence for `epoch`. Throws "sequence-exhausted" when the epoch's space is used up, "epoch-rollback" for an older epoch, "counter-corrupt" (see above). */
	next(epoch: number): number {
		if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) throw new PicketError<SequenceCounterErrorCode>("bad-epoch", `epoch ${epoch}`);
		const damaged = this.#damaged;
		if (damaged !== undefined) {
			// The epoch in use at boot is the newest this device can have sent in.
			damaged.refusedThrough ??= epoch;
			if (epoch <= damaged.refusedThrough) {
				throw new PicketError<SequenceCounterErrorCode>("counter-corrupt", `stored reservation damaged: epoch ${epoch} may have used any sequence`);
			}
		}
		if (this.#epoch !== undefined && epoch < this.#epoch) {
			throw new PicketError<SequenceCounterErrorCode>("epoch-rollback", `epoch ${epoch} is older than ${this.#epoch}`);
		}
		if (this.#epoch === undefined || epoch > this.#epoch) this.#reserve(epoch, this.#newEpochStart);
		if (this.#next > this.#maxSequence) throw new PicketError<SequenceCounterErrorCode>("sequence-exhausted", `epoch ${epoch} used all ${this.#maxSequence + 1} sequences`);
		if (this.#next >= this.#limit) this.#reserve(epoch, this.#next);
		return this.#next++;
	}

	/** Sequences still available in `epoch` (none for an older one, or one refused after damage). */
	remaining(epoch: number): number {
		if (this.#damaged !== undefined && epoch <= (this.#damaged.refusedThrough ?? Infinity)) return 0;
		if (this.#epoch === undefined || epoch > this.#epoch) return this.#maxSequence + 1 - this.#newEpochStart;
		if (epoch < this.#epoch) return 0;
		return this.#maxSequence + 1 - this.#next;
	}

	/**
	 * Stores the reservation [from, from + block), and only then moves the in-memory state.
	 * When `from` is not one step from the stored record (numbers skipped after a reboot
	 * storage could not vouch for), (epoch, from) is stored first: the step skipped.
	 */
	#reserve(epoch: number, from: number): void {
		const oneStep = this.#epoch === epoch ? this.#limit : 0;
		if (from !== oneStep) {
			this.#store(epoch, from);
			this.#next = from; // should the next write fail, nothing below `from` is handed out
		}
		this.#store(epoch, Math.min(from + this.#blockSize, this.#maxSequence + 1));
		this.#next = from;
		// The reservation just stored supersedes whatever storage may have lost.
		this.#newEpochStart = 0;
		this.#damaged = undefined;
	}

	#store(epoch: number, limit: number): void {
		const record = new Uint8Array(RECORD_LENGTH);
		writeU32(record, 0, epoch);
		writeU32(record, 4, limit);
		this.#storage.write(this.#domain, this.#key, record);
		this.#epoch = epoch;
		this.#limit = limit;
	}
}
