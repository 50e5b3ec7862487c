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
/**
 * ESP_NOW_MAX_TOTAL_PEER_NUM: entries in ESP-NOW's peer list, the broadcast peer's included.
 * A unicast send needs its destination there; radios evict the least recently used unicast
 * peer without a send in flight to make room (hosts/esp32/espnow/espnow.c, the simulator).
 */
export const ESPNOW_PEER_LIST_SIZE = 20;

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

/** What a radio dropped or evicted since it opened: the limits of ESP-NOW's queues and peer list. */
export interface RadioCounts {
	/** Received frames that found the receive queue full (MODDEF_ESPNOW_QUEUE on the ESP32). */
	readonly framesDropped: number;
	/** Send statuses for a new destination while those of 8 others waited to be delivered. */
	readonly sendResultsDropped: number;
	/** Notifications that could not be posted to the firmware's task; the next frame or status posts again. */
	readonly notificationsDropped: number;
	/** Unicast peers deleted from the peer list to make room for a new destination. */
	readonly peersEvicted: number;
}

export interface RadioOptions {
	/** Called when at least one received frame is waiting; call `read()` until it returns undefined. */
	onReadable?: (count: number) => void;
	/**
	 * Called with the send status of frames written. Statuses that arrive before the firmware
	 * runs are kept per destination, the latest one (a burst to one peer is one call).
	 */
	onWritable?: (result: SendResult) => void;
	onError?: (error: Error) => void;
}

export interface Radio {
	/** This device's own MAC address. */
	readonly mac: Uint8Array;
	/**
	 * Queues one frame (≤ RADIO_FRAME_MAX bytes) to a peer MAC or BROADCAST_MAC. Throws PicketError
	 * "frame-too-long", or "radio-busy" when the send queue is full or every one of the peer
	 * list's unicast entries has a send in flight.
	 */
	write(to: Uint8Array, payload: Uint8Array): void;
	/** Next received frame, or undefined when the queue is empty. */
	read(): ReceivedFrame | undefined;
	close(): void;
	/** Drops and evictions so far, where the radio can tell. */
	readonly counts?: RadioCounts;
}

export type RadioFactory = (options: RadioOptions) => Radio;
