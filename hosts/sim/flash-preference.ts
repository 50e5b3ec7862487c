/**
 * The host simulator's model of Moddable's Preference on an ESP32: NVS in flash, where
 * `set` erases the entry and then programs the new one (power-safe-storage.ts cites the
 * SDK's lines) and `delete` erases it. The object outlives a simulated reboot, as flash
 * does.
 *
 * A power cut can be armed at any flash step: a `set` is two steps (erase, program), a
 * `delete` one (erase). `cutPowerAfter(n, effect)` lets n more steps complete; the next
 * one is interrupted as `effect` says, then the call throws "power-cut", and so does every
 * later set or delete until `restorePower()`:
 * - "before": the step does not happen. For a program this is what NVS does: an entry
 *   whose write was interrupted is not readable after reboot, so the key is erased, then
 *   nothing.
 * - "torn": a program leaves the first half of the value's bytes (a flash file system
 *   might; NVS would not). The layer's check value must refuse it. An erase: as "before".
 * - "after": the step completes and the power dies before the call returns (a program:
 *   erased, then the new value).
 */
import { MemoryPreference, checkPreferenceEntry, type PreferenceStore } from "picket/core/power-safe-storage";
import { PicketError } from "picket/core/picket-error";

export type FlashErrorCode = "power-cut" | "no-such-entry";

/** What an interrupted flash step leaves (see above). */
export type CutEffect = "before" | "torn" | "after";
export const CUT_EFFECTS: readonly CutEffect[] = ["before", "torn", "after"];

export class FlashPreference implements PreferenceStore {
	readonly #entries = new MemoryPreference();
	/** Steps still allowed before the cut; undefined when no cut is armed. */
	#stepsUntilCut: number | undefined;
	#effect: CutEffect = "before";
	#cut = false;
	#steps = 0;
	#programs = 0;
	#bytesProgrammed = 0;
	#reads = 0;

	get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined {
		this.#reads++;
		return this.#entries.get(domain, key);
	}

	set(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void {
		// Preference refuses a bad name or size before it touches flash: so does the model.
		checkPreferenceEntry(domain, key, value);
		this.delete(domain, key);
		const whole = value instanceof ArrayBuffer ? value.slice(0) : value;
		const program = (programmed: string | boolean | number | ArrayBuffer) => () => {
			this.#entries.set(domain, key, programmed);
			this.#programs++;
			this.#bytesProgrammed += programmed instanceof ArrayBuffer ? programmed.byteLength : 4;
		};
		this.#step(program(whole), whole instanceof ArrayBuffer ? program(whole.slice(0, whole.byteLength >> 1)) : undefined);
	}

	/** Erases the entry: one flash step, none when there is nothing to erase (NVS answers "not found" without writing). */
	delete(domain: string, key: string): void {
		if (this.#entries.get(domain, key) === undefined) {
			if (this.#cut) throw powerCut();
			return;
		}
		this.#step(() => this.#entries.delete(domain, key));
	}

	keys(domain: string): string[] {
		return this.#entries.keys(domain);
	}

	/** Flips bit `bit` of an ArrayBuffer entry, as flash damage would. */
	flipBit(domain: string, key: string, bit: number): void {
		const value = this.#entries.get(domain, key);
		if (!(value instanceof ArrayBuffer)) throw new PicketError<FlashErrorCode>("no-such-entry", `${domain}/${key}`);
		const bytes = new Uint8Array(value);
		bytes[bit >> 3] ^= 1 << (bit & 7);
		this.#entries.set(domain, key, value);
	}

	/** Lets `steps` more flash steps complete, then interrupts the next one as `effect` says. */
	cutPowerAfter(steps: number, effect: CutEffect = "before"): void {
		this.#stepsUntilCut = steps;
		this.#effect = effect;
		this.#cut = false;
	}

	/** Power is back: what flash holds is all there is. */
	restorePower(): void {
		this.#stepsUntilCut = undefined;
		this.#cut = false;
	}

	get powerCut(): boolean {
		return this.#cut;
	}

	/** Flash steps completed (erases and programs). */
	get steps(): number {
		return this.#steps;
	}

	/** Entries programmed (one per Preference.set that got that far), and their bytes: flash wear. */
	get programs(): number {
		return this.#programs;
	}

	get bytesProgrammed(): number {
		return this.#bytesProgrammed;
	}

	/** Preference.get calls: time, not wear. */
	get reads(): number {
		return this.#reads;
	}

	/** One flash step: completes, or is the one the cut interrupts (`tear` is what a torn step leaves). */
	#step(complete: () => void, tear?: () => void): void {
		if (this.#cut) throw powerCut();
		if (this.#stepsUntilCut === 0) {
			this.#cut = true;
			if (this.#effect === "after") {
				complete();
				this.#steps++;
			} else if (this.#effect === "torn") tear?.();
			throw powerCut();
		}
		if (this.#stepsUntilCut !== undefined) this.#stepsUntilCut--;
		complete();
		this.#steps++;
	}
}

function powerCut(): PicketError<FlashErrorCode> {
	return new PicketError<FlashErrorCode>("power-cut", "storage lost power");
}
