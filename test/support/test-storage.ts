/**
 * A Storage for provisioning tests, portable (Node and XS): Preference's limits, writes
 * atomic per key, and `failAfter(n)` to let n more writes or deletes land and refuse the
 * rest, as a power cut would. (hosts/sim/memory-storage.ts does the same for the
 * simulator; once both are on main the tests can use that one.)
 */
import { STORAGE_NAME_MAX, STORAGE_VALUE_MAX, type Storage } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";

export class TestStorage implements Storage {
	readonly #domains = new Map<string, Map<string, Uint8Array>>();
	#writesLeft = Infinity;

	read(domain: string, key: string): Uint8Array | undefined {
		return this.#domains.get(domain)?.get(key)?.slice();
	}

	write(domain: string, key: string, value: Uint8Array): void {
		if (domain.length > STORAGE_NAME_MAX || key.length > STORAGE_NAME_MAX) throw new PicketError("bad-name", `${domain}/${key}`);
		if (value.length > STORAGE_VALUE_MAX) throw new PicketError("value-too-long", `${value.length} bytes`);
		this.#spend();
		let entries = this.#domains.get(domain);
		if (entries === undefined) this.#domains.set(domain, (entries = new Map()));
		entries.set(key, value.slice());
	}

	delete(domain: string, key: string): void {
		this.#spend();
		this.#domains.get(domain)?.delete(key);
	}

	keys(domain: string): string[] {
		return Array.from(this.#domains.get(domain)?.keys() ?? []);
	}

	/** Lets `writes` more writes or deletes land, then throws "power-cut" on each. */
	failAfter(writes: number): void {
		this.#writesLeft = writes;
	}

	restorePower(): void {
		this.#writesLeft = Infinity;
	}

	#spend(): void {
		if (this.#writesLeft <= 0) throw new PicketError("power-cut");
		this.#writesLeft--;
	}
}
