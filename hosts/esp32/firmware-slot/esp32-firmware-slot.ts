/**
 * FirmwareSlot (modules/update/firmware-slot.ts) on the ESP32: ESP-IDF's next OTA partition,
 * written through Moddable's embedded:storage/flash, made bootable through embedded:update,
 * confirmed through boot-state.c. Thin on purpose: the checks are the portable installer's.
 *
 * Layout: ESP-IDF's bootloader boots the app image from the partition's first byte, and the
 * signed image begins with its MCUboot header. So ESP32 images are signed with
 * `--header-size 0x1000 --pad-header`: the header and its padding fill exactly one 4 KiB
 * erase block, the body starts on a block boundary, and image offset o ≥ 4096 is partition
 * offset o − 4096 (the TLVs follow the app image in the partition, where the bootloader never
 * looks). Image pages stay whole erase blocks either way. The header's 32 bytes are kept in
 * Storage (domain "update", key "header"); the padding reads as erased (0xff), and padding
 * written as anything else is dropped, so the image's hash, which covers it, then fails.
 *
 * markBootable: esp_ota_end refuses a handle that wrote nothing, and an append-mode handle
 * erases each block before it writes it, so the first block of the app is read back and
 * written again through embedded:update, then `complete()` checks the app image and sets the
 * boot partition. A cut during that rewrite spoils block 0: the installer's progress still
 * says "verified", so the next boot checks every page again, finds page 0 bad, and the repair
 * phase fetches it.
 */
import type { Storage } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";
import type { BootState, FirmwareSlot } from "picket/update/firmware-slot";
import flash from "embedded:storage/flash";
import update from "embedded:update";
import { bootConfirm, bootTrial } from "picket/hosts/esp32/firmware-slot/boot-state";

const HEADER_REGION = 4096;
const HEADER_KEPT = 32;
const PARTITION = "nextota";

/** What flash.open returns (named so by neither the SDK's typings nor ours: they differ). */
type Partition = ReturnType<typeof flash.open>;

export class Esp32FirmwareSlot implements FirmwareSlot {
	readonly capacity: number;
	readonly eraseBlock: number;
	readonly #storage: Storage;
	readonly #partition: Partition;

	constructor(storage: Storage) {
		this.#storage = storage;
		this.#partition = flash.open({ path: PARTITION, mode: "r+" });
		const status = this.#partition.status();
		if (status.blockLength !== HEADER_REGION) throw new PicketError("bad-partition", `erase blocks of ${status.blockLength} bytes, not ${HEADER_REGION}`);
		this.eraseBlock = status.blockLength;
		this.capacity = status.size + HEADER_REGION;
	}

	#header(): Uint8Array {
		return this.#storage.read("update", "header") ?? new Uint8Array(HEADER_KEPT).fill(0xff);
	}

	erase(offset: number, length: number): void {
		if (offset < HEADER_REGION) this.#storage.delete("update", "header");
		const start = Math.max(offset, HEADER_REGION) - HEADER_REGION;
		const end = offset + length - HEADER_REGION;
		if (end > start) this.#partition.eraseBlock(start / this.eraseBlock, Math.ceil(end / this.eraseBlock));
	}

	write(offset: number, bytes: Uint8Array): void {
		if (offset < HEADER_KEPT) {
			// NOR semantics, as the partition: bits only clear until the next erase.
			const header = this.#header();
			for (let i = offset; i < Math.min(HEADER_KEPT, offset + bytes.length); i++) header[i] &= bytes[i - offset];
			this.#storage.write("update", "header", header);
		}
		if (offset + bytes.length > HEADER_REGION) {
			const skip = Math.max(0, HEADER_REGION - offset);
			this.#partition.write(bytes.subarray(skip), offset + skip - HEADER_REGION);
		}
	}

	read(offset: number, length: number): Uint8Array {
		const bytes = new Uint8Array(length).fill(0xff);
		if (offset < HEADER_KEPT) bytes.set(this.#header().subarray(offset, Math.min(HEADER_KEPT, offset + length)));
		if (offset + length > HEADER_REGION) {
			const skip = Math.max(0, HEADER_REGION - offset);
			bytes.set(new Uint8Array(this.#partition.read(length - skip, offset + skip - HEADER_REGION)), skip);
		}
		return bytes;
	}

	markBootable(): void {
		const first = this.#partition.read(this.eraseBlock, 0);
		const handle = update.open({ partition: this.#partition, mode: "a" });
		try {
			handle.write(first);
			handle.complete();
		} finally {
			handle.close();
		}
	}

	confirm(): void {
		bootConfirm();
	}

	bootState(): BootState {
		return { trial: bootTrial() };
	}
}
