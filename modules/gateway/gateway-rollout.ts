/**
 * The gateway as the seeder of a rollout the command post started (issue 15): the post hands
 * the gateway a signed offer over the post link; the gateway checks it against its own pinned
 * update key, broadcasts it and serves the image's chunks on the air (a RolloutAgent with a
 * seed), fetching them from the post on demand; and it tells the post what it hears of the
 * boards' progress.
 *
 *   post ─ rollout(offer) ──► start: verify, RolloutAgent(seed: offer, PostChunkWindow)
 *   agent wants chunk i ──► window.fetch ──► chunk-request(first, count) ──► post
 *   post ─ chunks(first, bytes) ──► window.supply ──► agent sends them, paced as any seeder
 *   progress frames heard ──► onProgress(device, state) ──► post (stored, shown)
 *
 * A board-sized gateway cannot hold a 1.2 MB image: PostChunkWindow holds at most
 * `capacity` chunks (default 32: 7 KiB of 224-byte chunks), counting those asked for and not
 * yet arrived, so what the post sends never exceeds what the gateway asked for (chunks it did
 * not ask for, or asked for too long ago, are dropped and counted). A chunk is dropped once
 * sent: the wire carries what the gateway sends on the air, no more.
 *
 * What the gateway trusts the post for: nothing the boards depend on. The post link is
 * authenticated (post-link.ts), but a chunk corrupted anywhere (the post's disk, its memory)
 * is refused by every board, which checks each page against the signed page table and the
 * whole image against the signed offer (update-installer.ts) and fetches a refused page again.
 * The gateway checks the offer's signature itself so that the operator hears at once of an
 * offer no board would take ("bad-offer-signature", or "no-anchor" on a gateway provisioned
 * without the update key).
 *
 * While it seeds, the gateway's own installer (when it has a slot) hears nothing: it is
 * updated by another seeder or by cable.
 */
import { PicketError } from "picket/core/picket-error";
import type { Timers } from "picket/core/host-contracts";
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import type { UpdateReceiver } from "picket/device/device-node";
import { CHUNKS_PER_MESSAGE } from "picket/gateway/post-messages";
import { type ChunkSource, RolloutAgent } from "picket/update/rollout-agent";
import { TransferPlan } from "picket/update/transfer-plan";
import type { RolloutProgress } from "picket/update/update-frame";
import { verifyOffer } from "picket/update/update-offer";

export type GatewayRolloutErrorCode =
	| "bad-chunks" // a chunks message whose length does not match the plan's chunks
	| "not-seeding"; // chunks for a rollout this gateway does not seed

/** Chunks held by default: 32 × 224 B = 7 KiB. */
export const WINDOW_CHUNKS = 32;
/** Free room a window waits for before it asks again, while the next chunk to send is already here. */
export const REFILL_BATCH = 8;
/** A request not answered within this is asked again (the post restarted, the link dropped). */
export const FETCH_RETRY_MS = 2_000;

export interface PostChunkWindowOptions {
	readonly rollout: number;
	readonly plan: TransferPlan;
	readonly timers: Timers;
	/** Asks the post for `count` chunks from `first` (post-messages.ts "chunk-request"). */
	readonly request: (first: number, count: number) => void;
	readonly capacity?: number;
}

/**
 * The gateway's bounded window on the image the post holds: a ChunkSource that fetches. A
 * chunk is held from its arrival until the agent reads it to send it, then dropped: a chunk
 * asked for again is fetched again, so the window never serves stale bytes (a page the boards
 * refused comes from the post afresh, not from a copy here).
 */
export class PostChunkWindow implements ChunkSource {
	readonly stats = { requested: 0, received: 0, unsolicited: 0, dropped: 0 };
	readonly #options: PostChunkWindowOptions;
	readonly #capacity: number;
	/** Arrived, not yet sent. */
	readonly #held = new Map<number, Uint8Array>();
	/** Asked for: index → when. Held + asked never exceed the capacity. */
	readonly #asked = new Map<number, number>();

	constructor(options: PostChunkWindowOptions) {
		this.#options = options;
		this.#capacity = options.capacity ?? WINDOW_CHUNKS;
	}

	/** Chunks in memory now (never above the capacity). */
	get held(): number {
		return this.#held.size;
	}

	has(rollout: number, index: number): boolean {
		return rollout === this.#options.rollout && this.#options.plan.place(index) !== undefined;
	}

	readChunk(rollout: number, index: number): Uint8Array | undefined {
		if (rollout !== this.#options.rollout) return undefined;
		const bytes = this.#held.get(index);
		this.#held.delete(index);
		return bytes;
	}

	fetch(rollout: number, indexes: readonly number[]): void {
		if (rollout !== this.#options.rollout) return;
		const now = this.#options.timers.now();
		for (const [index, at] of this.#asked) if (now - at >= FETCH_RETRY_MS) this.#asked.delete(index);
		const wanted = indexes.slice(0, this.#capacity);
		const missing = wanted.filter((index) => !this.#held.has(index) && !this.#asked.has(index) && this.has(rollout, index));
		if (missing.length === 0) return;
		let room = this.#capacity - this.#held.size - this.#asked.size;
		// While the next chunk to send is here or on its way, top up in batches (fewer, longer requests).
		if (missing[0] !== wanted[0] && room < REFILL_BATCH) return;
		if (room < missing.length) {
			// A repair report queued chunks ahead of some held or asked for: those give way, and are fetched again in their turn.
			const soon = new Set(wanted);
			for (const index of [...this.#held.keys()]) {
				if (room >= missing.length) break;
				if (soon.has(index)) continue;
				this.#held.delete(index);
				this.stats.dropped++;
				room++;
			}
			for (const index of [...this.#asked.keys()]) {
				if (room >= missing.length) break;
				if (soon.has(index)) continue;
				this.#asked.delete(index); // if it still comes, it is dropped as unasked
				room++;
			}
		}
		let first = -1;
		let count = 0;
		const flush = (): void => {
			if (count > 0) this.#options.request(first, count);
			this.stats.requested += count;
			count = 0;
		};
		for (const index of missing.slice(0, Math.max(0, room))) {
			this.#asked.set(index, now);
			if (count > 0 && index === first + count && count < CHUNKS_PER_MESSAGE) count++;
			else {
				flush();
				first = index;
				count = 1;
			}
		}
		flush();
	}

	/** A "chunks" message: consecutive chunks from `first`. Checked whole before anything is kept. */
	supply(rollout: number, first: number, bytes: Uint8Array): void {
		if (rollout !== this.#options.rollout) throw new PicketError<GatewayRolloutErrorCode>("not-seeding", `chunks of rollout ${rollout}`);
		const pieces: { index: number; offset: number; length: number }[] = [];
		for (let index = first, offset = 0; offset < bytes.length; index++) {
			const place = this.#options.plan.place(index);
			if (place === undefined || offset + place.length > bytes.length || pieces.length === CHUNKS_PER_MESSAGE) {
				throw new PicketError<GatewayRolloutErrorCode>("bad-chunks", `${bytes.length} bytes from chunk ${first} do not end on a chunk`);
			}
			pieces.push({ index, offset, length: place.length });
			offset += place.length;
		}
		for (const piece of pieces) {
			// Only what was asked for is kept: the post cannot fill the gateway's memory.
			if (!this.#asked.delete(piece.index)) {
				this.stats.unsolicited++;
				continue;
			}
			this.#held.set(piece.index, bytes.slice(piece.offset, piece.offset + piece.length));
			this.stats.received++;
		}
	}
}

export interface GatewayRolloutOptions {
	readonly crypto: CryptoSuite;
	readonly timers: Timers;
	readonly random: RandomSource;
	readonly self: number;
	/** The update frame key of the key epoch in force (update-frame.ts updateFrameKey). */
	readonly frameKey: () => Uint8Array;
	/** The update key pinned at provisioning (update-anchor.ts loadUpdateAnchor: throws "no-anchor" without one). */
	readonly anchor: () => Uint8Array;
	readonly broadcast: (frame: Uint8Array) => void;
	/** The gateway's own installer and agent, on a gateway with a firmware slot. */
	readonly own?: UpdateReceiver;
	readonly capacity?: number;
}

/** What the bridge hears from a rollout it seeds. */
export interface SeedingListener {
	readonly request: (first: number, count: number) => void;
	readonly progress: (device: number, state: RolloutProgress) => void;
}

/** The gateway's update receiver (device-node.ts): its own agent, or the seeder while it seeds. */
export class GatewayRollout implements UpdateReceiver {
	readonly #options: GatewayRolloutOptions;
	#seeder: RolloutAgent | undefined;
	#window: PostChunkWindow | undefined;
	#rollout: number | undefined;
	/** Progress already told to the post, "device/state", for the rollout seeded. */
	readonly #told = new Set<string>();

	constructor(options: GatewayRolloutOptions) {
		this.#options = options;
	}

	/** The rollout seeded now, if any. */
	get rollout(): number | undefined {
		return this.#rollout;
	}

	get window(): PostChunkWindow | undefined {
		return this.#window;
	}

	get seeder(): RolloutAgent | undefined {
		return this.#seeder;
	}

	/**
	 * Seeds `offer` (replacing a rollout seeded before). Throws "no-anchor" (a gateway
	 * provisioned without the update key seeds nothing it cannot check), and the offer's own
	 * errors ("bad-offer", "bad-offer-signature"): nothing goes on the air then.
	 */
	start(offer: Uint8Array, listener: SeedingListener): number {
		const checked = verifyOffer(this.#options.crypto, this.#options.anchor(), offer);
		if (checked.rollout === this.#rollout) return checked.rollout; // the post said it again (a reconnect)
		this.stop();
		const window = new PostChunkWindow({ rollout: checked.rollout, plan: new TransferPlan(checked), timers: this.#options.timers, request: listener.request, ...(this.#options.capacity === undefined ? {} : { capacity: this.#options.capacity }) });
		this.#window = window;
		this.#rollout = checked.rollout;
		this.#told.clear();
		this.#seeder = new RolloutAgent({
			crypto: this.#options.crypto,
			timers: this.#options.timers,
			random: this.#options.random,
			frameKey: this.#options.frameKey,
			self: this.#options.self,
			broadcast: this.#options.broadcast,
			seed: { offer, source: window },
			onEvent: (event) => {
				if (event.type !== "progress" || event.rollout !== checked.rollout) return;
				const key = `${event.reporter}/${event.state}`;
				if (this.#told.has(key)) return;
				this.#told.add(key);
				listener.progress(event.reporter, event.state);
			},
		});
		return checked.rollout;
	}

	/** Chunks from the post; throws "bad-chunks" / "not-seeding" (the bridge logs them). */
	supply(rollout: number, first: number, bytes: Uint8Array): void {
		if (this.#window === undefined) throw new PicketError<GatewayRolloutErrorCode>("not-seeding", `chunks of rollout ${rollout}`);
		this.#window.supply(rollout, first, bytes);
	}

	stop(): void {
		this.#seeder?.close();
		this.#seeder = undefined;
		this.#window = undefined;
		this.#rollout = undefined;
	}

	receive(frame: Uint8Array): void {
		if (this.#seeder !== undefined) this.#seeder.receive(frame);
		else this.#options.own?.receive(frame);
	}

	yieldToAlert(): void {
		this.#seeder?.yieldToAlert();
		this.#options.own?.yieldToAlert();
	}

	close(): void {
		this.stop();
		this.#options.own?.close();
	}
}

