/**
 * A board's side of an update: accept a signed offer, store the chunks it is sent in the
 * firmware slot, check each page as soon as it is whole, check the whole image, mark it
 * bootable, and confirm it after a healthy boot. Every step survives a power cut.
 *
 * What is checked, and when (nothing reaches the bootloader before step 4 passes):
 *
 *   1. offer: signed by the pinned update key; security counter ≥ the board's floor
 *      ("downgrade"); version newer than the running one ("not-newer"); fits the slot
 *      ("too-large"); no image marked bootable or on trial ("install-pending"). A replayed
 *      or older offer is refused here, before any flash is erased.
 *   2. page table (the first chunks): SHA-256 = the offer's page table digest, else dropped
 *      and fetched again.
 *   3. each page, read back from flash once its chunks are in: its digest = the table's, else
 *      the page is erased and fetched again (a tampered or truncated chunk costs one page).
 *   4. the whole image, read back from flash: image-acceptance.ts (hash, MCUboot header and
 *      TLVs, SEC_CNT, key hash, ECDSA signature); then markBootable.
 *   5. after the reset: the new firmware calls confirmHealthy() once it has booted well; a
 *      reset before that makes the bootloader boot the old image (FirmwareSlot).
 *
 * Power-safe progress (Storage, domain "update", each key atomic):
 *
 * | key      | value                                                                    |
 * |----------|--------------------------------------------------------------------------|
 * | offer    | the signed offer of the rollout in progress (written before anything else) |
 * | table    | its page table, once verified                                            |
 * | progress | u8 state, u32 rollout, then a bitmap of verified pages (bit p: byte p>>3, bit p&7) |
 * | floor    | u32: the lowest security counter this board accepts (raised on confirm)  |
 *
 * States: 1 receiving, 2 verified (about to mark bootable), 3 marked (bootable, waiting for
 * the trial boot; in RAM "trial" once the new image runs and until it confirms), 4 refused (a signed offer whose image failed step 4, or whose trial boot
 * rolled back: not fetched again). After a cut, `resume` re-verifies the stored offer, erases
 * every page not yet verified (it may hold half a write) and carries on: only verified pages
 * are kept, so a cut at any instant costs at most the pages in flight.
 */
import { readU32, writeU32 } from "picket/core/bytes";
import type { Storage } from "picket/core/host-contracts";
import { isPicketError, PicketError } from "picket/core/picket-error";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import type { FirmwareSlot } from "picket/update/firmware-slot";
import { acceptImage, type AcceptedImage } from "picket/update/image-acceptance";
import type { ImageVersion } from "picket/update/mcuboot-structure";
import { PAGE_DIGEST_LENGTH, TransferPlan } from "picket/update/transfer-plan";
import { UPDATE_STORAGE_DOMAIN } from "picket/update/update-anchor";
import { compareVersions, verifyOffer, type UpdateOffer } from "picket/update/update-offer";

export type InstallerErrorCode =
	| "downgrade" // security counter below the board's floor
	| "not-newer" // version not newer than the running firmware
	| "too-large" // the image does not fit the slot
	| "refused-rollout" // this rollout's image already failed its check or its trial boot
	| "install-pending"; // an image is marked bootable or runs on trial: the slot holds the way back, not touched until confirm

export type InstallerState = "idle" | "receiving" | "verified" | "marked" | "trial" | "refused";

/** What storing one chunk did. */
export type ChunkOutcome =
	| "stored" // kept; its page is not whole yet
	| "duplicate" // already held
	| "not-current" // no rollout in progress, another rollout's, or outside the plan
	| "bad-length" // not the length the plan gives that chunk
	| "table-verified"
	| "table-refused" // the page table did not match the offer: its chunks are dropped
	| "page-verified"
	| "page-refused" // a page did not match its digest: erased, to be fetched again
	| "installed" // the last page made the image whole and it passed every check: marked bootable
	| "image-refused"; // whole, but refused by image-acceptance.ts (see lastError)

export interface RunningFirmware {
	readonly version: ImageVersion;
	readonly securityCounter: number;
}

export interface UpdateInstallerOptions {
	readonly crypto: CryptoSuite;
	readonly storage: Storage;
	readonly slot: FirmwareSlot;
	/** The pinned update key (update-anchor.ts). */
	readonly anchor: Uint8Array;
	/** What runs now (the firmware's own version and SEC_CNT). */
	readonly running: RunningFirmware;
}

const STATE_CODES: Record<Exclude<InstallerState, "idle" | "trial">, number> = { receiving: 1, verified: 2, marked: 3, refused: 4 };
const READ_PIECE = 4096;

function fail(code: InstallerErrorCode, message: string): never {
	throw new PicketError<InstallerErrorCode>(code, message);
}

export class UpdateInstaller {
	readonly #crypto: CryptoSuite;
	readonly #storage: Storage;
	readonly #slot: FirmwareSlot;
	readonly #anchor: Uint8Array;
	readonly #running: RunningFirmware;
	#state: InstallerState = "idle";
	#offer: UpdateOffer | undefined;
	#offerBytes: Uint8Array | undefined;
	#plan: TransferPlan | undefined;
	/** Chunks held, one bit each (RAM only: rebuilt from the verified pages after a cut). */
	#chunks = new Uint8Array(0);
	#held = 0;
	#table: Uint8Array | undefined;
	/** The page table while it arrives. */
	#tableBuffer = new Uint8Array(0);
	#verifiedPages = new Uint8Array(0);
	#lastError: PicketError | undefined;

	constructor(options: UpdateInstallerOptions) {
		this.#crypto = options.crypto;
		this.#storage = options.storage;
		this.#slot = options.slot;
		this.#anchor = options.anchor;
		this.#running = options.running;
	}

	get state(): InstallerState {
		return this.#state;
	}

	get offer(): UpdateOffer | undefined {
		return this.#offer;
	}

	/** The signed offer bytes, to pass on to neighbours. */
	get offerBytes(): Uint8Array | undefined {
		return this.#offerBytes;
	}

	get plan(): TransferPlan | undefined {
		return this.#plan;
	}

	/** Why the last image or page was refused. */
	get lastError(): PicketError | undefined {
		return this.#lastError;
	}

	/** The security counter below which nothing is accepted. */
	get floor(): number {
		const stored = this.#storage.read(UPDATE_STORAGE_DOMAIN, "floor");
		const floor = stored !== undefined && stored.length === 4 ? readU32(stored, 0) : 0;
		return Math.max(floor, this.#running.securityCounter);
	}

	/** Chunks still missing (0 when idle). */
	get missingCount(): number {
		return this.#plan === undefined || this.#state !== "receiving" ? 0 : this.#plan.totalChunks - this.#held;
	}

	/**
	 * After a reset: picks up a rollout in progress, or, running on trial, waits for
	 * confirmHealthy. Returns the state it resumed in.
	 */
	resume(): InstallerState {
		const progress = this.#storage.read(UPDATE_STORAGE_DOMAIN, "progress");
		const offerBytes = this.#storage.read(UPDATE_STORAGE_DOMAIN, "offer");
		if (progress === undefined || progress.length < 5 || offerBytes === undefined) return this.#forget();
		let offer: UpdateOffer;
		try {
			offer = verifyOffer(this.#crypto, this.#anchor, offerBytes);
		} catch {
			return this.#forget();
		}
		if (offer.rollout !== readU32(progress, 1)) return this.#forget();
		const code = progress[0];
		this.#load(offer, offerBytes);
		if (code === STATE_CODES.refused) {
			this.#state = "refused";
			return this.#state;
		}
		if (code === STATE_CODES.verified || code === STATE_CODES.marked) {
			const versusRunning = compareVersions(offer.version, this.#running.version);
			if (this.#slot.bootState().trial || versusRunning <= 0) {
				// The new image runs (on trial: confirmHealthy finishes; confirmed: nothing left).
				this.#state = "trial";
				if (!this.#slot.bootState().trial) {
					this.#finishConfirmed();
					return this.#forget();
				}
				return this.#state;
			}
			if (code === STATE_CODES.marked) {
				// Marked bootable, and the old image runs again: the trial boot failed.
				this.#lastError = new PicketError("rolled-back", "the new image did not confirm itself; the bootloader went back");
				this.#saveProgress("refused");
				this.#state = "refused";
				return this.#state;
			}
			// A cut between the check and markBootable (which may rewrite the slot's first block,
			// as the ESP32's does): check every page again, fetch what is bad, then install.
			const table = this.#storage.read(UPDATE_STORAGE_DOMAIN, "table");
			if (table === undefined || table.length !== this.#plan!.tableLength || !this.#tableMatches(table)) return this.#forget();
			this.#table = table;
			this.#state = "receiving";
			for (let index = 0; index < this.#plan!.tableChunks; index++) this.#mark(index);
			for (let page = 0; page < this.#plan!.pageCount; page++) {
				const { first, end } = this.#plan!.pageChunks(page);
				for (let index = first; index < end; index++) this.#mark(index);
				this.#checkPage(page);
			}
			if (this.#held === this.#plan!.totalChunks) this.#install();
			return this.#state;
		}
		// Receiving: keep the verified pages, erase the rest (they may hold half a write).
		const plan = this.#plan!;
		this.#verifiedPages.set(progress.subarray(5, 5 + this.#verifiedPages.length));
		const table = this.#storage.read(UPDATE_STORAGE_DOMAIN, "table");
		if (table !== undefined && table.length === plan.tableLength && this.#tableMatches(table)) {
			this.#table = table;
			for (let index = 0; index < plan.tableChunks; index++) this.#mark(index);
		}
		for (let page = 0; page < plan.pageCount; page++) {
			if (this.#pageVerified(page) && this.#table !== undefined) {
				const { first, end } = plan.pageChunks(page);
				for (let index = first; index < end; index++) this.#mark(index);
			} else {
				this.#setPageVerified(page, false);
				this.#erasePage(page);
			}
		}
		this.#state = "receiving";
		if (this.#held === plan.totalChunks) this.#install();
		return this.#state;
	}

	/**
	 * Considers a signed offer heard on the air. "current" when it is the rollout in progress
	 * (or already installed); "accepted" when a new rollout starts (the slot is erased).
	 * Throws "bad-offer"/"bad-offer-signature" (update-offer.ts), "downgrade", "not-newer",
	 * "too-large", "refused-rollout".
	 */
	considerOffer(bytes: Uint8Array): "accepted" | "current" {
		const offer = verifyOffer(this.#crypto, this.#anchor, bytes);
		if (this.#offer !== undefined && offer.rollout === this.#offer.rollout && compareVersions(offer.version, this.#offer.version) === 0) {
			if (this.#state === "refused") fail("refused-rollout", "this rollout's image was refused");
			return "current";
		}
		if (this.#state === "verified" || this.#state === "marked" || this.#slot.bootState().trial) {
			// Erasing the slot now would erase what the bootloader is about to boot, or the image it falls back to.
			fail("install-pending", "an installed image waits for its trial boot and confirmation");
		}
		if (offer.securityCounter < this.floor) fail("downgrade", `security counter ${offer.securityCounter} is below this board's ${this.floor}`);
		if (compareVersions(offer.version, this.#running.version) <= 0) fail("not-newer", "the offered version is not newer than the running firmware");
		if (this.#offer !== undefined && this.#state !== "refused" && compareVersions(offer.version, this.#offer.version) <= 0) {
			fail("not-newer", "a newer rollout is already in progress");
		}
		if (offer.imageLength > this.#slot.capacity) fail("too-large", `${offer.imageLength} bytes do not fit a ${this.#slot.capacity}-byte slot`);
		// Offer first, then progress: a cut in between leaves the old progress, which names another rollout.
		this.#storage.write(UPDATE_STORAGE_DOMAIN, "offer", bytes.slice());
		this.#storage.delete(UPDATE_STORAGE_DOMAIN, "table");
		this.#load(offer, bytes.slice());
		this.#state = "receiving";
		this.#saveProgress("receiving");
		for (let page = 0; page < this.#plan!.pageCount; page++) this.#erasePage(page);
		return "accepted";
	}

	/** True when chunk `index` of rollout `rollout` is held (a neighbour may be served it). */
	has(rollout: number, index: number): boolean {
		if (this.#offer === undefined || rollout !== this.#offer.rollout || this.#plan === undefined) return false;
		if (this.#state === "marked" || this.#state === "verified") return index >= 0 && index < this.#plan.totalChunks;
		return this.#state === "receiving" && index >= 0 && index < this.#plan.totalChunks && (this.#chunks[index >> 3] & (1 << (index & 7))) !== 0;
	}

	/** The bytes of a held chunk (from the slot, or the page table), for serving neighbours. */
	readChunk(rollout: number, index: number): Uint8Array | undefined {
		if (!this.has(rollout, index)) return undefined;
		const place = this.#plan!.place(index)!;
		if (place.segment === "table") return this.#table?.slice(place.offset, place.offset + place.length);
		return this.#slot.read(place.offset, place.length);
	}

	/** Missing chunks in [base, base + count) as a bitmap (bit i: byte i>>3, bit i&7). */
	missingBitmap(base: number, count: number): Uint8Array {
		const bitmap = new Uint8Array(Math.ceil(count / 8));
		if (this.#plan === undefined || this.#state !== "receiving") return bitmap;
		for (let i = 0; i < count; i++) {
			const index = base + i;
			if (index < this.#plan.totalChunks && (this.#chunks[index >> 3] & (1 << (index & 7))) === 0) bitmap[i >> 3] |= 1 << (i & 7);
		}
		return bitmap;
	}

	/** The first missing chunk at or after `from`, or -1. */
	firstMissing(from = 0): number {
		if (this.#plan === undefined || this.#state !== "receiving") return -1;
		for (let index = Math.max(0, from); index < this.#plan.totalChunks; index++) {
			if ((this.#chunks[index >> 3] & (1 << (index & 7))) === 0) return index;
		}
		return -1;
	}

	/** Stores one chunk of the rollout in progress (see ChunkOutcome). */
	storeChunk(rollout: number, index: number, bytes: Uint8Array): ChunkOutcome {
		if (this.#state !== "receiving" || this.#offer === undefined || rollout !== this.#offer.rollout) return "not-current";
		const plan = this.#plan!;
		const place = plan.place(index);
		if (place === undefined) return "not-current";
		if ((this.#chunks[index >> 3] & (1 << (index & 7))) !== 0) return "duplicate";
		if (bytes.length !== place.length) return "bad-length";
		if (place.segment === "table") {
			this.#tableBuffer.set(bytes, place.offset);
			this.#mark(index);
			return this.#held >= plan.tableChunks && this.#tableComplete() ? this.#checkTable() : "stored";
		}
		this.#slot.write(place.offset, bytes);
		this.#mark(index);
		const { first, end } = plan.pageChunks(place.page);
		for (let other = first; other < end; other++) if ((this.#chunks[other >> 3] & (1 << (other & 7))) === 0) return "stored";
		if (this.#table === undefined) return "stored"; // checked when the table is in
		const outcome = this.#checkPage(place.page);
		if (outcome === "page-verified" && this.#held === plan.totalChunks) return this.#install();
		return outcome;
	}

	/**
	 * The firmware booted on trial and works: keep it. The floor rises to its security counter,
	 * so the image it replaced can never be installed again.
	 */
	confirmHealthy(): void {
		if (!this.#slot.bootState().trial) return;
		this.#slot.confirm();
		this.#finishConfirmed();
		this.#forget();
	}

	#finishConfirmed(): void {
		const floor = new Uint8Array(4);
		writeU32(floor, 0, Math.max(this.floor, this.#running.securityCounter));
		this.#storage.write(UPDATE_STORAGE_DOMAIN, "floor", floor);
		this.#storage.delete(UPDATE_STORAGE_DOMAIN, "progress");
		this.#storage.delete(UPDATE_STORAGE_DOMAIN, "table");
		this.#storage.delete(UPDATE_STORAGE_DOMAIN, "offer");
	}

	#forget(): InstallerState {
		this.#state = "idle";
		this.#offer = undefined;
		this.#offerBytes = undefined;
		this.#plan = undefined;
		return this.#state;
	}

	#load(offer: UpdateOffer, bytes: Uint8Array): void {
		const plan = new TransferPlan(offer);
		this.#offer = offer;
		this.#offerBytes = bytes;
		this.#plan = plan;
		this.#chunks = new Uint8Array(Math.ceil(plan.totalChunks / 8));
		this.#held = 0;
		this.#table = undefined;
		this.#tableBuffer = new Uint8Array(plan.tableLength);
		this.#verifiedPages = new Uint8Array(Math.ceil(plan.pageCount / 8));
		this.#lastError = undefined;
	}

	#mark(index: number): void {
		const bit = 1 << (index & 7);
		if ((this.#chunks[index >> 3] & bit) !== 0) return;
		this.#chunks[index >> 3] |= bit;
		this.#held++;
	}

	#unmark(first: number, end: number): void {
		for (let index = first; index < end; index++) {
			const bit = 1 << (index & 7);
			if ((this.#chunks[index >> 3] & bit) === 0) continue;
			this.#chunks[index >> 3] &= ~bit;
			this.#held--;
		}
	}

	#tableComplete(): boolean {
		for (let index = 0; index < this.#plan!.tableChunks; index++) if ((this.#chunks[index >> 3] & (1 << (index & 7))) === 0) return false;
		return true;
	}

	#tableMatches(table: Uint8Array): boolean {
		const digest = this.#crypto.sha256(table);
		let difference = 0;
		for (let i = 0; i < 32; i++) difference |= digest[i] ^ this.#offer!.pageTableDigest[i];
		return difference === 0;
	}

	#checkTable(): ChunkOutcome {
		const plan = this.#plan!;
		if (!this.#tableMatches(this.#tableBuffer)) {
			this.#unmark(0, plan.tableChunks);
			return "table-refused";
		}
		this.#table = this.#tableBuffer.slice();
		this.#storage.write(UPDATE_STORAGE_DOMAIN, "table", this.#table);
		// Pages that became whole before the table arrived are checked now.
		let outcome: ChunkOutcome = "table-verified";
		for (let page = 0; page < plan.pageCount; page++) {
			const { first, end } = plan.pageChunks(page);
			let whole = true;
			for (let index = first; index < end && whole; index++) whole = (this.#chunks[index >> 3] & (1 << (index & 7))) !== 0;
			if (whole && !this.#pageVerified(page)) this.#checkPage(page);
		}
		if (this.#held === plan.totalChunks) outcome = this.#install();
		return outcome;
	}

	#checkPage(page: number): ChunkOutcome {
		const plan = this.#plan!;
		const length = plan.pageLength(page);
		const stream = this.#crypto.sha256Stream();
		for (let offset = 0; offset < length; offset += READ_PIECE) stream.update(this.#slot.read(page * plan.pageSize + offset, Math.min(READ_PIECE, length - offset)));
		const digest = stream.digest();
		const expected = this.#table!.subarray(page * PAGE_DIGEST_LENGTH, (page + 1) * PAGE_DIGEST_LENGTH);
		let difference = 0;
		for (let i = 0; i < PAGE_DIGEST_LENGTH; i++) difference |= digest[i] ^ expected[i];
		if (difference !== 0) {
			const { first, end } = plan.pageChunks(page);
			this.#unmark(first, end);
			this.#erasePage(page);
			return "page-refused";
		}
		this.#setPageVerified(page, true);
		this.#saveProgress("receiving");
		return "page-verified";
	}

	#pageVerified(page: number): boolean {
		return (this.#verifiedPages[page >> 3] & (1 << (page & 7))) !== 0;
	}

	#setPageVerified(page: number, verified: boolean): void {
		if (verified) this.#verifiedPages[page >> 3] |= 1 << (page & 7);
		else this.#verifiedPages[page >> 3] &= ~(1 << (page & 7));
	}

	#erasePage(page: number): void {
		const plan = this.#plan!;
		const block = this.#slot.eraseBlock;
		const length = Math.ceil(plan.pageLength(page) / block) * block;
		this.#slot.erase(page * plan.pageSize, Math.min(length, this.#slot.capacity - page * plan.pageSize));
	}

	#saveProgress(state: Exclude<InstallerState, "idle" | "trial">): void {
		const record = new Uint8Array(5 + this.#verifiedPages.length);
		record[0] = STATE_CODES[state];
		writeU32(record, 1, this.#offer!.rollout);
		record.set(this.#verifiedPages, 5);
		this.#storage.write(UPDATE_STORAGE_DOMAIN, "progress", record);
	}

	/** Step 4: the whole image from flash, then markBootable. */
	#install(): ChunkOutcome {
		let accepted: AcceptedImage;
		try {
			accepted = acceptImage(this.#crypto, this.#slot, this.#offer!, this.#anchor);
			if (accepted.securityCounter < this.floor) fail("downgrade", `security counter ${accepted.securityCounter} is below this board's ${this.floor}`);
		} catch (error) {
			if (!isPicketError(error)) throw error;
			this.#lastError = error;
			this.#saveProgress("refused");
			this.#state = "refused";
			this.#slot.erase(0, Math.ceil(this.#offer!.imageLength / this.#slot.eraseBlock) * this.#slot.eraseBlock);
			return "image-refused";
		}
		this.#saveProgress("verified");
		this.#state = "verified";
		this.#slot.markBootable();
		this.#saveProgress("marked");
		this.#state = "marked";
		return "installed";
	}
}
