/**
 * A tiny radio medium for portable cases: every station hears every other (one hop), a
 * frame arrives `latencyMs` after it was sent, on the case's timers, so handshakes,
 * retries and alarm repeats interleave as they would on the air. `lose` drops chosen
 * frames; `inRange` takes pairs of stations out of each other's range (so that only a relay
 * joins them). Unicast reaches only the station with that MAC; broadcast everyone else.
 */
import type { Timers } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";
import { BROADCAST_MAC, RADIO_FRAME_MAX, type Radio, type RadioFactory, type ReceivedFrame } from "picket/device/radio";

export interface AirFrame {
	readonly from: Uint8Array;
	readonly to: Uint8Array;
	readonly payload: Uint8Array;
}

type Listener = (payload: Uint8Array, from: Uint8Array) => void;

export class InMemoryAir {
	readonly #timers: Timers;
	readonly #latencyMs: number;
	readonly #stations: { readonly mac: Uint8Array; readonly listener: Listener }[] = [];
	/** Every frame sent, in order, lost or not. */
	readonly sent: AirFrame[] = [];
	/** Return true to lose this frame. */
	lose: (frame: AirFrame) => boolean = () => false;
	/** Return false when the station at `to` cannot hear the one at `from`. */
	inRange: (from: Uint8Array, to: Uint8Array) => boolean = () => true;

	constructor(timers: Timers, latencyMs = 1) {
		this.#timers = timers;
		this.#latencyMs = latencyMs;
	}

	/** The MAC of station number `n` (1..255). */
	static mac(n: number): Uint8Array {
		return Uint8Array.of(2, 0, 0, 0, 0, n);
	}

	attach(mac: Uint8Array, listener: Listener): void {
		this.#stations.push({ mac, listener });
	}

	/** The station at `mac` goes off the air (a reboot attaches it again). */
	detach(mac: Uint8Array): void {
		for (let i = this.#stations.length - 1; i >= 0; i--) if (sameMac(this.#stations[i].mac, mac)) this.#stations.splice(i, 1);
	}

	send(from: Uint8Array, to: Uint8Array, payload: Uint8Array): void {
		if (payload.length > RADIO_FRAME_MAX) throw new PicketError("frame-too-long", `${payload.length} bytes`);
		const frame = { from, to, payload: payload.slice() };
		this.sent.push(frame);
		if (this.lose(frame)) return;
		const broadcast = sameMac(to, BROADCAST_MAC);
		for (const station of this.#stations) {
			if (sameMac(station.mac, from) || !(broadcast || sameMac(station.mac, to)) || !this.inRange(from, station.mac)) continue;
			this.#timers.setTimeout(() => station.listener(frame.payload.slice(), from), this.#latencyMs);
		}
	}

	/** A RadioFactory for a device node at `mac`. */
	radio(mac: Uint8Array): RadioFactory {
		return (options) => {
			const queue: ReceivedFrame[] = [];
			let open = true;
			this.attach(mac, (payload, from) => {
				if (!open) return;
				queue.push({ from, payload, rssi: -50 });
				options.onReadable?.(queue.length);
			});
			const radio: Radio = {
				mac,
				write: (to, payload) => this.send(mac, to, payload),
				read: () => queue.shift(),
				close: () => {
					open = false;
				},
			};
			return radio;
		};
	}
}

export function sameMac(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
