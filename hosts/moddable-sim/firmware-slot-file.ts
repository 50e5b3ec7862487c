/**
 * FirmwareSlot (modules/update/firmware-slot.ts) for the Moddable simulator (lin): the next
 * firmware in a file of the instance's folder (instance.ts: PICKET_SIM_HOME), with the flash
 * rules of the ESP32's partition (erase to 0xff, writes only clear bits) so that the installer
 * runs here exactly as on a board. The simulator boots nothing from it: markBootable and
 * confirm record the boot state in `slot-boot`, which a test reads ("pending" → "trial" on the
 * next start, "confirmed").
 */
import { File } from "file";
import { PicketError } from "picket/core/picket-error";
import type { BootState, FirmwareSlot } from "picket/update/firmware-slot";
import { simulatorInstance } from "picket/hosts/moddable-sim/instance";

const SLOT_FILE = "slot.bin";
const BOOT_FILE = "slot-boot";
const ERASE_BLOCK = 4096;

export class FileFirmwareSlot implements FirmwareSlot {
	readonly capacity: number;
	readonly eraseBlock = ERASE_BLOCK;
	readonly #path: string;
	readonly #bootPath: string;
	readonly #trial: boolean;

	constructor(capacity: number) {
		this.capacity = capacity;
		this.#path = simulatorInstance().home + SLOT_FILE;
		this.#bootPath = simulatorInstance().home + BOOT_FILE;
		const file = new File(this.#path, true);
		try {
			if (file.length < capacity) {
				file.position = file.length;
				file.write(new Uint8Array(capacity - file.length).fill(0xff).buffer);
			}
		} finally {
			file.close();
		}
		// A start after markBootable is the trial boot; a start during a trial, the rollback.
		const state = this.#readBoot();
		this.#trial = state === "pending";
		this.#writeBoot(state === "pending" ? "trial" : state === "trial" ? "rolled-back" : state);
	}

	#readBoot(): string {
		if (!File.exists(this.#bootPath)) return "none";
		const file = new File(this.#bootPath);
		try {
			return file.read(String);
		} finally {
			file.close();
		}
	}

	#writeBoot(state: string): void {
		if (File.exists(this.#bootPath)) File.delete(this.#bootPath); // File never shortens a file
		const file = new File(this.#bootPath, true);
		try {
			file.write(state);
		} finally {
			file.close();
		}
	}

	#check(offset: number, length: number): void {
		if (offset < 0 || length < 0 || offset + length > this.capacity) throw new PicketError("out-of-slot", `[${offset}, ${offset + length}) is outside the slot`);
	}

	erase(offset: number, length: number): void {
		this.#check(offset, length);
		const file = new File(this.#path, true);
		try {
			file.position = offset;
			file.write(new Uint8Array(length).fill(0xff).buffer);
		} finally {
			file.close();
		}
	}

	write(offset: number, bytes: Uint8Array): void {
		const merged = this.read(offset, bytes.length);
		for (let i = 0; i < bytes.length; i++) merged[i] &= bytes[i];
		const file = new File(this.#path, true);
		try {
			file.position = offset;
			file.write(merged.buffer);
		} finally {
			file.close();
		}
	}

	read(offset: number, length: number): Uint8Array {
		this.#check(offset, length);
		const file = new File(this.#path);
		try {
			file.position = offset;
			return new Uint8Array(file.read(ArrayBuffer, length));
		} finally {
			file.close();
		}
	}

	markBootable(): void {
		this.#writeBoot("pending");
	}

	confirm(): void {
		this.#writeBoot("confirmed");
	}

	bootState(): BootState {
		return { trial: this.#trial && this.#readBoot() === "trial" };
	}
}
