/**
 * The radio contract, shaped like ESP-NOW v1 (esp_now.h) and like Moddable's ECMA-419
 * IO classes: an options object with callbacks, `read()` pulls one received frame, and
 * `close()` releases the radio. The ESP32 host implements it over esp_now_* in C; the
 * Moddable simulator over UDP on loopback; the host simulator over its medium model.
 */

/** ESP_NOW_MAX_DATA_LEN for ESP-NOW v1. */
export const RADIO_FRAME_MAX = 250;
/** ESP_NOW_ETH_ALEN. */
export const MAC_LENGTH = 6;
export const BROADCAST_MAC: Uint8Array = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

export interface ReceivedFrame {
	/** The MAC of the transmitter of this copy (a relay's for relayed frames). */
	readonly from: Uint8Array;
	readonly payload: Uint8Array;
	/** Received signal strength in dBm (esp_now_recv_info_t.rx_ctrl->rssi). */
	readonly rssi: number;
}

export interface SendResult {
	readonly to: Uint8Array;
	/**
	 * ESP_NOW_SEND_SUCCESS / FAIL. For unicast it means the peer's MAC acknowledged;
	 * for broadcast it only means the frame left the radio.
	 */
	readonly delivered: boolean;
}

export interface RadioOptions {
	/** Called when at least one received frame is waiting; call `read()` until it returns undefined. */
	onReadable?: (count: number) => void;
	/** Called once per `write`, when the radio reports the send status. */
	onWritable?: (result: SendResult) => void;
	onError?: (error: Error) => void;
}

export interface Radio {
	/** This device's own MAC address. */
	readonly mac: Uint8Array;
	/** Queues one frame (≤ RADIO_FRAME_MAX bytes) to a peer MAC or BROADCAST_MAC. Throws PicketError "frame-too-long". */
	write(to: Uint8Array, payload: Uint8Array): void;
	/** Next received frame, or undefined when the queue is empty. */
	read(): ReceivedFrame | undefined;
	close(): void;
}

export type RadioFactory = (options: RadioOptions) => Radio;
