/**
 * Types of the native ESP-NOW radio (espnow.js, espnow.c). Byte results are ArrayBuffers
 * the caller owns; the host's RadioFactory (hosts/esp32/target-host.ts) wraps them in
 * Uint8Array for the Radio contract.
 */
export interface EspNowFrame {
	readonly from: ArrayBuffer;
	readonly payload: ArrayBuffer;
	readonly rssi: number;
}

export interface EspNowOptions {
	onReadable?: (this: EspNow, count: number) => void;
	onWritable?: (this: EspNow, status: { readonly to: ArrayBuffer; readonly delivered: boolean }) => void;
}

declare class EspNow {
	constructor(options: EspNowOptions);
	/** Throws RangeError "frame-too-long" (> 250 B), "radio-busy" (ESP_ERR_ESPNOW_NO_MEM), "peer list full". */
	write(to: Uint8Array, payload: Uint8Array): void;
	read(): EspNowFrame | undefined;
	close(): void;
	readonly mac: ArrayBuffer;
}

export default EspNow;
