/**
 * The firmware slot contract: the flash partition a board writes a new image into, and the
 * boot decisions around it. Implementations: hosts/sim/firmware-slot-memory.ts (the host
 * simulator and tests: memory with NOR flash semantics and a bootloader model),
 * hosts/moddable-sim/firmware-slot-file.ts (lin: a file), hosts/esp32/firmware-slot-esp32.ts
 * (ESP-IDF's next OTA partition through Moddable's embedded:flash and embedded:update).
 *
 * Flash rules every implementation keeps (NOR flash, as the ESP32's): `erase` sets a range to
 * 0xff in whole erase blocks; `write` can only clear bits, so bytes are written once after an
 * erase (writing the same bytes again is harmless). The installer erases a page before it is
 * written again, never relies on a write replacing different data.
 *
 * Boot: `markBootable` asks the bootloader to boot the slot's image once, on trial, at the next
 * reset (ESP-IDF: esp_ota_set_boot_partition with rollback enabled leaves the new app
 * ESP_OTA_IMG_PENDING_VERIFY). The new firmware calls `confirm` after a healthy boot
 * (esp_ota_mark_app_valid_cancel_rollback); a reset before that boots the old image again.
 */
export interface BootState {
	/** The running image was booted on trial and is not confirmed yet. */
	readonly trial: boolean;
}

export interface FirmwareSlot {
	/** Bytes the slot holds. */
	readonly capacity: number;
	/** Erase granularity: erase offsets and lengths are multiples of it (4,096 on the ESP32). */
	readonly eraseBlock: number;
	/** Sets [offset, offset + length) to 0xff. */
	erase(offset: number, length: number): void;
	/** Programs bytes at offset (clears bits only: see above). */
	write(offset: number, bytes: Uint8Array): void;
	read(offset: number, length: number): Uint8Array;
	/** The next reset boots the slot's image on trial. */
	markBootable(): void;
	/** Keeps the running (trial) image: the bootloader no longer falls back. */
	confirm(): void;
	bootState(): BootState;
}
