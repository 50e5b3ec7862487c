/**
 * The Storage for portable cases (Node and XS): Preference's limits, writes atomic per key,
 * and power cuts at a chosen write. Survives "reboots": hand the same instance to the next
 * boot. (hosts/sim has the simulator's own storage, without the power cuts.)
 */
import { STORAGE_NAME_MAX, STORAGE_VALUE_MAX, type Storage } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";

export class TestStorage implements Storage {
	readonly #values = new Map<string, Uint8Array>();
	/** Writes performed so far (including one that was cut). */
	writes = 0;
	/** Writes and deletes still allowed before the power cut; Infinity: no cut planned. */
	#operationsLeft = Infinity;
	#lastLands = false;

	/**
	 * The `n`-th write or delete from now (1-based) throws PicketError "power-cut", and so
	 * does every later one until `restorePower()`. When `lastLands`, the interrupted write
	 * takes effect first (atomic per key: all or nothing, never a mix).
	 */
	cutPowerAt(n: number, lastLands = false): void {
		this.#operationsLeft = n - 1;
		this.#lastLands = lastLands;
	}

	restorePower(): void {
		this.#operationsLeft = Infinity;
	}

	read(domain: string, key: string): Uint8Array | undefined {
		return this.#values.get(`${domain}/${key}`)?.slice();
	}

	write(domain: string, key: string, value: Uint8Array): void {
		if (domain.length > STORAGE_NAME_MAX || key.length > STORAGE_NAME_MAX) throw new PicketError("name-too-long", `${domain}/${key}`);
		if (value.length > STORAGE_VALUE_MAX) throw new PicketError("value-too-long", `${value.length} B`);
		this.writes++;
		const cut = this.#spend();
		if (!cut || this.#lastLands) this.#values.set(`${domain}/${key}`, value.slice());
		if (cut) this.#powerCut();
	}

	delete(domain: string, key: string): void {
		if (this.#spend()) this.#powerCut();
		this.#values.delete(`${domain}/${key}`);
	}

	keys(domain: string): string[] {
		const prefix = `${domain}/`;
		return [...this.#values.keys()].filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
	}

	/** True when this operation is cut (and every one after it, until the power returns). */
	#spend(): boolean {
		if (this.#operationsLeft === 0) return true;
		this.#operationsLeft--;
		return false;
	}

	#powerCut(): never {
		this.#lastLands = false; // only the interrupted write may land
		throw new PicketError("power-cut");
	}
}
