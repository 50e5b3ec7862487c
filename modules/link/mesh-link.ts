/**
 * Session traffic across several hops: the mesh envelope (picket/link/mesh-envelope)
 * routed over a reverse path learnt from authenticated traffic, and flooded when that
 * fails. The session layer (pairwise-sessions.ts) reaches a member that is not a radio
 * neighbour at `meshAddress(member)`; its frames come here to be enveloped, and envelopes
 * for this device come back to it with the source's mesh address as their "MAC".
 *
 * Receive pipeline: SecureLink.checkEnvelope (decode, epoch, roster, duplicate cache, network
 * tag) → learn the route back to the source (the MAC the first copy came from) → for this
 * device: hand the inner frame over; else, if this device relays and TTL is left: forward.
 *
 * Routing. Each device remembers, per member, the neighbour it first heard that member's
 * latest authenticated frame from: an alert (its first copy, at whatever TTL) or a routed
 * envelope (a flooded one teaches only its destination). The alert an acknowledgement answers has just flooded from its origin, so
 * every device on the way knows the neighbour towards the origin, and the responder's
 * envelope (message 1, then its session frames) goes back hop by hop as a unicast; each
 * hop learns from it the way back to the responder, which message 2 then follows.
 *
 * | how an envelope travels | transmissions per envelope   | MAC-layer acknowledged |
 * |-------------------------|------------------------------|------------------------|
 * | along a learnt route    | hops (+ MAC retries)         | yes, per hop           |
 * | flooded (no route/flood)| every relay in TTL reach: N  | no                     |
 *
 * An acknowledgement from 4 hops costs 4 frames routed (message 1, message 2 and the
 * session frame: 12 in all) against about 3 × N flooded: in the default scenario N = 11,
 * in bench/sim's 10,000-device grid the thousand responders' acknowledgements would cost
 * 3 × 1,000 × 10,000 flooded frames, which no radio channel carries.
 *
 * Why floods remain. A route is learnt from frames any member can make (the network tag
 * proves membership, not origin), so an insider — the revoked device before a lagging
 * member has moved on — can poison a route and swallow what follows it. Flooding cannot be
 * blocked by one relay. So the sender floods when it has no route, and, for a key-epoch
 * delivery (`floodsFor`: the member owes this device a delivery acknowledgement), when an
 * envelope to the same member went unanswered for `floodAfterMs`: the delivery tracker's
 * retries are what turn a broken route into a flood, so a revocation reaches every member.
 * An acknowledgement does not flood: every repeat of the alert it answers teaches the
 * routes afresh and brings a new acknowledgement along them, and a flood per responder in a
 * 5,000-device domain is 5,000 frames each (bench/sim: 72 flooded retries made 105,000
 * forwards and broke the alert itself); an insider that swallows it costs the origin its
 * repeats, as before acknowledgements crossed the mesh. A flooded envelope carries the flood
 * bit, so relays do not route it back into the hole.
 *
 * A flood costs every device in reach a transmission, so each device forwards at most
 * `floodBudget` flooded envelopes per second (a token bucket; routed ones are not counted):
 * in a large domain where many responders acknowledge at once and congestion breaks routes,
 * retries would otherwise turn into floods that break more routes (bench/sim at 1,000
 * devices: 72,000 envelope frames and 5 acknowledgements delivered out of 194 before it). What the budget drops, the end-to-end retries send again. It also bounds what an
 * insider's forged floods cost the domain.
 *
 * Memory: at most `routeCapacity` routes and as many unanswered destinations (~20 B each).
 */
import type { Timers } from "picket/core/host-contracts";
import { constantTimeEqual } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import type { RandomSource } from "picket/crypto/crypto-suite";
import { BROADCAST_MAC } from "picket/device/radio";
import { withMeshTtl } from "picket/link/mesh-envelope";
import { DEFAULT_MAX_JITTER_MS } from "picket/link/relay-filter";
import type { EnvelopeCheck } from "picket/link/secure-link";

export const DEFAULT_ROUTE_CAPACITY = 64;
/**
 * Longer than a routed round trip over several hops with jitter and contention: message 1
 * through the mesh is retried after 1 s (pairwise-sessions.ts), so its first two sends
 * follow the route and the last two flood.
 */
export const DEFAULT_FLOOD_AFTER_MS = 1_500;
/** Flooded envelopes a device forwards per second, at most (header). */
export const DEFAULT_FLOOD_BUDGET = 4;
/** An unanswered send older than this is history, not a failure of the current exchange. */
const UNANSWERED_STALE_MS = 10_000;

/** What the mesh link needs from the alert link (SecureLink): the network key, the counter, the duplicate cache. */
export interface EnvelopeLink {
	sealEnvelope(destination: number, inner: Uint8Array, flood: boolean, behind: boolean): Uint8Array;
	checkEnvelope(bytes: Uint8Array): EnvelopeCheck;
}

export interface MeshLinkOptions {
	readonly link: EnvelopeLink;
	readonly timers: Timers;
	readonly random: RandomSource;
	/** This device's member id. */
	readonly self: number;
	/** Whether this device forwards envelopes for others (as it relays alerts; default true). */
	readonly relays?: boolean;
	readonly maxJitterMs?: number;
	readonly routeCapacity?: number;
	readonly floodAfterMs?: number;
	readonly floodBudget?: number;
	/** Puts a frame on the air to `to` (a neighbour's MAC, or BROADCAST_MAC). */
	readonly transmit: (frame: Uint8Array, to: Uint8Array) => void;
	/**
	 * Whether an unanswered exchange with `destination` may turn into a flood (default: always).
	 * Devices allow it only while they carry a key-epoch delivery to it (header: why).
	 */
	readonly floodsFor?: (destination: number) => boolean;
	/** True for a member still in the epoch before ours (it owes us a delivery acknowledgement): its envelopes go under that epoch's key. */
	readonly behind?: (member: number) => boolean;
}

/** Forward `frame` to `to` (a neighbour's MAC or the broadcast address) after `delayMs`. */
export interface MeshRelay {
	readonly frame: Uint8Array;
	readonly to: Uint8Array;
	readonly delayMs: number;
}

export type MeshOutcome =
	| { readonly kind: "deliver"; readonly source: number; readonly inner: Uint8Array }
	| { readonly kind: "relay"; readonly source: number; readonly destination: number; readonly relay: MeshRelay | undefined }
	| { readonly kind: "rejected"; readonly reason: string };

export class MeshLink {
	readonly #options: MeshLinkOptions;
	readonly #relays: boolean;
	readonly #maxJitterMs: number;
	readonly #floodAfterMs: number;
	readonly #floodBudget: number;
	/** Token bucket of flooded forwards: tokens left, and when it was last filled. */
	#floodTokens: number;
	#floodFilledAt = 0;
	readonly #routes: BoundedMap<Uint8Array>;
	/** Destination → when the first envelope to it since it was last heard from went out. */
	readonly #unanswered: BoundedMap<number>;

	constructor(options: MeshLinkOptions) {
		this.#options = options;
		this.#relays = options.relays ?? true;
		this.#maxJitterMs = options.maxJitterMs ?? DEFAULT_MAX_JITTER_MS;
		this.#floodAfterMs = options.floodAfterMs ?? DEFAULT_FLOOD_AFTER_MS;
		this.#floodBudget = options.floodBudget ?? DEFAULT_FLOOD_BUDGET;
		this.#floodTokens = this.#floodBudget;
		const capacity = options.routeCapacity ?? DEFAULT_ROUTE_CAPACITY;
		this.#routes = new BoundedMap(capacity);
		this.#unanswered = new BoundedMap(capacity);
	}

	/** The neighbour towards `member`, if one was learnt. */
	routeTo(member: number): Uint8Array | undefined {
		return this.#routes.get(member);
	}

	/** The first copy of an authenticated alert of `source` came from the neighbour `from`. */
	heard(source: number, from: Uint8Array): void {
		if (source !== this.#options.self) this.#routes.set(source, from.slice());
	}

	/** Envelopes `inner` to `destination` and transmits it: along the route, or flooded (header). Never throws. */
	send(destination: number, inner: Uint8Array): void {
		const now = this.#options.timers.now();
		const route = this.#routes.get(destination);
		const since = this.#unanswered.get(destination);
		let flood = route === undefined;
		if (since === undefined || now - since > UNANSWERED_STALE_MS) this.#unanswered.set(destination, now);
		else if (now - since >= this.#floodAfterMs) flood = flood || (this.#options.floodsFor?.(destination) ?? true);
		let frame: Uint8Array;
		try {
			frame = this.#options.link.sealEnvelope(destination, inner, flood, this.#options.behind?.(destination) ?? false);
		} catch (error) {
			// No keys or no sequence left: as a frame lost on the air; the end-to-end retries decide.
			if (isPicketError(error)) return;
			throw error;
		}
		this.#options.transmit(frame, flood || route === undefined ? BROADCAST_MAC : route);
	}

	/** One mesh envelope from the neighbour `from`. Never throws on air input. */
	receive(bytes: Uint8Array, from: Uint8Array): MeshOutcome {
		const checked = this.#options.link.checkEnvelope(bytes);
		if (checked.kind === "rejected") return checked;
		const { source, destination, ttl, flood } = checked.envelope;
		// A flooded envelope passes every device: were bystanders to learn from it, a few
		// floods would push the routes the alerts taught out of every table.
		if (!flood || destination === this.#options.self) this.heard(source, from);
		if (destination === this.#options.self) {
			this.#unanswered.delete(source);
			return { kind: "deliver", source, inner: checked.envelope.inner };
		}
		if (!this.#relays || ttl <= 0) return { kind: "relay", source, destination, relay: undefined };
		const route = flood ? undefined : this.#routes.get(destination);
		// A route back to where the envelope came from is stale: flood instead of bouncing it.
		const to = route === undefined || constantTimeEqual(route, from) ? BROADCAST_MAC : route;
		if (to === BROADCAST_MAC && !this.#takeFloodToken()) return { kind: "relay", source, destination, relay: undefined };
		const draw = this.#options.random(2);
		const delayMs = Math.floor((((draw[0] << 8) | draw[1]) / 65536) * this.#maxJitterMs);
		return { kind: "relay", source, destination, relay: { frame: withMeshTtl(bytes, ttl - 1), to, delayMs } };
	}

	#takeFloodToken(): boolean {
		const now = this.#options.timers.now();
		this.#floodTokens = Math.min(this.#floodBudget, this.#floodTokens + ((now - this.#floodFilledAt) * this.#floodBudget) / 1000);
		this.#floodFilledAt = now;
		if (this.#floodTokens < 1) return false;
		this.#floodTokens--;
		return true;
	}
}

/** A Map of at most `capacity` members, the least recently set forgotten first. */
class BoundedMap<V> {
	readonly #capacity: number;
	readonly #entries = new Map<number, V>();

	constructor(capacity: number) {
		this.#capacity = Math.max(1, capacity);
	}

	get(key: number): V | undefined {
		return this.#entries.get(key);
	}

	set(key: number, value: V): void {
		this.#entries.delete(key);
		if (this.#entries.size >= this.#capacity) {
			const oldest = this.#entries.keys().next().value;
			if (oldest !== undefined) this.#entries.delete(oldest);
		}
		this.#entries.set(key, value);
	}

	delete(key: number): void {
		this.#entries.delete(key);
	}
}
