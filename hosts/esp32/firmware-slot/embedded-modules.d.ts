/**
 * The two ECMA-419 modules of the Moddable SDK the ESP32 firmware slot uses, typed as far as
 * Picket calls them (modules/io/flash/esp32/flash-esp32.js, modules/io/update/esp32/update-esp32.js
 * in Moddable SDK 8.2.3, whose own typings/embedded/update.d.ts and storage/flash.d.ts mcconfig
 * uses; the npm @moddable/typings 5.6.0 the project's tsc reads has neither).
 */
declare module "embedded:storage/flash" {
	export interface FlashPartition {
		/** Erases blocks [start, end) (block numbers, not bytes). */
		eraseBlock(start: number, end?: number): void;
		read(byteLength: number, byteOffset: number): ArrayBuffer;
		write(buffer: ArrayBuffer | ArrayBufferView, byteOffset: number): void;
		status(): { readonly size: number; readonly blockLength: number; readonly blocks: number };
		close(): void;
	}
	const flash: { open(options: { readonly path: string; readonly mode?: "r" | "r+" }): FlashPartition };
	export default flash;
}

declare module "embedded:update" {
	export interface Update {
		write(buffer: ArrayBuffer | ArrayBufferView, byteOffset?: number): void;
		/** esp_ota_end (checks the app image) then esp_ota_set_boot_partition. */
		complete(): void;
		close(): void;
	}
	import type { FlashPartition } from "embedded:storage/flash";
	/** `partition`: a partition embedded:storage/flash opened for writing. */
	const update: { open(options: { readonly partition: FlashPartition; readonly mode?: "a" | "w"; readonly byteLength?: number }): Update };
	export default update;
}
