/**
 * Types of the native ESP-NOW radio (espnow.js, espnow.c). Byte results are ArrayBuffers
 * the caller owns; the host's RadioFactory (hosts/esp32/target-host.ts) wraps them in
 * Uint8Array for the Radio contract. The limits (receive queue, per-destination send
 * statuses, the 20-entry peer list) are described at the top of espnow.c.
 */
import type { RadioCounts } from "picket/device/radio";

export interface EspNowFrame {
	readonly from: ArrayBuffer;
	readonly payload: ArrayBuffer;
	readonly rssi: number;
}

export interface EspNowOptions {
	onReadable?: (this: EspNow, count: number) => void;
	/** The latest send status of each destination that had one since the last call. */
	onWritable?: (this: EspNow, status: { readonly to: ArrayBuffer; readonly delivered: boolean }) => void;
}

declare class EspNow {
	constructor(options: EspNowOptions);
	/**
	 * Throws RangeError "frame-too-long" (> 250 B), or "radio-busy: …" when ESP-NOW's send queue
	 * is full (ESP_ERR_ESPNOW_NO_MEM) or every unicast peer has a send in flight.
	 */
	write(to: Uint8Array, payload: Uint8Array): void;
	read(): EspNowFrame | undefined;
	close(): void;
	readonly mac: ArrayBuffer;
	/** Frames, statuses and notifications dropped, and peers evicted, since the constructor. */
	readonly counts: RadioCounts;
}

export default EspNow;
