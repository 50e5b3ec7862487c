/**
 * FirmwareSlot (modules/update/firmware-slot.ts) in memory, with the ESP32's two OTA
 * partitions and its bootloader's rollback, for the host simulator and tests:
 *
 * - two partitions; the slot is the one not running. Flash is NOR: erase sets 0xff, a write
 *   ANDs its bytes in (it can only clear bits), so a page written twice with different data
 *   reads back as neither, as on a board.
 * - markBootable: the next reset boots the slot on trial; a reset while on trial (no confirm)
 *   boots the other partition again (ESP-IDF's CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE).
 * - `powerCut` models a cut during a write: only a prefix of the bytes lands.
 *
 * A partition is allocated on first erase; the factory image may be shared between boards
 * (it is never written).
 */
import { PicketError } from "picket/core/picket-error";
import type { Storage } from "picket/core/host-contracts";
import type { BootState, FirmwareSlot } from "picket/update/firmware-slot";
import type { FirmwareHost } from "picket/update/device-updates";
import { onlyTlv, parseImageHeader, readTlvArea, TLV_PROT_INFO_MAGIC, TlvType } from "picket/update/mcuboot-structure";
import type { RunningFirmware } from "picket/update/update-installer";

export const ESP32_ERASE_BLOCK = 4096;

export class MemoryFirmwareSlot implements FirmwareSlot {
	readonly capacity: number;
	readonly eraseBlock = ESP32_ERASE_BLOCK;
	readonly #partitions: (Uint8Array | undefined)[];
	#running = 0;
	#pending = false;
	#trial = false;
	/** Writes and erases so far (the flash cost of a rollout). */
	readonly counts = { erasedBytes: 0, writtenBytes: 0, resets: 0, rollbacks: 0 };

	/** `factory` is the image the board runs at first (partition 0). */
	constructor(capacity: number, factory: Uint8Array) {
		this.capacity = capacity;
		this.#partitions = [factory, undefined];
	}

	/** The image the running partition holds (the factory image is its exact length). */
	get runningImage(): Uint8Array {
		return this.#partitions[this.#running]!;
	}

	#slot(): Uint8Array {
		let slot = this.#partitions[1 - this.#running];
		if (slot === undefined || slot.length !== this.capacity) {
			slot = new Uint8Array(this.capacity).fill(0xff);
			this.#partitions[1 - this.#running] = slot;
		}
		return slot;
	}

	#check(offset: number, length: number, aligned: boolean): void {
		if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.capacity) {
			throw new PicketError("out-of-slot", `[${offset}, ${offset + length}) is outside the ${this.capacity}-byte slot`);
		}
		if (aligned && (offset % this.eraseBlock !== 0 || (length % this.eraseBlock !== 0 && offset + length !== this.capacity))) {
			throw new PicketError("unaligned-erase", `erase [${offset}, ${offset + length}) is not in whole ${this.eraseBlock}-byte blocks`);
		}
	}

	erase(offset: number, length: number): void {
		this.#check(offset, length, true);
		this.#slot().fill(0xff, offset, offset + length);
		this.counts.erasedBytes += length;
	}

	write(offset: number, bytes: Uint8Array): void {
		this.#check(offset, bytes.length, false);
		const slot = this.#slot();
		const limit = this.#cutAfter === undefined ? bytes.length : Math.min(bytes.length, this.#cutAfter);
		for (let i = 0; i < limit; i++) slot[offset + i] &= bytes[i];
		this.counts.writtenBytes += limit;
		if (this.#cutAfter !== undefined) {
			this.#cutAfter = undefined;
			throw new PicketError("power-cut", "the power failed during a flash write");
		}
	}

	read(offset: number, length: number): Uint8Array {
		this.#check(offset, length, false);
		return this.#slot().slice(offset, offset + length);
	}

	markBootable(): void {
		this.#pending = true;
	}

	confirm(): void {
		this.#trial = false;
	}

	bootState(): BootState {
		return { trial: this.#trial };
	}

	#cutAfter: number | undefined;

	/** The next write lands only its first `bytes` bytes, then throws "power-cut". */
	cutNextWrite(bytes: number): void {
		this.#cutAfter = bytes;
	}

	/** A reset (or power back after a cut): what the bootloader does. */
	reset(): void {
		this.counts.resets++;
		if (this.#pending) {
			this.#pending = false;
			this.#running = 1 - this.#running;
			this.#trial = true;
		} else if (this.#trial) {
			this.#trial = false;
			this.#running = 1 - this.#running;
			this.counts.rollbacks++;
		}
	}
}

/** The version and SEC_CNT of the MCUboot image a slot runs, as the board's firmware would report them. */
export function runningFirmwareOf(image: Uint8Array): RunningFirmware {
	const header = parseImageHeader(image);
	if (header.protectedTlvSize === 0) return { version: header.version, securityCounter: 0 };
	const { tlvs } = readTlvArea(image, header.headerSize + header.imageSize, TLV_PROT_INFO_MAGIC, header.protectedTlvSize);
	const counter = onlyTlv(tlvs, TlvType.securityCounter, 4, "SEC_CNT");
	return { version: header.version, securityCounter: counter === undefined ? 0 : new DataView(counter.value.buffer, counter.value.byteOffset, 4).getUint32(0, true) };
}

/**
 * A DomainSimulation `firmware` option: each board gets, at its first boot, a slot holding
 * `factory`, which it keeps across reboots (the slot resets there as the bootloader decides);
 * `firstBoot` runs at every board's first boot, slotless or not (provisioning: pinning the
 * update key). A board `slotless` names gets none: a gateway that seeds, a board without updates.
 */
export function boardSlots(options: { readonly factory: Uint8Array; readonly slotBytes: number; readonly firstBoot?: (device: string, storage: Storage) => void; readonly slotless?: (device: string) => boolean }): {
	readonly slots: Map<string, MemoryFirmwareSlot>;
	readonly firmware: (device: string, storage: Storage, boot: number) => FirmwareHost | undefined;
} {
	const slots = new Map<string, MemoryFirmwareSlot>();
	const firmware = (device: string, storage: Storage, boot: number): FirmwareHost | undefined => {
		if (boot === 0) options.firstBoot?.(device, storage);
		if (options.slotless?.(device) === true) return undefined;
		let slot = slots.get(device);
		if (slot === undefined) slots.set(device, (slot = new MemoryFirmwareSlot(options.slotBytes, options.factory)));
		else if (boot > 0) slot.reset(); // the bootloader's decision at this reset
		return { slot, running: runningFirmwareOf(slot.runningImage) };
	};
	return { slots, firmware };
}
