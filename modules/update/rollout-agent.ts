/**
 * A board's radio side of a rollout: hears offers, chunks and status reports (update-frame.ts),
 * feeds the installer, and, on a board that serves (the seeder, and boards set to `servesUpdates`:
 * relays, gateways and responders by default), passes the image
 * on. Every board runs one; it owns no radio, it is handed the update frames and a way to
 * broadcast.
 *
 * The rollout, as each board sees it:
 *   1. offer: the seeder broadcasts the signed offer with hops 0, again every offerIntervalMs;
 *      a serving board that accepts it broadcasts it on with its own hop count, and offers it
 *      again every offerIntervalMs (jittered) while it holds it. A board takes as its server
 *      the serving neighbour it heard the offer from with the fewest hops.
 *   2. push: the seeder sends every chunk once; a serving board sends on each chunk it
 *      stores. The three hops of a domain fill as a pipeline.
 *   3. repair: a board still missing chunks and quiet for statusQuietMs reports to its server
 *      a bitmap of the next missing chunks (up to 1,600); the server sends those it holds.
 *      Reports repeat until nothing is missing, so loss, collisions and reboots are repaired
 *      the same way.
 *   4. progress: a board that installed the image (marked it bootable), and again once it
 *      confirmed it after its trial boot, broadcasts a progress report, three times spread
 *      over PROGRESS_REPEAT_MS; serving boards pass each report on (PROGRESS_HOPS at most,
 *      once per report heard within a second), so the seeder hears boards hops away and tells
 *      the operator (the gateway's bridge to the command post).
 *
 * A server that does not answer is left: after SERVER_PATIENCE status reports without a new
 * chunk stored, the board forgets its server (and its hop count) and takes the next offer it
 * hears; for DISTRUST_MS the one it left is taken back only while no other sender is heard,
 * and given up for the first other one, whatever its hop count. That is what bounds the
 * insider's stall (README, Known limits): a holder of the network key replaying the offer with
 * hop count 0 under an id that never answers wins the boards around it for SERVER_PATIENCE
 * reports, then loses them to the next honest offer they hear.
 *
 * A seeder's chunks may be far away (the gateway's come from the command post over its wire,
 * modules/gateway/gateway-rollout.ts): a ChunkSource with `fetch` may answer "not here yet";
 * the agent then keeps that chunk queued, asks the source for it and the next queued ones
 * (FETCH_AHEAD), and sends nothing until it arrives: the source decides how much it holds.
 *
 * Alerts always go first, two ways:
 * - rate limit: an agent writes at most one update frame per frameIntervalMs (default 10 ms; a
 *   239-byte frame takes 2.3 ms of air at 1 Mbps), so at most one update frame ever waits in
 *   the radio's queue ahead of an alert: an alert waits for that one frame at most, never
 *   behind a backlog;
 * - yield: a board that hears (or sends) any other frame calls yieldToAlert() and sends no
 *   update frame for alertHoldMs (default 300 ms): the flood of an alert silences the rollout
 *   around it as it spreads, so that its copies do not collide with chunks from boards that
 *   cannot hear them (hidden terminals).
 */
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import type { TimerId, Timers } from "picket/core/host-contracts";
import { isPicketError } from "picket/core/picket-error";
import { decodeUpdateFrame, encodeUpdateFrame, RolloutProgress, STATUS_BITMAP_MAX, UpdateFrameType, type UpdateFrame, type UpdateFrameRejection } from "picket/update/update-frame";
import type { ChunkOutcome, UpdateInstaller } from "picket/update/update-installer";
import { TransferPlan } from "picket/update/transfer-plan";
import { decodeOffer } from "picket/update/update-offer";

/** What serves chunks: a board's installer, the seeder's package, or the gateway's window on the post. */
export interface ChunkSource {
	has(rollout: number, index: number): boolean;
	/** The chunk's bytes; undefined when not held (or, for a source with `fetch`, not here yet). */
	readChunk(rollout: number, index: number): Uint8Array | undefined;
	/** A remote source: fetch these chunks (queued, in sending order); the source bounds what it holds. */
	fetch?(rollout: number, indexes: readonly number[]): void;
}

export interface RolloutAgentOptions {
	readonly crypto: CryptoSuite;
	readonly timers: Timers;
	readonly random: RandomSource;
	/**
	 * The update frame key (update-frame.ts updateFrameKey), or where to read the one in force:
	 * a board's follows its key epoch, so it takes part in rollouts after an epoch change
	 * without a reboot (device-updates.ts).
	 */
	readonly frameKey: Uint8Array | (() => Uint8Array);
	/** This board's member id. */
	readonly self: number;
	/** Broadcasts one frame. */
	readonly broadcast: (frame: Uint8Array) => void;
	/** A board's installer; absent on a seeder that does not install. */
	readonly installer?: UpdateInstaller;
	/** Whether this board passes the image on (a relay; the seeder always does). */
	readonly serves?: boolean;
	/** The seeder's package: the signed offer and the chunks. */
	readonly seed?: { readonly offer: Uint8Array; readonly source: ChunkSource };
	readonly frameIntervalMs?: number;
	readonly offerIntervalMs?: number;
	readonly statusQuietMs?: number;
	readonly alertHoldMs?: number;
	/** Called with each installer outcome and each refusal (for logs and the simulator's report). */
	readonly onEvent?: (event: RolloutEvent) => void;
}

export type RolloutEvent =
	| { readonly type: "frame-rejected"; readonly reason: UpdateFrameRejection }
	| { readonly type: "offer-refused"; readonly code: string }
	| { readonly type: "offer-accepted"; readonly rollout: number }
	| { readonly type: "chunk"; readonly outcome: ChunkOutcome }
	/** A server that left SERVER_PATIENCE reports unanswered was left. */
	| { readonly type: "server-left"; readonly server: number }
	/** A progress report heard (on every board; the seeder passes it to the operator). */
	| { readonly type: "progress"; readonly rollout: number; readonly reporter: number; readonly state: RolloutProgress };

export interface RolloutCounts {
	offersSent: number;
	chunksSent: number;
	statusSent: number;
	/** This board's own progress reports (not those it passed on). */
	progressSent: number;
	bytesSent: number;
}

const UNKNOWN_HOPS = 255;
const NO_SERVER = 0xffff;
const STATUS_WINDOW = STATUS_BITMAP_MAX * 8;
/** Chunks a remote source is asked for ahead of the one to send. */
export const FETCH_AHEAD = 32;
/** Hops a progress report travels towards the seeder. */
export const PROGRESS_HOPS = 6;
/** A progress report goes out at once, then at these delays (ms, each plus up to half as much jitter). */
export const PROGRESS_REPEAT_MS: readonly number[] = [3_000, 10_000];
/** A serving board passes a report on once per this window (its copies from other relays are echoes). */
const PROGRESS_ECHO_MS = 1_000;
/** Status reports left unanswered (no new chunk stored) before a board leaves its server. */
export const SERVER_PATIENCE = 8;
/**
 * A server left for not answering is not taken again for this long: two offer periods, so
 * that an honest server that was only busy (the only one in range, perhaps) is taken back soon.
 */
export const DISTRUST_MS = 8_000;
/** Servers left lately, at most (the oldest forgotten first). */
const DISTRUST_LIMIT = 8;
/** Update frames other than offers and chunks waiting to go (progress reports, own and passed on). */
const CONTROL_QUEUE_LIMIT = 8;

export class RolloutAgent {
	readonly counts: RolloutCounts = { offersSent: 0, chunksSent: 0, statusSent: 0, progressSent: 0, bytesSent: 0 };
	readonly #options: RolloutAgentOptions;
	readonly #serves: boolean;
	readonly #frameIntervalMs: number;
	readonly #statusQuietMs: number;
	#hops = UNKNOWN_HOPS;
	#server = NO_SERVER;
	#rollout: number | undefined;
	#offer: Uint8Array | undefined;
	#totalChunks = 0;
	/** Chunks to send, one bit each, and where the next search starts. */
	#toSend = new Uint8Array(0);
	#pendingChunks = 0;
	#cursor = 0;
	#offerDue = false;
	#lastChunkAt = -Infinity;
	#lastStatusAt = -Infinity;
	#lastAskedAt = -Infinity;
	#sendTimer: TimerId | undefined;
	#statusTimer: TimerId | undefined;
	#closed = false;
	#holdUntil = -Infinity;
	readonly #control: UpdateFrame[] = [];
	/** Status reports sent since the last new chunk stored. */
	#unanswered = 0;
	/** Servers left for not answering: member id → when. */
	readonly #distrusted = new Map<number, number>();
	/** Progress reports passed on lately: "rollout/reporter/state" → when. */
	readonly #echoes = new Map<string, number>();

	constructor(options: RolloutAgentOptions) {
		this.#options = options;
		this.#serves = options.serves === true || options.seed !== undefined;
		this.#frameIntervalMs = options.frameIntervalMs ?? 10;
		this.#statusQuietMs = options.statusQuietMs ?? 800;
		if (options.seed !== undefined) {
			this.#hops = 0;
			this.#adopt(options.seed.offer);
			for (let index = 0; index < this.#totalChunks; index++) this.#queueChunk(index);
			this.#offerDue = true;
			this.#everyOfferInterval();
		} else if (options.installer?.offerBytes !== undefined && options.installer.state === "receiving") {
			this.#adopt(options.installer.offerBytes); // resumed after a reset: wait for an offer to learn a server
		}
		// A serving board offers what it holds on its own too: boards that left their server, or
		// whose upstream relay reset into the new image, still find one.
		if (this.#serves && options.seed === undefined) this.#everyOfferInterval();
		this.#schedule();
	}

	get hops(): number {
		return this.#hops;
	}

	get server(): number {
		return this.#server;
	}

	/** When a board last heard a status report naming it as server (a serving board stays up while asked). */
	get lastAskedAt(): number {
		return this.#lastAskedAt;
	}

	/** Chunks waiting to be sent. */
	get pending(): number {
		return this.#pendingChunks;
	}

	/** Progress reports waiting to be sent (own, and passed on). */
	get reportsQueued(): number {
		return this.#control.length;
	}

	/** Another frame (an alert, a handshake) was heard or sent: no update frame for alertHoldMs. */
	yieldToAlert(): void {
		this.#holdUntil = this.#options.timers.now() + (this.#options.alertHoldMs ?? 300);
	}

	close(): void {
		this.#closed = true;
		if (this.#sendTimer !== undefined) this.#options.timers.clearTimeout(this.#sendTimer);
		if (this.#statusTimer !== undefined) this.#options.timers.clearTimeout(this.#statusTimer);
	}

	/** One update frame heard on the radio. */
	receive(bytes: Uint8Array): void {
		if (this.#closed) return;
		const decoded = decodeUpdateFrame(this.#options.crypto, this.#frameKey(), bytes);
		if (!decoded.ok) return this.#options.onEvent?.({ type: "frame-rejected", reason: decoded.reason });
		const frame = decoded.frame;
		if (frame.type === UpdateFrameType.Offer) this.#hearOffer(frame.offer, frame.hops, frame.sender);
		else if (frame.type === UpdateFrameType.Chunk) this.#hearChunk(frame.rollout, frame.index, frame.bytes);
		else if (frame.type === UpdateFrameType.Progress) this.#hearProgress(frame.rollout, frame.reporter, frame.state, frame.hopsLeft);
		else this.#hearStatus(frame.rollout, frame.server, frame.base, frame.missing);
	}

	/**
	 * Tells the seeder how far this board got: installed (marked bootable; the agent reports it
	 * itself) or confirmed (device-updates.ts, after the trial boot). Sent now and repeated.
	 */
	reportProgress(rollout: number, state: RolloutProgress): void {
		const frame: UpdateFrame = { type: UpdateFrameType.Progress, rollout, reporter: this.#options.self, state, hopsLeft: PROGRESS_HOPS };
		this.#queueControl(frame);
		for (const delay of PROGRESS_REPEAT_MS) {
			const jitter = (this.#options.random(1)[0] / 512) * delay;
			this.#options.timers.setTimeout(() => {
				if (!this.#closed) this.#queueControl(frame);
			}, delay + jitter);
		}
	}

	#hearProgress(rollout: number, reporter: number, state: RolloutProgress, hopsLeft: number): void {
		this.#options.onEvent?.({ type: "progress", rollout, reporter, state });
		if (!this.#serves || this.#options.seed !== undefined || hopsLeft === 0 || reporter === this.#options.self) return;
		const now = this.#options.timers.now();
		const key = `${rollout}/${reporter}/${state}`;
		const last = this.#echoes.get(key);
		if (last !== undefined && now - last < PROGRESS_ECHO_MS) return;
		this.#echoes.delete(key);
		this.#echoes.set(key, now);
		if (this.#echoes.size > 2 * CONTROL_QUEUE_LIMIT) this.#echoes.delete(this.#echoes.keys().next().value as string);
		this.#queueControl({ type: UpdateFrameType.Progress, rollout, reporter, state, hopsLeft: hopsLeft - 1 });
	}

	#queueControl(frame: UpdateFrame): void {
		this.#control.push(frame);
		if (this.#control.length > CONTROL_QUEUE_LIMIT) this.#control.shift();
		this.#schedule();
	}

	#adopt(offer: Uint8Array): void {
		const decoded = decodeOffer(offer);
		if (this.#rollout === decoded.rollout) return;
		this.#rollout = decoded.rollout;
		this.#offer = offer;
		const plan = this.#options.installer?.plan;
		this.#totalChunks = plan !== undefined && this.#options.installer?.offer?.rollout === decoded.rollout ? plan.totalChunks : totalChunksOf(offer);
		this.#toSend = new Uint8Array(Math.ceil(this.#totalChunks / 8));
		this.#pendingChunks = 0;
		this.#cursor = 0;
	}

	#hearOffer(offer: Uint8Array, hops: number, sender: number): void {
		const installer = this.#options.installer;
		if (installer === undefined) return;
		let result: "accepted" | "current";
		try {
			result = installer.considerOffer(offer);
		} catch (error) {
			if (!isPicketError(error)) throw error;
			return this.#options.onEvent?.({ type: "offer-refused", code: error.code });
		}
		if (result === "accepted") {
			this.#hops = UNKNOWN_HOPS;
			this.#server = NO_SERVER;
			this.#options.onEvent?.({ type: "offer-accepted", rollout: decodeOffer(offer).rollout });
		}
		this.#adopt(installer.offerBytes ?? offer);
		// Fewest hops wins, but a sender left for not answering only while no other is heard:
		// with no server a board takes any offer (never stranded), and it leaves a distrusted
		// server for the first other sender it hears, whatever its hops.
		const better = this.#server === NO_SERVER || (this.#distrusts(this.#server) ? !this.#distrusts(sender) : hops + 1 < this.#hops && !this.#distrusts(sender));
		if (better && (sender !== this.#server || hops + 1 < this.#hops)) {
			this.#hops = hops + 1;
			this.#server = sender;
			if (this.#serves) this.#offerDue = true;
		} else if (this.#serves && hops < this.#hops && sender === this.#server) {
			this.#offerDue = true; // pass the seeder's periodic offer on down the hops
		}
		this.#armStatus();
		this.#schedule();
	}

	#hearChunk(rollout: number, index: number, bytes: Uint8Array): void {
		const installer = this.#options.installer;
		if (installer === undefined) return;
		const outcome = installer.storeChunk(rollout, index, bytes);
		if (outcome === "not-current" || outcome === "duplicate") return;
		this.#options.onEvent?.({ type: "chunk", outcome });
		this.#lastChunkAt = this.#options.timers.now();
		if (outcome !== "bad-length") this.#unanswered = 0;
		if (outcome === "installed") this.reportProgress(rollout, RolloutProgress.Installed);
		if (this.#serves && rollout === this.#rollout && outcome !== "bad-length" && installer.has(rollout, index)) {
			this.#queueChunk(index);
			this.#schedule();
		}
	}

	#hearStatus(rollout: number, server: number, base: number, missing: Uint8Array): void {
		if (!this.#serves || server !== this.#options.self || rollout !== this.#rollout) return;
		this.#lastAskedAt = this.#options.timers.now();
		const source = this.#source();
		for (let i = 0; i < missing.length * 8; i++) {
			if ((missing[i >> 3] & (1 << (i & 7))) === 0) continue;
			const index = base + i;
			if (index < this.#totalChunks && source?.has(rollout, index) === true) this.#queueChunk(index);
		}
		this.#schedule();
	}

	#frameKey(): Uint8Array {
		const key = this.#options.frameKey;
		return typeof key === "function" ? key() : key;
	}

	#source(): ChunkSource | undefined {
		return this.#options.seed?.source ?? this.#options.installer;
	}

	#queueChunk(index: number): void {
		const bit = 1 << (index & 7);
		if ((this.#toSend[index >> 3] & bit) !== 0) return;
		this.#toSend[index >> 3] |= bit;
		this.#pendingChunks++;
	}

	/** Up to `count` queued chunks in sending order from the cursor (whole empty bytes skipped). */
	#upcoming(count: number): number[] {
		const found: number[] = [];
		const total = this.#totalChunks;
		for (let step = 0; step < total && found.length < count; ) {
			const index = (this.#cursor + step) % total;
			if ((index & 7) === 0 && this.#toSend[index >> 3] === 0) {
				step += Math.min(8, total - index); // the byte's chunks, up to the end of the plan
				continue;
			}
			if ((this.#toSend[index >> 3] & (1 << (index & 7))) !== 0) found.push(index);
			step++;
		}
		return found;
	}

	#take(index: number): void {
		this.#toSend[index >> 3] &= ~(1 << (index & 7));
		this.#pendingChunks--;
		this.#cursor = (index + 1) % this.#totalChunks;
	}

	/** One paced send turn: offer first, then a progress report, then a chunk. */
	#schedule(): void {
		if (this.#closed || this.#sendTimer !== undefined) return;
		if (!this.#offerDue && this.#control.length === 0 && this.#pendingChunks === 0) return;
		const now = this.#options.timers.now();
		this.#sendTimer = this.#options.timers.setTimeout(() => {
			this.#sendTimer = undefined;
			if (this.#options.timers.now() >= this.#holdUntil) this.#sendOne();
			this.#schedule();
		}, Math.max(this.#frameIntervalMs, this.#holdUntil - now));
	}

	#sendOne(): void {
		if (this.#offerDue && this.#offer !== undefined) {
			this.#offerDue = false;
			this.#send({ type: UpdateFrameType.Offer, hops: Math.min(this.#hops, UNKNOWN_HOPS - 1), sender: this.#options.self, offer: this.#offer });
			this.counts.offersSent++;
			return;
		}
		const control = this.#control.shift();
		if (control !== undefined) {
			this.#send(control);
			if (control.type === UpdateFrameType.Progress && control.reporter === this.#options.self) this.counts.progressSent++;
			return;
		}
		const rollout = this.#rollout;
		const source = this.#source();
		if (rollout === undefined || source === undefined || this.#pendingChunks === 0) return;
		const remote = source.fetch !== undefined;
		const [index] = this.#upcoming(1);
		if (index === undefined) return;
		const bytes = source.readChunk(rollout, index);
		if (bytes === undefined && remote) {
			// Not here yet: keep it queued, and ask for it and what follows it.
			source.fetch?.(rollout, this.#upcoming(FETCH_AHEAD));
			return;
		}
		this.#take(index);
		if (remote) source.fetch?.(rollout, this.#upcoming(FETCH_AHEAD)); // read ahead while this one is on the air
		if (bytes === undefined) return; // no longer held: a status report will ask again
		this.#send({ type: UpdateFrameType.Chunk, rollout, index, bytes });
		this.counts.chunksSent++;
	}

	#send(frame: UpdateFrame): void {
		const bytes = encodeUpdateFrame(this.#options.crypto, this.#frameKey(), frame);
		this.counts.bytesSent += bytes.length;
		try {
			this.#options.broadcast(bytes);
		} catch (error) {
			if (!isPicketError(error)) throw error; // a busy radio: the repair phase covers the frame
		}
	}

	#everyOfferInterval(): void {
		const interval = this.#options.offerIntervalMs ?? 4000;
		// A relay's period is jittered (up to a quarter more) so that relays do not offer in step.
		const jitter = this.#options.seed === undefined ? (this.#options.random(1)[0] / 1024) * interval : 0;
		this.#options.timers.setTimeout(() => {
			if (this.#closed) return;
			if (this.#options.seed !== undefined || this.#holdsRollout()) {
				this.#offerDue = true;
				this.#schedule();
			}
			this.#everyOfferInterval();
		}, interval + jitter);
	}

	/** A serving board's installer holds the rollout this agent follows (receiving it, or installed). */
	#holdsRollout(): boolean {
		const installer = this.#options.installer;
		const state = installer?.state;
		return this.#offer !== undefined && installer?.offer?.rollout === this.#rollout && (state === "receiving" || state === "verified" || state === "marked");
	}

	/** The server has not answered SERVER_PATIENCE reports: forget it, take the next offer from another. */
	#leaveServer(now: number): void {
		this.#distrusted.delete(this.#server);
		this.#distrusted.set(this.#server, now);
		if (this.#distrusted.size > DISTRUST_LIMIT) this.#distrusted.delete(this.#distrusted.keys().next().value as number);
		this.#options.onEvent?.({ type: "server-left", server: this.#server });
		this.#server = NO_SERVER;
		this.#hops = UNKNOWN_HOPS;
		this.#unanswered = 0;
	}

	#distrusts(sender: number): boolean {
		const since = this.#distrusted.get(sender);
		return since !== undefined && this.#options.timers.now() - since < DISTRUST_MS;
	}

	/** The repair loop: report what is missing once chunks stop arriving. */
	#armStatus(): void {
		if (this.#statusTimer !== undefined || this.#closed) return;
		const jitter = (this.#options.random(1)[0] / 256) * this.#statusQuietMs;
		this.#statusTimer = this.#options.timers.setTimeout(() => {
			this.#statusTimer = undefined;
			const installer = this.#options.installer;
			if (installer === undefined || installer.state !== "receiving" || this.#rollout === undefined) return;
			const now = this.#options.timers.now();
			if (this.#server !== NO_SERVER && now >= this.#holdUntil && now - this.#lastChunkAt >= this.#statusQuietMs && now - this.#lastStatusAt >= this.#statusQuietMs) {
				const base = installer.firstMissing();
				if (base >= 0) {
					const count = Math.min(STATUS_WINDOW, this.#totalChunks - base);
					this.#lastStatusAt = now;
					if (++this.#unanswered > SERVER_PATIENCE) this.#leaveServer(now);
					this.#send({ type: UpdateFrameType.Status, rollout: this.#rollout, reporter: this.#options.self, server: this.#server, base, missing: installer.missingBitmap(base, count) });
					this.counts.statusSent++;
				}
			}
			this.#armStatus();
		}, this.#statusQuietMs / 2 + jitter);
	}
}

/** Chunks of the rollout an offer announces (the same TransferPlan the installer follows). */
function totalChunksOf(offer: Uint8Array): number {
	return new TransferPlan(decodeOffer(offer)).totalChunks;
}
