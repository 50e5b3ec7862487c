/**
 * Key-epoch deliveries being put back together from their chunks
 * (picket/link/session-command "epoch-delivery"), one per peer and session.
 *
 * Why per peer. With one buffer for every peer, a chunk from any other peer restarted it:
 * a revoked device, still in a lagging member's roster (it has a session with it under the
 * old epoch), sent one chunk between a carrier's chunks and kept that member in the old
 * epoch, with itself. Here a peer's chunks only ever meet that peer's chunks on that
 * session: another peer's chunk opens (or restarts) that other peer's reassembly, never
 * this one.
 *
 * Which delivery a chunk belongs to: a delivery's chunks are sealed back to back on one
 * session (pairwise-sessions.ts #flush), so (peer, session, counter of chunk 0 = the
 * chunk's counter − its index) names it. A chunk naming another delivery of the same peer
 * restarts that peer's reassembly: a delivery that lost a chunk is never completed with the
 * chunks of the next one. One exception: the carrier's retransmission (delivery-tracker.ts)
 * sends the same delivery whole again; when its chunk 0 is byte for byte the chunk 0 held
 * (a delivery's first bytes name its addressee, epoch and a random nonce: no two deliveries
 * share them), the chunks held so far are kept and the resend fills the gaps, so a lossy
 * path needs every chunk to arrive once, not every chunk of one send.
 *
 * Bounded: at most `slots` reassemblies at once (the one that progressed least recently
 * makes room for a new one) of at most `maxBytes` each. A member of the roster can take a
 * slot of its own; it needs `slots` colluding members to push out an honest carrier's, and
 * then only until that carrier retransmits.
 */
import { concatBytes, constantTimeEqual } from "picket/core/bytes";
import type { EpochDeliveryChunk } from "picket/link/session-command";

export const DEFAULT_REASSEMBLY_SLOTS = 2;

interface Reassembly<S> {
	readonly session: S;
	/** The counter chunk 0 travels (or travelled) under. */
	readonly firstCounter: number;
	readonly parts: (Uint8Array | undefined)[];
	received: number;
	size: number;
}

/** S: whatever identifies a session (the Session object itself in pairwise-sessions.ts). */
export class DeliveryReassembly<S> {
	readonly #slots: number;
	readonly #maxBytes: number;
	/** By peer id; insertion order is the order of last progress (the first is evicted). */
	readonly #byPeer = new Map<number, Reassembly<S>>();

	constructor(maxBytes: number, slots: number = DEFAULT_REASSEMBLY_SLOTS) {
		this.#maxBytes = maxBytes;
		this.#slots = Math.max(1, slots);
	}

	/** Reassemblies under way. */
	get size(): number {
		return this.#byPeer.size;
	}

	/**
	 * Adds a chunk `peer` sent on `session` under `counter`: the whole delivery once every
	 * chunk is in, "delivery-too-large" beyond `maxBytes` (that peer's reassembly is dropped),
	 * else undefined.
	 */
	add(peer: number, session: S, counter: number, chunk: EpochDeliveryChunk): Uint8Array | "delivery-too-large" | undefined {
		const firstCounter = counter - chunk.index;
		let incoming = this.#byPeer.get(peer);
		this.#byPeer.delete(peer);
		if (incoming !== undefined && incoming.firstCounter !== firstCounter && isResend(incoming, session, chunk)) {
			incoming = { ...incoming, firstCounter };
		}
		if (incoming === undefined || incoming.session !== session || incoming.firstCounter !== firstCounter || incoming.parts.length !== chunk.count) {
			incoming = { session, firstCounter, parts: new Array<Uint8Array | undefined>(chunk.count).fill(undefined), received: 0, size: 0 };
		}
		if (incoming.parts[chunk.index] === undefined) {
			if (incoming.size + chunk.bytes.length > this.#maxBytes) return "delivery-too-large";
			incoming.parts[chunk.index] = chunk.bytes;
			incoming.received++;
			incoming.size += chunk.bytes.length;
		}
		if (incoming.received === incoming.parts.length) return concatBytes(...(incoming.parts as Uint8Array[]));
		if (this.#byPeer.size >= this.#slots) {
			const stalest = this.#byPeer.keys().next().value;
			if (stalest !== undefined) this.#byPeer.delete(stalest);
		}
		this.#byPeer.set(peer, incoming);
		return undefined;
	}

	/** Drops `peer`'s reassembly (the peer left the roster), or every one. */
	forget(peer?: number): void {
		if (peer === undefined) this.#byPeer.clear();
		else this.#byPeer.delete(peer);
	}
}

/** A chunk 0 on the same session, of the same count, equal to the one held: the same delivery sent again. */
function isResend<S>(incoming: Reassembly<S>, session: S, chunk: EpochDeliveryChunk): boolean {
	const held = incoming.parts[0];
	return chunk.index === 0 && incoming.session === session && incoming.parts.length === chunk.count && held !== undefined && constantTimeEqual(held, chunk.bytes);
}
