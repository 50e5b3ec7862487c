/**
 * ESP-NOW emulated over UDP on loopback for the Moddable simulator, so simulator instances
 * on one computer alarm each other. Each instance binds UDP port basePort + station
 * (station 0..STATIONS-1, instance.ts) on 127.0.0.1; a broadcast is one datagram to every
 * other station's port, a unicast one datagram to the port its MAC names. A receiver keeps
 * only datagrams from the stations its instance declares in range (PICKET_SIM_IN_RANGE), so
 * a test can place a device out of another's reach and make a relay necessary.
 *
 * Datagram: transmitter MAC (6 B) ‖ frame (≤ 250 B). MAC = 02:00:00:00:00:<station>
 * (locally administered). Send status: loopback always "delivered" (no MAC-layer ack).
 *
 * Received frames wait in a queue of RECEIVE_QUEUE_LIMIT, as on the ESP32 (espnow.c, the
 * manifest's defines.espnow.queue): a frame that finds it full is dropped and counted, so a
 * flood costs the simulator what it costs a board, not an unbounded heap.
 */
import UDP from "embedded:io/socket/udp";
import { PicketError } from "picket/core/picket-error";
import { MAC_LENGTH, RADIO_FRAME_MAX, type Radio, type RadioCounts, type RadioFactory, type ReceivedFrame } from "picket/device/radio";
import { STATIONS, type SimulatorInstance } from "picket/hosts/moddable-sim/instance";

const LOOPBACK = "127.0.0.1";
/** manifest.json defines.espnow.queue, the ESP32's receive queue. */
export const RECEIVE_QUEUE_LIMIT = 8;

function stationMac(station: number): Uint8Array {
	return Uint8Array.of(2, 0, 0, 0, 0, station);
}

function isBroadcast(mac: Uint8Array): boolean {
	return mac.every((byte) => byte === 0xff);
}

export function udpRadio(instance: Pick<SimulatorInstance, "station" | "basePort" | "inRange">): RadioFactory {
	const { station, basePort } = instance;
	if (!Number.isInteger(station) || station < 0 || station >= STATIONS) throw new PicketError("bad-station", String(station));
	const heard = new Set(instance.inRange);
	return (options) => {
		const queue: ReceivedFrame[] = [];
		const counts: { -readonly [Count in keyof RadioCounts]: number } = { framesDropped: 0, sendResultsDropped: 0, notificationsDropped: 0, peersEvicted: 0 };
		const socket = new UDP({
			port: basePort + station,
			address: LOOPBACK,
			onReadable(packets) {
				for (let i = 0; i < packets; i++) {
					const datagram = new Uint8Array(this.read());
					if (datagram.length <= MAC_LENGTH || datagram.length > MAC_LENGTH + RADIO_FRAME_MAX) continue;
					if (!heard.has(datagram[MAC_LENGTH - 1])) continue; // out of range
					if (queue.length >= RECEIVE_QUEUE_LIMIT) {
						counts.framesDropped++;
						continue;
					}
					// Loopback has no radio: a fixed RSSI keeps the contract's shape.
					queue.push({ from: datagram.slice(0, MAC_LENGTH), payload: datagram.slice(MAC_LENGTH), rssi: -40 });
				}
				if (queue.length > 0) options.onReadable?.(queue.length);
			},
		});
		const mac = stationMac(station);
		const radio: Radio = {
			mac,
			write(to, payload) {
				if (payload.length > RADIO_FRAME_MAX) throw new PicketError("frame-too-long", `${payload.length} bytes`);
				const datagram = new Uint8Array(MAC_LENGTH + payload.length);
				datagram.set(mac);
				datagram.set(payload, MAC_LENGTH);
				for (let other = 0; other < STATIONS; other++) {
					if (other === station) continue;
					if (isBroadcast(to) || to[MAC_LENGTH - 1] === other) socket.write(datagram, LOOPBACK, basePort + other);
				}
				options.onWritable?.({ to, delivered: true });
			},
			read: () => queue.shift(),
			counts,
			// ECMA-419 sockets have close(); @moddable/typings 5.6.0's UDP declaration omits it.
			close: () => (socket as UDP & { close(): void }).close(),
		};
		return radio;
	};
}
