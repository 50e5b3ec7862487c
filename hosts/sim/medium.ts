/**
 * The simulated radio medium: stations at 2-D positions, a range, a per-frame loss
 * probability, a per-hop latency with jitter, carrier sense, and collisions. Each station
 * gets an implementation of the `Radio` contract (picket/device/radio), so the firmware's
 * own link code runs unchanged on top of it.
 *
 * How a frame travels (all times virtual, in ms, from the shared VirtualClock):
 *
 *   write()  ─ latency + jitter ─▶ begin (carrier sense: defer while the channel is busy)
 *            ─ airtime ─▶ end: every addressed station in range that heard the whole frame
 *              without overlap receives it (unless lost); unicast senders learn the MAC ack.
 *
 * A station has one transmitter, as ESP-NOW's send queue does: its frames leave one at a
 * time in write() order, and a unicast frame's retries all happen before the next frame
 * starts, so a station's frames never overlap each other on the air.
 *
 * Airtime is ESP-NOW's at 1 Mbps (the default ESP-NOW rate): the 192 µs long PLCP preamble
 * and header, then 8 µs per byte of the 802.11 action frame that carries the payload:
 *
 * | part                                                          | bytes |
 * |---------------------------------------------------------------|-------|
 * | MAC header                                                    | 24    |
 * | category code, Espressif OUI, random value                    | 1+3+4 |
 * | vendor-specific element: id, length, OUI, type, version       | 7     |
 * | payload                                                       | n     |
 * | FCS                                                           | 4     |
 *
 * Two frames overlapping in time at a receiver are both lost there (a collision), and a
 * station cannot receive while it transmits (half-duplex). Carrier sense makes a station
 * defer while it hears a frame that began more than one slot ago, so collisions come from
 * near-simultaneous starts and from hidden terminals, as on real 802.11.
 *
 * Stations are kept in a grid of cells one range wide, so finding who hears a frame costs
 * the stations in nine cells, not all of them: 5,000 stations stay fast.
 *
 * Each radio has the limits of hosts/esp32/espnow/espnow.c over ESP-IDF's ESP-NOW:
 *   - a receive queue of `receiveQueueLimit` frames (MODDEF_ESPNOW_QUEUE, 8); a frame that
 *     finds it full is lost ("queue-full") and counted;
 *   - a peer list of ESPNOW_PEER_LIST_SIZE (20) entries, one of them the broadcast peer's: a
 *     new unicast destination evicts the least recently used peer without a send in flight,
 *     and a write throws "radio-busy" when every unicast peer has one;
 *   - with `notificationDelayMs` set, notifications reach the firmware as espnow.c's do
 *     through modMessagePostToMachine: at most one readable and one writable pending, frames
 *     queueing meanwhile, send statuses kept per destination (the latest, up to
 *     SEND_RESULT_SLOTS destinations, more counted and dropped), and a post lost with
 *     probability `notificationLossProbability` (counted; the next frame posts again).
 *     Left undefined, notifications run inside the medium's event, at once.
 *
 * Portable: no Node API; randomness from the SeededRandom it is given.
 */
import { PicketError } from "picket/core/picket-error";
import {
	ESPNOW_PEER_LIST_SIZE,
	MAC_LENGTH,
	RADIO_FRAME_MAX,
	type Radio,
	type RadioCounts,
	type RadioFactory,
	type RadioOptions,
	type ReceivedFrame,
	type SendResult,
} from "picket/device/radio";
import type { SeededRandom } from "picket/hosts/sim/seeded-random";
import type { VirtualClock } from "picket/hosts/sim/virtual-clock";

export type MediumErrorCode = "frame-too-long" | "bad-mac" | "radio-closed" | "radio-busy" | "duplicate-mac";

/** ESP-NOW framing around the payload, in bytes (table above). */
export const ESPNOW_FRAMING_BYTES = 43;
const PLCP_MS = 0.192;
/** 802.11b slot time and DIFS, for carrier sense and backoff. */
const SLOT_MS = 0.02;
const DIFS_MS = 0.05;
const MAX_DEFERRALS = 16;
/** Destinations whose send status waits for the firmware (kSendResults in espnow.c). */
export const SEND_RESULT_SLOTS = 8;

/** Airtime of one ESP-NOW frame with `payloadLength` bytes at `bitRate` bit/s, in ms. */
export function espNowAirtimeMs(payloadLength: number, bitRate = 1_000_000): number {
	return PLCP_MS + ((ESPNOW_FRAMING_BYTES + payloadLength) * 8 * 1000) / bitRate;
}

export interface Position {
	readonly x: number;
	readonly y: number;
}

export interface MediumOptions {
	/** Radio range in metres: stations farther apart never hear each other. */
	rangeM?: number;
	/** Probability that one addressed receiver misses one frame (independent draws). */
	lossProbability?: number;
	/** Per-hop latency from write() to the frame going on air, in ms. */
	latencyMs?: number;
	/** Uniform extra latency in [0, jitterMs), per frame. */
	jitterMs?: number;
	bitRate?: number;
	/** Model collisions and half-duplex loss (default true). */
	collisions?: boolean;
	/** Model carrier sense (default true). */
	carrierSense?: boolean;
	/** MAC-layer retransmissions of an unacknowledged unicast frame (ESP-NOW default behaviour retries; default 3). */
	unicastRetries?: number;
	/** Frames a radio holds before read(); more are dropped (default 8, the manifest's espnow.queue). */
	receiveQueueLimit?: number;
	/** Entries in each radio's ESP-NOW peer list, the broadcast peer's included (default 20). */
	peerListSize?: number;
	/** Delay of a notification to the firmware, in ms, as a post to the JS task (see above); undefined: at once. */
	notificationDelayMs?: number;
	/** Probability that posting a notification fails (default 0). */
	notificationLossProbability?: number;
}

export type LossReason = "collision" | "half-duplex" | "loss" | "radio-off" | "queue-full";

/** What the medium reports to whoever watches it (the simulation's timeline). */
export type MediumEvent =
	| { readonly type: "transmit"; readonly time: number; readonly frameId: number; readonly from: Station; readonly to: Uint8Array; readonly payload: Uint8Array; readonly attempt: number; readonly airtimeMs: number }
	| { readonly type: "deliver"; readonly time: number; readonly frameId: number; readonly from: Station; readonly to: Station; readonly rssi: number }
	| { readonly type: "lose"; readonly time: number; readonly frameId: number; readonly from: Station; readonly to: Station; readonly reason: LossReason }
	| { readonly type: "send-status"; readonly time: number; readonly frameId: number; readonly from: Station; readonly to: Uint8Array; readonly delivered: boolean };

export interface MediumStatistics {
	/** write() calls accepted. */
	frames: number;
	/** Transmissions on air, including unicast retries. */
	transmissions: number;
	/** Payload bytes on air (what Picket puts in the ESP-NOW frame), retries included. */
	payloadBytesOnAir: number;
	/** Bytes on air including ESP-NOW framing. */
	bytesOnAir: number;
	airtimeMs: number;
	deliveries: number;
	losses: Record<LossReason, number>;
}

interface Transmission {
	readonly id: number;
	readonly from: Station;
	readonly to: Uint8Array;
	readonly toKey: string;
	readonly broadcast: boolean;
	readonly payload: Uint8Array;
	/** The radio that wrote it: if the station has been powered off since, the frame never leaves. */
	readonly radio: SimulatedRadio | undefined;
	/** Earliest start: write() time plus the host's latency and jitter. */
	readonly readyAt: number;
	attempt: number;
	deferrals: number;
	begin: number;
	end: number;
}

/** One station hearing one transmission. Reused once the transmission ends (a frame reaches tens of stations). */
interface Reception {
	transmission: Transmission;
	station: Station;
	begin: number;
	end: number;
	/** This station should hand the frame up (it is addressed, or it sniffs). */
	addressed: boolean;
	collided: LossReason | undefined;
	/** Its place in `station.receptions`, so that it leaves that list in one step. */
	place: number;
}

function macKey(mac: Uint8Array): string {
	let key = "";
	for (let i = 0; i < mac.length; i++) key += (mac[i] < 16 ? "0" : "") + mac[i].toString(16);
	return key;
}

function isBroadcast(mac: Uint8Array): boolean {
	for (let i = 0; i < MAC_LENGTH; i++) if (mac[i] !== 0xff) return false;
	return true;
}

/** One transceiver in the medium: a device's radio, or the attacker's. */
export class Station {
	readonly mac: Uint8Array;
	readonly macKey: string;
	readonly label: string;
	/** Receives every frame it hears, whatever the destination (a sniffer, the attacker). */
	readonly promiscuous: boolean;
	#position: Position;
	radio: SimulatedRadio | undefined;
	/** The frame its transmitter is handling (on air, deferring or between retries), and those waiting. */
	sending: Transmission | undefined;
	readonly sendQueue: Transmission[] = [];
	/** Its own transmission on air, if any (for half-duplex). */
	transmittingUntil = 0;
	/** Frames on air that reach this station right now. */
	readonly receptions: Reception[] = [];
	/** Last frame id received from each sender, to drop MAC-layer retransmissions (802.11 sequence control). */
	readonly lastFrameFrom = new Map<string, number>();
	neighbours: Station[] | undefined;

	constructor(mac: Uint8Array, label: string, position: Position, promiscuous: boolean) {
		this.mac = mac.slice();
		this.macKey = macKey(mac);
		this.label = label;
		this.#position = position;
		this.promiscuous = promiscuous;
	}

	get position(): Position {
		return this.#position;
	}

	setPosition(position: Position): void {
		this.#position = position;
	}
}

export class Medium {
	readonly #clock: VirtualClock;
	readonly #random: SeededRandom;
	readonly rangeM: number;
	readonly lossProbability: number;
	readonly latencyMs: number;
	readonly jitterMs: number;
	readonly bitRate: number;
	readonly collisions: boolean;
	readonly carrierSense: boolean;
	readonly unicastRetries: number;
	readonly receiveQueueLimit: number;
	readonly peerListSize: number;
	readonly notificationDelayMs: number | undefined;
	/** Fault injection: may be changed while the simulation runs. */
	notificationLossProbability: number;
	readonly #stations = new Map<string, Station>();
	readonly #grid = new Map<number, Station[]>();
	/** Receptions and reception lists of ended transmissions, for the next ones. */
	readonly #spareReceptions: Reception[] = [];
	readonly #spareLists: Reception[][] = [];
	readonly #listeners: ((event: MediumEvent) => void)[] = [];
	/** Listeners of each reception ("deliver", "lose"): a frame on air reaches tens of stations, so nothing is built for them when there are none. */
	readonly #receptionListeners: ((event: MediumEvent) => void)[] = [];
	#nextFrameId = 1;
	readonly statistics: MediumStatistics = {
		frames: 0,
		transmissions: 0,
		payloadBytesOnAir: 0,
		bytesOnAir: 0,
		airtimeMs: 0,
		deliveries: 0,
		losses: { collision: 0, "half-duplex": 0, loss: 0, "radio-off": 0, "queue-full": 0 },
	};

	constructor(clock: VirtualClock, random: SeededRandom, options: MediumOptions = {}) {
		this.#clock = clock;
		this.#random = random;
		this.rangeM = options.rangeM ?? 100;
		this.lossProbability = options.lossProbability ?? 0;
		this.latencyMs = options.latencyMs ?? 1;
		this.jitterMs = options.jitterMs ?? 0;
		this.bitRate = options.bitRate ?? 1_000_000;
		this.collisions = options.collisions ?? true;
		this.carrierSense = options.carrierSense ?? true;
		this.unicastRetries = options.unicastRetries ?? 3;
		this.receiveQueueLimit = options.receiveQueueLimit ?? 8;
		this.peerListSize = options.peerListSize ?? ESPNOW_PEER_LIST_SIZE;
		this.notificationDelayMs = options.notificationDelayMs;
		this.notificationLossProbability = options.notificationLossProbability ?? 0;
		if (!(this.rangeM > 0)) throw new RangeError("rangeM must be positive");
		if (!(this.peerListSize >= 2)) throw new RangeError("peerListSize must leave room for the broadcast peer and one more");
	}

	/** Watches every transmission and send status, and every delivery and loss unless `receptions` is false. */
	observe(listener: (event: MediumEvent) => void, options: { readonly receptions?: boolean } = {}): void {
		this.#listeners.push(listener);
		if (options.receptions !== false) this.#receptionListeners.push(listener);
	}

	#emit(event: MediumEvent): void {
		for (const listener of this.#listeners) listener(event);
	}

	#emitReception(event: MediumEvent): void {
		for (const listener of this.#receptionListeners) listener(event);
	}

	get stations(): readonly Station[] {
		return Array.from(this.#stations.values());
	}

	/** Places a station; its radio is opened with `radioFactory(station)`. */
	addStation(mac: Uint8Array, position: Position, options: { label?: string; promiscuous?: boolean } = {}): Station {
		if (mac.length !== MAC_LENGTH || isBroadcast(mac)) throw new PicketError<MediumErrorCode>("bad-mac", "a station needs a 6-byte unicast MAC");
		const station = new Station(mac, options.label ?? macKey(mac), position, options.promiscuous ?? false);
		if (this.#stations.has(station.macKey)) throw new PicketError<MediumErrorCode>("duplicate-mac", station.macKey);
		this.#stations.set(station.macKey, station);
		this.#gridInsert(station);
		this.#invalidateNeighbours();
		return station;
	}

	moveStation(station: Station, position: Position): void {
		this.#gridRemove(station);
		station.setPosition(position);
		this.#gridInsert(station);
		this.#invalidateNeighbours();
	}

	/** The Radio factory a device's firmware receives for `station`. */
	radioFactory(station: Station): RadioFactory {
		return (options) => this.openRadio(station, options);
	}

	openRadio(station: Station, options: RadioOptions): SimulatedRadio {
		if (station.radio !== undefined) throw new PicketError<MediumErrorCode>("radio-busy", `${station.label} already has an open radio`);
		const radio = new SimulatedRadio(this, station, options);
		station.radio = radio;
		return radio;
	}

	/** Stations within range of `station`, excluding itself. Cached until a station is added or moved. */
	neighboursOf(station: Station): Station[] {
		if (station.neighbours !== undefined) return station.neighbours;
		const found: Station[] = [];
		const { x, y } = station.position;
		const cx = Math.floor(x / this.rangeM);
		const cy = Math.floor(y / this.rangeM);
		const range2 = this.rangeM * this.rangeM;
		for (let dx = -1; dx <= 1; dx++) {
			for (let dy = -1; dy <= 1; dy++) {
				const cell = this.#grid.get(this.#cellKey(cx + dx, cy + dy));
				if (cell === undefined) continue;
				for (const other of cell) {
					if (other === station) continue;
					const ex = other.position.x - x;
					const ey = other.position.y - y;
					if (ex * ex + ey * ey <= range2) found.push(other);
				}
			}
		}
		// Insertion order of the grid is the order stations were added: deterministic.
		station.neighbours = found;
		return found;
	}

	/** Received signal strength for a distance: log-distance path loss (exponent 2.7) from 20 dBm, plus ±2 dB of seeded noise. */
	rssiAt(distanceM: number): number {
		const pathLoss = 40 + 27 * Math.log10(distanceM > 1 ? distanceM : 1);
		return Math.round(20 - pathLoss + this.#random.between(-2, 2));
	}

	#cellKey(cx: number, cy: number): number {
		return cx * 1_048_576 + cy;
	}

	#gridInsert(station: Station): void {
		const key = this.#cellKey(Math.floor(station.position.x / this.rangeM), Math.floor(station.position.y / this.rangeM));
		let cell = this.#grid.get(key);
		if (cell === undefined) this.#grid.set(key, (cell = []));
		cell.push(station);
	}

	#gridRemove(station: Station): void {
		const key = this.#cellKey(Math.floor(station.position.x / this.rangeM), Math.floor(station.position.y / this.rangeM));
		const cell = this.#grid.get(key);
		if (cell === undefined) return;
		const index = cell.indexOf(station);
		if (index >= 0) cell.splice(index, 1);
	}

	#invalidateNeighbours(): void {
		for (const station of this.#stations.values()) station.neighbours = undefined;
	}

	/**
	 * Posts `deliver` to a radio's firmware as modMessagePostToMachine does: after
	 * `notificationDelayMs`, or not at all (false) with `notificationLossProbability`.
	 */
	postNotification(deliver: () => void): boolean {
		if (this.#random.chance(this.notificationLossProbability)) return false;
		this.#clock.schedule(deliver, this.notificationDelayMs ?? 0);
		return true;
	}

	/** Called by SimulatedRadio.write, after checkFrame. */
	send(station: Station, to: Uint8Array, payload: Uint8Array): void {
		checkFrame(to, payload);
		const delay = this.latencyMs + (this.jitterMs > 0 ? this.#random.between(0, this.jitterMs) : 0);
		const transmission: Transmission = {
			id: this.#nextFrameId++,
			from: station,
			to: to.slice(),
			toKey: macKey(to),
			broadcast: isBroadcast(to),
			payload: payload.slice(),
			radio: station.radio,
			readyAt: this.#clock.now() + delay,
			attempt: 0,
			deferrals: 0,
			begin: 0,
			end: 0,
		};
		this.statistics.frames++;
		station.sendQueue.push(transmission);
		if (station.sending === undefined) this.#sendNext(station);
	}

	/** One transmitter per station: the next queued frame starts once the previous one is done. */
	#sendNext(station: Station): void {
		const next = station.sendQueue.shift();
		station.sending = next;
		if (next === undefined) return;
		this.#clock.scheduleAt(() => this.#begin(next), Math.max(this.#clock.now(), next.readyAt));
	}

	/** The transmitter is done with `transmission` (sent, acknowledged, given up or dropped). */
	#done(transmission: Transmission): void {
		if (transmission.from.sending === transmission) this.#sendNext(transmission.from);
	}

	/** The channel as `station` senses it: busy until when, or 0 if idle. */
	#channelBusyUntil(station: Station, now: number): number {
		let busy = 0;
		for (const reception of station.receptions) {
			if (now - reception.begin >= SLOT_MS && reception.end > busy) busy = reception.end;
		}
		return busy;
	}

	#begin(transmission: Transmission): void {
		const now = this.#clock.now();
		const from = transmission.from;
		if (from.radio === undefined || from.radio !== transmission.radio) return this.#done(transmission); // powered off while queued: the frame never left
		if (this.carrierSense && transmission.deferrals < MAX_DEFERRALS) {
			const busy = this.#channelBusyUntil(from, now);
			if (busy > now) {
				transmission.deferrals++;
				const backoff = DIFS_MS + this.#random.nextInt(16) * SLOT_MS;
				const retry = busy + backoff;
				this.#clock.scheduleAt(() => this.#begin(transmission), retry);
				return;
			}
		}
		const airtime = espNowAirtimeMs(transmission.payload.length, this.bitRate);
		transmission.begin = now;
		transmission.end = now + airtime;
		transmission.attempt++;
		from.transmittingUntil = transmission.end;
		if (this.collisions) {
			// Half-duplex: whatever this station was receiving is lost to it.
			for (const reception of from.receptions) if (reception.collided === undefined) reception.collided = "half-duplex";
		}
		const stats = this.statistics;
		stats.transmissions++;
		stats.payloadBytesOnAir += transmission.payload.length;
		stats.bytesOnAir += transmission.payload.length + ESPNOW_FRAMING_BYTES;
		stats.airtimeMs += airtime;
		this.#emit({ type: "transmit", time: now, frameId: transmission.id, from, to: transmission.to, payload: transmission.payload, attempt: transmission.attempt, airtimeMs: airtime });

		const receptions = this.#spareLists.pop() ?? [];
		for (const station of this.neighboursOf(from)) {
			const addressed = station.promiscuous || transmission.broadcast || station.macKey === transmission.toKey;
			const reception = this.#reception(transmission, station, now, addressed);
			if (this.collisions) {
				if (station.transmittingUntil > now) reception.collided = "half-duplex";
				for (const other of station.receptions) {
					if (other.end > now) {
						if (other.collided === undefined) other.collided = "collision";
						reception.collided = "collision";
					}
				}
			}
			reception.place = station.receptions.length;
			station.receptions.push(reception);
			receptions.push(reception);
		}
		this.#clock.scheduleAt(() => this.#end(transmission, receptions), transmission.end);
	}

	#end(transmission: Transmission, receptions: Reception[]): void {
		const now = this.#clock.now();
		const from = transmission.from;
		let acknowledged = false;
		for (const reception of receptions) {
			const station = reception.station;
			// The order of a station's receptions matters to nothing: the last one takes the freed place.
			const list = station.receptions;
			const last = list.pop();
			if (last !== undefined && last !== reception) {
				list[reception.place] = last;
				last.place = reception.place;
			}
			if (!reception.addressed) continue;
			const reason = this.#receive(transmission, reception);
			if (reason !== undefined) {
				this.statistics.losses[reason]++;
				if (this.#receptionListeners.length > 0) this.#emitReception({ type: "lose", time: now, frameId: transmission.id, from, to: station, reason });
				continue;
			}
			if (!transmission.broadcast && station.macKey === transmission.toKey) {
				// The ACK is a short frame right after SIFS; it can be lost like any frame.
				acknowledged = !this.#random.chance(this.lossProbability);
			}
		}
		for (const reception of receptions) this.#spareReceptions.push(reception);
		receptions.length = 0;
		this.#spareLists.push(receptions);
		if (transmission.broadcast) {
			this.#done(transmission);
			this.#reportSendStatus(transmission, true);
			return;
		}
		if (!acknowledged && transmission.attempt <= this.unicastRetries && from.radio !== undefined) {
			transmission.deferrals = 0;
			const retry = now + DIFS_MS + this.#random.nextInt(32) * SLOT_MS;
			this.#clock.scheduleAt(() => this.#begin(transmission), retry);
			return;
		}
		this.#done(transmission);
		this.#reportSendStatus(transmission, acknowledged);
	}

	#reception(transmission: Transmission, station: Station, begin: number, addressed: boolean): Reception {
		const reception = this.#spareReceptions.pop();
		if (reception === undefined) return { transmission, station, begin, end: transmission.end, addressed, collided: undefined, place: 0 };
		reception.transmission = transmission;
		reception.station = station;
		reception.begin = begin;
		reception.end = transmission.end;
		reception.addressed = addressed;
		reception.collided = undefined;
		return reception;
	}

	/** Hands a frame to a station's radio, or says why it could not. */
	#receive(transmission: Transmission, reception: Reception): LossReason | undefined {
		if (reception.collided !== undefined) return reception.collided;
		const station = reception.station;
		const radio = station.radio;
		if (radio === undefined) return "radio-off";
		if (this.#random.chance(this.lossProbability)) return "loss";
		const from = transmission.from;
		if (!transmission.broadcast) {
			// A retransmission of a frame already received: acknowledged again, not delivered twice.
			if (station.lastFrameFrom.get(from.macKey) === transmission.id) return undefined;
			station.lastFrameFrom.set(from.macKey, transmission.id);
		}
		const dx = from.position.x - station.position.x;
		const dy = from.position.y - station.position.y;
		const rssi = this.rssiAt(Math.sqrt(dx * dx + dy * dy));
		if (!radio.enqueue({ from: from.mac, payload: transmission.payload.slice(), rssi })) return "queue-full";
		this.statistics.deliveries++;
		if (this.#receptionListeners.length > 0) this.#emitReception({ type: "deliver", time: this.#clock.now(), frameId: transmission.id, from, to: station, rssi });
		radio.notifyReadable();
		return undefined;
	}

	#reportSendStatus(transmission: Transmission, delivered: boolean): void {
		this.#emit({ type: "send-status", time: this.#clock.now(), frameId: transmission.id, from: transmission.from, to: transmission.to, delivered });
		transmission.from.radio?.notifyWritable({ to: transmission.to, delivered });
	}
}

function checkFrame(to: Uint8Array, payload: Uint8Array): void {
	if (payload.length > RADIO_FRAME_MAX) throw new PicketError<MediumErrorCode>("frame-too-long", `${payload.length} > ${RADIO_FRAME_MAX} bytes`);
	if (to.length !== MAC_LENGTH) throw new PicketError<MediumErrorCode>("bad-mac", "destination must be 6 bytes");
}

/** The `Radio` a device's firmware holds: ESP-NOW semantics, and espnow.c's limits, over the Medium. */
export class SimulatedRadio implements Radio {
	readonly mac: Uint8Array;
	readonly counts: { -readonly [Count in keyof RadioCounts]: number } = { framesDropped: 0, sendResultsDropped: 0, notificationsDropped: 0, peersEvicted: 0 };
	readonly #medium: Medium;
	readonly #station: Station;
	readonly #options: RadioOptions;
	readonly #queue: ReceivedFrame[] = [];
	/** Unicast peers by MAC key, least recently used first (a Map keeps insertion order), with their sends in flight. */
	readonly #peers = new Map<string, { inFlight: number }>();
	/** Send statuses waiting for the firmware, the latest per destination (posted notifications only). */
	readonly #results = new Map<string, SendResult>();
	#readablePosted = false;
	#writablePosted = false;
	#closed = false;

	constructor(medium: Medium, station: Station, options: RadioOptions) {
		this.#medium = medium;
		this.#station = station;
		this.#options = options;
		this.mac = station.mac.slice();
	}

	write(to: Uint8Array, payload: Uint8Array): void {
		if (this.#closed) throw new PicketError<MediumErrorCode>("radio-closed");
		checkFrame(to, payload);
		const peer = isBroadcast(to) ? undefined : this.#usePeer(macKey(to));
		this.#medium.send(this.#station, to, payload);
		if (peer !== undefined) peer.inFlight++;
	}

	read(): ReceivedFrame | undefined {
		return this.#queue.shift();
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#queue.length = 0;
		this.#peers.clear();
		this.#results.clear();
		if (this.#station.radio === this) this.#station.radio = undefined;
	}

	/** The peer-list entry for a unicast destination, evicting the least recently used idle peer when full. */
	#usePeer(key: string): { inFlight: number } {
		let peer = this.#peers.get(key);
		if (peer !== undefined) {
			this.#peers.delete(key); // to the most recently used end
		} else if (this.#peers.size >= this.#medium.peerListSize - 1) {
			let idle: string | undefined;
			for (const [candidate, entry] of this.#peers) {
				if (entry.inFlight === 0) {
					idle = candidate;
					break;
				}
			}
			if (idle === undefined) throw new PicketError<MediumErrorCode>("radio-busy", "every ESP-NOW peer has a send in flight");
			this.#peers.delete(idle);
			this.counts.peersEvicted++;
		}
		peer ??= { inFlight: 0 };
		this.#peers.set(key, peer);
		return peer;
	}

	/** Medium side: queues a received frame; false (and counted) when the queue is full. */
	enqueue(frame: ReceivedFrame): boolean {
		if (this.#closed) return false;
		if (this.#queue.length >= this.#medium.receiveQueueLimit) {
			this.counts.framesDropped++;
			return false;
		}
		this.#queue.push(frame);
		return true;
	}

	notifyReadable(): void {
		if (this.#closed || this.#queue.length === 0) return;
		if (this.#medium.notificationDelayMs === undefined) return this.#deliverReadable();
		if (this.#readablePosted) return;
		this.#readablePosted = this.#post(() => {
			this.#readablePosted = false;
			this.#deliverReadable();
		});
	}

	notifyWritable(result: SendResult): void {
		if (this.#closed) return;
		const key = macKey(result.to);
		const peer = this.#peers.get(key);
		if (peer !== undefined && peer.inFlight > 0) peer.inFlight--;
		if (this.#medium.notificationDelayMs === undefined) return this.#deliverWritable([result]);
		if (this.#results.has(key) || this.#results.size < SEND_RESULT_SLOTS) this.#results.set(key, result);
		else this.counts.sendResultsDropped++;
		if (this.#writablePosted) return;
		this.#writablePosted = this.#post(() => {
			this.#writablePosted = false;
			const results = Array.from(this.#results.values());
			this.#results.clear();
			this.#deliverWritable(results);
		});
	}

	/** True when posted; a failed post is counted and leaves the flag clear, so the next event posts again. */
	#post(deliver: () => void): boolean {
		if (this.#medium.postNotification(deliver)) return true;
		this.counts.notificationsDropped++;
		return false;
	}

	#deliverReadable(): void {
		if (this.#closed || this.#queue.length === 0) return;
		try {
			this.#options.onReadable?.(this.#queue.length);
		} catch (error) {
			this.#report(error);
		}
	}

	#deliverWritable(results: readonly SendResult[]): void {
		for (const result of results) {
			if (this.#closed) return;
			try {
				this.#options.onWritable?.(result);
			} catch (error) {
				this.#report(error);
			}
		}
	}

	#report(error: unknown): void {
		const onError = this.#options.onError;
		if (onError === undefined) throw error;
		onError(error instanceof Error ? error : new Error(String(error)));
	}
}
