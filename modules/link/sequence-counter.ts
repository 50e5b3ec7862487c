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
 */
import type { Storage } from "picket/core/host-contracts";
import { readU32, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { MAX_SEQUENCE } from "picket/link/alert-frame";

export type SequenceCounterErrorCode = "sequence-exhausted" | "epoch-rollback" | "counter-corrupt" | "bad-epoch";

export const DEFAULT_SEQUENCE_BLOCK = 64;
const RECORD_LENGTH = 8;

export interface SequenceCounterOptions {
	readonly storage: Storage;
	readonly domain: string;
	readonly key: string;
	/** Numbers reserved per storage write: one write per block, at most one block lost per reboot. */
	readonly blockSize?: number;
	/** The largest sequence the frame can carry. */
	readonly maxSequence?: number;
}

export class SequenceCounter {
	readonly #storage: Storage;
	readonly #domain: string;
	readonly #key: string;
	readonly #blockSize: number;
	readonly #maxSequence: number;
	/** Epoch of the stored reservation, undefined before the first one. */
	#epoch: number | undefined;
	#next = 0;
	#limit = 0;

	constructor(options: SequenceCounterOptions) {
		this.#storage = options.storage;
		this.#domain = options.domain;
		this.#key = options.key;
		this.#blockSize = options.blockSize ?? DEFAULT_SEQUENCE_BLOCK;
		this.#maxSequence = options.maxSequence ?? MAX_SEQUENCE;
		const stored = this.#storage.read(this.#domain, this.#key);
		if (stored === undefined) return;
		if (stored.length !== RECORD_LENGTH) throw new PicketError<SequenceCounterErrorCode>("counter-corrupt", `stored reservation has ${stored.length} bytes`);
		this.#epoch = readU32(stored, 0);
		// Whatever was left of the block before the reboot may have been used: skip it.
		this.#next = this.#limit = readU32(stored, 4);
	}

	/** The next sequence for `epoch`. Throws "sequence-exhausted" when the epoch's space is used up, "epoch-rollback" for an older epoch. */
	next(epoch: number): number {
		if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) throw new PicketError<SequenceCounterErrorCode>("bad-epoch", `epoch ${epoch}`);
		if (this.#epoch !== undefined && epoch < this.#epoch) {
			throw new PicketError<SequenceCounterErrorCode>("epoch-rollback", `epoch ${epoch} is older than ${this.#epoch}`);
		}
		if (this.#epoch === undefined || epoch > this.#epoch) {
			this.#reserve(epoch, 0);
		}
		if (this.#next > this.#maxSequence) throw new PicketError<SequenceCounterErrorCode>("sequence-exhausted", `epoch ${epoch} used all ${this.#maxSequence + 1} sequences`);
		if (this.#next >= this.#limit) this.#reserve(epoch, this.#next);
		return this.#next++;
	}

	/** Sequences still available in `epoch` (all of them for a newer epoch, none for an older one). */
	remaining(epoch: number): number {
		if (this.#epoch === undefined || epoch > this.#epoch) return this.#maxSequence + 1;
		if (epoch < this.#epoch) return 0;
		return this.#maxSequence + 1 - this.#next;
	}

	/** Writes the reservation [from, from + block) first, and only then moves the in-memory state. */
	#reserve(epoch: number, from: number): void {
		const limit = Math.min(from + this.#blockSize, this.#maxSequence + 1);
		const record = new Uint8Array(RECORD_LENGTH);
		writeU32(record, 0, epoch);
		writeU32(record, 4, limit);
		this.#storage.write(this.#domain, this.#key, record);
		this.#epoch = epoch;
		this.#next = from;
		this.#limit = limit;
	}
}
