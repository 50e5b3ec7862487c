/**
 * The members this device has heard transmit directly, at which MAC, and the ones whose
 * handshake recently went unanswered. A session frame goes to a member in radio range
 * at its own MAC, unicast and unenveloped; to any other member through the mesh
 * (mesh-link.ts). This table is how the session layer knows which, and where, before any
 * handshake with the member.
 *
 * Where a MAC comes from. Only from an authenticated frame the member transmitted itself:
 *   - a handshake step (pairwise-sessions.ts keeps that MAC with the session), or
 *   - an alert received *directly from its origin*: it passed the network tag and the app
 *     tag (secure-link.ts: a member of the alert's group sealed it, the roster lists the
 *     source in that group) and arrived with the domain's initial TTL. Relays always
 *     decrement the TTL before forwarding (relay-filter.ts), so a relayed copy arrives with
 *     less and teaches nothing: its transmitter is the relay, not the origin. The device
 *     node applies the rule (device-node.ts) because it holds the frame, the transmitter's
 *     MAC and the domain's initial TTL (device-settings.ts `initialTtl`, domain-wide).
 *   A relay-only frame (network tag alone) teaches nothing either: every member holds the
 *   network key, so it proves no origin.
 *
 * What a lie costs. Neither the TTL (outside the authenticated header, alert-frame.ts) nor
 * the transmitter's MAC (ESP-NOW does not authenticate it) is protected, so an attacker who
 * re-sends a genuine alert with the TTL raised back to the initial value, from its own MAC
 * or a spoofed one, and gets it to a receiver before the genuine copy, makes the receiver
 * note the wrong MAC. That costs, per genuine alert frame (each is accepted once: replay
 * window, duplicate cache) and at most once per `cooldownMs` per member:
 *   - the receiver: one handshake started (3 X25519: its ephemeral, es, ss) and message 1
 *     unicast `attempts` times to that MAC, then "peer-unreachable" and the cool-down;
 *   - the device owning that MAC, if any: 2 X25519 per message 1 before "bad-tag" (it is
 *     not the addressee: the prologue names the responder, handshake.ts). A relay wrongly
 *     taken for the origin (a domain with mixed initial TTLs) pays the same, bounded the
 *     same way.
 * It gains no key, no session and no command: the handshake authenticates the peer
 * (Noise KKpsk0), and a MAC only says where to send message 1. Without this rule a
 * responder broadcast message 1 for every origin it had not met, and every neighbour paid
 * 2 X25519 per copy to reject it: about 16,000 X25519 for one alert across a
 * 1,000-device grid, and an amplifier for whoever makes a device acknowledge.
 *
 * The cool-down. After a handshake with a member goes unanswered, commands to it are
 * dropped at once until `until`: the origin repeats its alert with backoff, and each repeat
 * would otherwise start a handshake that fails the same way.
 *
 * Bounded: at most `capacity` members (least recently heard evicted), ~16 B each.
 */
import { constantTimeEqual } from "picket/core/bytes";

interface Neighbour {
	mac: Uint8Array | undefined;
	/** Commands to the member are dropped until this time (Clock ms). */
	quietUntil: number | undefined;
}

export const DEFAULT_NEIGHBOUR_CAPACITY = 32;

export class NeighbourTable {
	readonly #capacity: number;
	/** Insertion order is recency order: a touched member moves to the end, the first is evicted. */
	readonly #members = new Map<number, Neighbour>();

	constructor(capacity: number = DEFAULT_NEIGHBOUR_CAPACITY) {
		this.#capacity = Math.max(1, capacity);
	}

	/** Members held (at most `capacity`). */
	get size(): number {
		return this.#members.size;
	}

	/** `member` transmitted an authenticated frame itself, from `mac`. */
	heard(member: number, mac: Uint8Array): void {
		const neighbour = this.#entry(member);
		if (neighbour.mac === undefined || !constantTimeEqual(neighbour.mac, mac)) neighbour.mac = mac.slice();
	}

	/** Where `member` was last heard, if anywhere. */
	macOf(member: number): Uint8Array | undefined {
		return this.#members.get(member)?.mac;
	}

	/** A handshake with `member` went unanswered: forget its MAC, refuse commands until `until`. */
	unreachable(member: number, until: number): void {
		const neighbour = this.#entry(member);
		neighbour.mac = undefined;
		neighbour.quietUntil = until;
	}

	/** `member` answered after all: the cool-down ends. */
	reachable(member: number): void {
		const neighbour = this.#members.get(member);
		if (neighbour !== undefined) neighbour.quietUntil = undefined;
	}

	/** True while commands to `member` wait out a cool-down. */
	coolingDown(member: number, now: number): boolean {
		const until = this.#members.get(member)?.quietUntil;
		return until !== undefined && now < until;
	}

	/** Forgets every member for which `keep` is false (members gone with a key epoch). */
	retain(keep: (member: number) => boolean): void {
		for (const member of [...this.#members.keys()]) if (!keep(member)) this.#members.delete(member);
	}

	#entry(member: number): Neighbour {
		const known = this.#members.get(member);
		if (known !== undefined) {
			this.#members.delete(member);
			this.#members.set(member, known);
			return known;
		}
		if (this.#members.size >= this.#capacity) {
			const oldest = this.#members.keys().next().value;
			if (oldest !== undefined) this.#members.delete(oldest);
		}
		const neighbour: Neighbour = { mac: undefined, quietUntil: undefined };
		this.#members.set(member, neighbour);
		return neighbour;
	}
}
