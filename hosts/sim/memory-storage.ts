/**
 * Storage in memory, with Preference's limits (picket/core/host-contracts): names of 1..15
 * characters, values of at most 4,000 bytes, writes atomic per key. The object outlives a
 * simulated reboot, as flash does; `cutPowerAfter(n)` lets n more writes land and then
 * refuses every write, as if the supply had dropped, so a test can stop a device at any
 * write and check what it does when it comes back. The portable test cases use it too.
 */
import { STORAGE_NAME_MAX, STORAGE_VALUE_MAX, type Storage } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";

export type StorageErrorCode = "bad-name" | "value-too-long" | "power-cut";

function checkName(kind: string, name: string): void {
	if (name.length === 0 || name.length > STORAGE_NAME_MAX) throw new PicketError<StorageErrorCode>("bad-name", `${kind} "${name}" must be 1..${STORAGE_NAME_MAX} characters`);
}

export class MemoryStorage implements Storage {
	readonly #domains = new Map<string, Map<string, Uint8Array>>();
	/** Writes still allowed before the power cut; undefined when no cut is armed. */
	#writesUntilCut: number | undefined;
	#interruptedWriteLands = false;
	#writes = 0;
	#bytesWritten = 0;

	read(domain: string, key: string): Uint8Array | undefined {
		checkName("domain", domain);
		checkName("key", key);
		return this.#domains.get(domain)?.get(key)?.slice();
	}

	write(domain: string, key: string, value: Uint8Array): void {
		checkName("domain", domain);
		checkName("key", key);
		if (value.length > STORAGE_VALUE_MAX) throw new PicketError<StorageErrorCode>("value-too-long", `${value.length} > ${STORAGE_VALUE_MAX} bytes`);
		const cut = this.#isCut();
		if (cut && !this.#interruptedWriteLands) this.#powerCut();
		let entries = this.#domains.get(domain);
		if (entries === undefined) this.#domains.set(domain, (entries = new Map()));
		entries.set(key, value.slice());
		this.#writes++;
		this.#bytesWritten += value.length;
		if (cut) this.#powerCut();
	}

	delete(domain: string, key: string): void {
		checkName("domain", domain);
		checkName("key", key);
		if (this.#isCut()) this.#powerCut();
		this.#domains.get(domain)?.delete(key);
	}

	keys(domain: string): string[] {
		checkName("domain", domain);
		return Array.from(this.#domains.get(domain)?.keys() ?? []);
	}

	/**
	 * Lets `writes` more writes (or deletes) land, then refuses the rest with "power-cut".
	 * With `interruptedWriteLands`, the first refused write takes effect before the cut is
	 * reported (writes are atomic per key: all or nothing, never a mix).
	 */
	cutPowerAfter(writes: number, interruptedWriteLands = false): void {
		this.#writesUntilCut = writes;
		this.#interruptedWriteLands = interruptedWriteLands;
	}

	/** Power is back: writes land again. What was written before the cut is all there is. */
	restorePower(): void {
		this.#writesUntilCut = undefined;
	}

	get powerCut(): boolean {
		return this.#writesUntilCut === 0;
	}

	/** Writes that landed, and their bytes: a measure of flash wear. */
	get writes(): number {
		return this.#writes;
	}

	get bytesWritten(): number {
		return this.#bytesWritten;
	}

	/** Bytes stored (values only), for the simulation's summary. */
	get bytesStored(): number {
		let total = 0;
		for (const entries of this.#domains.values()) for (const value of entries.values()) total += value.length;
		return total;
	}

	/** True when this write or delete meets the power cut. */
	#isCut(): boolean {
		if (this.#writesUntilCut === undefined) return false;
		if (this.#writesUntilCut === 0) return true;
		this.#writesUntilCut--;
		return false;
	}

	#powerCut(): never {
		this.#interruptedWriteLands = false; // only the interrupted write may land
		throw new PicketError<StorageErrorCode>("power-cut", "storage lost power");
	}
}
