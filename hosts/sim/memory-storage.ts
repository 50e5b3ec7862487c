/**
 * The host simulator's Storage: the firmware's own power-safe layer
 * (picket/core/power-safe-storage) over a model of the ESP32's Preference, erase then
 * write, with a power cut injectable at every flash step (flash-preference.ts). Every
 * simulated device and every portable case that stores something runs the code a device
 * runs, over the failure a device meets.
 *
 * The object outlives a simulated reboot, as flash does (the layer keeps nothing in RAM).
 * `cutPowerAfter(n, effect)` lets n more flash steps land and interrupts the next; a test
 * can then "reboot" (restorePower, new firmware objects on the same storage) and check
 * what the device does when it comes back.
 */
import { PowerSafeStorage } from "picket/core/power-safe-storage";
import { type CutEffect, FlashPreference } from "picket/hosts/sim/flash-preference";

export class MemoryStorage extends PowerSafeStorage {
	/** The Preference entries underneath: wear figures, bit flips, raw access for tests. */
	readonly flash: FlashPreference;
	#writes = 0;
	#bytesWritten = 0;

	constructor() {
		const flash = new FlashPreference();
		super(flash);
		this.flash = flash;
	}

	override write(domain: string, key: string, value: Uint8Array): void {
		super.write(domain, key, value);
		this.#writes++;
		this.#bytesWritten += value.length;
	}

	/** Lets `steps` more flash steps (each erase, each program) land, then interrupts the next as `effect` says. */
	cutPowerAfter(steps: number, effect: CutEffect = "before"): void {
		this.flash.cutPowerAfter(steps, effect);
	}

	/** Power is back: what flash holds is all there is. */
	restorePower(): void {
		this.flash.restorePower();
	}

	get powerCut(): boolean {
		return this.flash.powerCut;
	}

	/** Storage writes that completed, and their value bytes (flash.programs and flash.bytesProgrammed: what reached flash). */
	get writes(): number {
		return this.#writes;
	}

	get bytesWritten(): number {
		return this.#bytesWritten;
	}
}
