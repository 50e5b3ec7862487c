/**
 * A rollout over the simulated radio: a seeder (the gateway) and N boards in three clusters,
 * each one hop further (seeder → relay 1 → relay 2 → the last cluster), every board running
 * the firmware's own UpdateInstaller and RolloutAgent over a MemoryFirmwareSlot, on the
 * medium model (range, loss, collisions, carrier sense) and the virtual clock.
 *
 * Scripted disturbances: an attacker injecting update frames (an outsider's, without the
 * network key; and an insider's, with it: tampered and truncated chunks, a replayed older
 * offer, an older image's rollout, an offer signed by another key), and a power cut of some
 * boards (relays included) in the middle. At the end each board is asked what it runs: the
 * new image, the old one, or anything else (which must never happen).
 *
 * Host only (it reads nothing from Node, but builds images through the caller's package).
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { constantTimeEqual } from "picket/core/bytes";
import { BROADCAST_MAC, type ReceivedFrame } from "picket/device/radio";
import { frameKind, FrameKind } from "picket/link/frame-kind";
import { MemoryFirmwareSlot } from "picket/hosts/sim/firmware-slot-memory";
import { Medium, type Station, type SimulatedRadio } from "picket/hosts/sim/medium";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { SeededRandom } from "picket/hosts/sim/seeded-random";
import { VirtualClock, type DeviceTimers } from "picket/hosts/sim/virtual-clock";
import { PostChunkWindow, WINDOW_CHUNKS } from "picket/gateway/gateway-rollout";
import { RESTART_CHECK_MS, SERVER_QUIET_MS } from "picket/update/device-updates";
import { parseImageHeader, type ImageVersion } from "picket/update/mcuboot-structure";
import { RolloutAgent, type ChunkSource, type RolloutEvent } from "picket/update/rollout-agent";
import { TransferPlan } from "picket/update/transfer-plan";
import { pinUpdateAnchor } from "picket/update/update-anchor";
import { encodeUpdateFrame, RolloutProgress, UpdateFrameType, updateFrameKey } from "picket/update/update-frame";
import { UpdateInstaller } from "picket/update/update-installer";
import type { UpdateOffer } from "picket/update/update-offer";

/** What a rollout sends: the signed offer, its page table and the image (tools/update/update-signing.ts). */
export interface RolloutPackage {
	readonly offer: UpdateOffer;
	readonly offerBytes: Uint8Array;
	readonly image: Uint8Array;
	readonly pageTable: Uint8Array;
}

export interface RolloutAttack {
	/** Packages the attacker replays or injects: an older genuine rollout, one signed by another key. */
	readonly olderRollout: RolloutPackage;
	readonly forgedRollout: RolloutPackage;
	/** Frames per attack kind (default 40). */
	readonly frames?: number;
}

export interface RolloutSimulationOptions {
	readonly seed?: number;
	readonly boards: number;
	readonly crypto: CryptoSuite;
	readonly networkKey: Uint8Array;
	/** The update key's point, pinned on every board. */
	readonly anchor: Uint8Array;
	/** The image every board runs at first, and its security counter. */
	readonly factory: { readonly image: Uint8Array; readonly securityCounter: number };
	readonly rollout: RolloutPackage;
	readonly lossProbability?: number;
	readonly attack?: RolloutAttack;
	/** Boards (relays first) that lose power at `atMs` for `forMs`. */
	readonly powerCut?: { readonly atMs: number; readonly forMs: number; readonly boards: number };
	/** Simulated time to give up at (default 10 min). */
	readonly budgetMs?: number;
	/** When the seeder starts the rollout (default 0; Infinity: never, a domain without a rollout). */
	readonly seederStartMs?: number;
	/** Frames of other kinds (alerts) a board hears, and what the test does with them. */
	readonly onOtherFrame?: (board: RolloutBoard, frame: ReceivedFrame) => void;
	/**
	 * The seeder is a gateway that holds only a window of the image and fetches chunks from the
	 * command post over its serial wire (modules/gateway/gateway-rollout.ts PostChunkWindow), at
	 * `baud` (8N1: baud / 10 bytes a second each way), with the post link's framing overhead.
	 */
	readonly gatewayWire?: { readonly baud: number; readonly window?: number };
}

/** Bytes a post-link message costs on the wire beyond its body: wire frame 9, counter 4, AEAD tag 16. */
const POST_LINK_OVERHEAD = 29;
/** A chunk-request message's body, and a chunks message's head (post-messages.ts). */
const CHUNK_REQUEST_BODY = 8;
const CHUNKS_HEAD = 7;

/** The seeder's chunks, cut from its package by the boards' own TransferPlan. */
export class PackageSource implements ChunkSource {
	readonly #package: RolloutPackage;
	readonly #plan: TransferPlan;

	constructor(pkg: RolloutPackage) {
		this.#package = pkg;
		this.#plan = new TransferPlan(pkg.offer);
	}

	has(rollout: number, index: number): boolean {
		return rollout === this.#package.offer.rollout && this.#plan.place(index) !== undefined;
	}

	readChunk(rollout: number, index: number): Uint8Array | undefined {
		const place = this.has(rollout, index) ? this.#plan.place(index) : undefined;
		if (place === undefined) return undefined;
		const source = place.segment === "table" ? this.#package.pageTable : this.#package.image;
		return source.slice(place.offset, place.offset + place.length);
	}
}

/** One simulated board: its flash (slot and storage) outlives power cuts; its RAM does not. */
export class RolloutBoard {
	readonly id: number;
	readonly cluster: number;
	readonly serves: boolean;
	readonly station: Station;
	readonly slot: MemoryFirmwareSlot;
	readonly storage = new MemoryStorage();
	readonly timers: DeviceTimers;
	installer!: UpdateInstaller;
	agent!: RolloutAgent;
	radio: SimulatedRadio | undefined;
	installedAt: number | undefined;
	confirmedAt: number | undefined;
	readonly events = new Map<string, number>();
	/** Frames this board sent, over all its boots. */
	sent = { offers: 0, chunks: 0, status: 0, bytes: 0 };

	constructor(id: number, cluster: number, serves: boolean, station: Station, slot: MemoryFirmwareSlot, timers: DeviceTimers) {
		this.id = id;
		this.cluster = cluster;
		this.serves = serves;
		this.station = station;
		this.slot = slot;
		this.timers = timers;
	}

	count(what: string): void {
		this.events.set(what, (this.events.get(what) ?? 0) + 1);
	}

	get runningVersion(): ImageVersion {
		return parseImageHeader(this.slot.runningImage).version;
	}
}

export interface RolloutReport {
	readonly boards: number;
	readonly imageLength: number;
	readonly chunks: number;
	/** When the last board had the new image marked bootable, and when the last confirmed it (ms simulated). */
	readonly allInstalledMs: number | undefined;
	readonly allConfirmedMs: number | undefined;
	readonly onNew: number;
	readonly onOld: number;
	readonly onOther: number;
	readonly airtimeMs: number;
	readonly transmissions: number;
	readonly seeder: { readonly chunks: number; readonly offers: number };
	/** With `gatewayWire`: what crossed the wire, and the most chunks the gateway held at once. */
	readonly wire?: { readonly bytesToGateway: number; readonly bytesToPost: number; readonly requests: number; readonly mostHeld: number; readonly window: number };
	readonly relays: readonly { readonly id: number; readonly chunks: number; readonly status: number }[];
	/** Frames sent by boards that do not serve: status reports (and nothing else). */
	readonly boardFrames: { readonly mean: number; readonly max: number };
	readonly attackerFrames: number;
	/** Refusals and outcomes summed over every board ("bad-tag", "page-refused", "offer downgrade", …). */
	readonly outcomes: Readonly<Record<string, number>>;
	readonly powerCuts: number;
	readonly losses: Readonly<Record<string, number>>;
}

const RANGE_M = 100;
const SEEDER_ID = 0;

export class RolloutSimulation {
	readonly clock = new VirtualClock();
	readonly medium: Medium;
	readonly boards: RolloutBoard[] = [];
	seeder: RolloutAgent | undefined;
	readonly #options: RolloutSimulationOptions;
	readonly #random: SeededRandom;
	readonly #frameKey: Uint8Array;
	readonly #seederStation: Station;
	#attackerFrames = 0;
	#powerCuts = 0;
	#wire: { bytesToGateway: number; bytesToPost: number; requests: number; mostHeld: number; window: number } | undefined;

	constructor(options: RolloutSimulationOptions) {
		this.#options = options;
		this.#random = new SeededRandom(options.seed ?? 1);
		this.medium = new Medium(this.clock, this.#random.fork("medium"), { rangeM: RANGE_M, lossProbability: options.lossProbability ?? 0.1, latencyMs: 1, jitterMs: 1 });
		this.#frameKey = updateFrameKey(options.crypto, options.networkKey);
		const layout = this.#random.fork("layout");

		// The seeder at the origin; cluster k around x = 75·k − 55; relay k at x = 80·k.
		this.#seederStation = this.medium.addStation(macOf(SEEDER_ID), { x: 0, y: 0 }, { label: "seeder" });
		const seederRadio: SimulatedRadio = this.medium.openRadio(this.#seederStation, {
			onReadable: () => {
				for (let frame = seederRadio.read(); frame !== undefined; frame = seederRadio.read()) {
					if (frame.payload.length > 0 && frameKind(frame.payload[0]) === FrameKind.Update) this.seeder?.receive(frame.payload);
					else this.seeder?.yieldToAlert();
				}
			},
		});
		const startSeeder = () => {
			this.seeder = new RolloutAgent({
				crypto: options.crypto,
				timers: this.clock.timersFor("seeder"),
				random: this.#random.fork("seeder").randomSource(),
				frameKey: this.#frameKey,
				self: SEEDER_ID,
				broadcast: (frame) => seederRadio.write(BROADCAST_MAC, frame),
				seed: { offer: options.rollout.offerBytes, source: options.gatewayWire === undefined ? new PackageSource(options.rollout) : this.#postWindow(options.gatewayWire) },
			});
		};
		const startAt = options.seederStartMs ?? 0;
		if (startAt === 0) startSeeder();
		else if (Number.isFinite(startAt)) this.clock.scheduleAt(startSeeder, startAt);

		const perCluster = Math.ceil(options.boards / 3);
		for (let index = 0; index < options.boards; index++) {
			const id = index + 1;
			const cluster = Math.min(3, Math.floor(index / perCluster) + 1);
			const isRelay = index % perCluster === 0 && cluster < 3;
			const position = isRelay ? { x: 80 * cluster, y: 0 } : disc(layout, { x: cluster === 1 ? 25 : cluster === 2 ? 140 : 225, y: 0 }, cluster === 1 ? 35 : 25);
			const station = this.medium.addStation(macOf(id), position, { label: `board-${id}` });
			const slot = new MemoryFirmwareSlot(Math.ceil((options.rollout.image.length + 65536) / 4096) * 4096, options.factory.image);
			const board = new RolloutBoard(id, cluster, isRelay, station, slot, this.clock.timersFor(`board-${id}`));
			pinUpdateAnchor(board.storage, options.anchor);
			this.boards.push(board);
			this.#boot(board);
		}
		if (options.attack !== undefined) this.#scheduleAttack(options.attack);
		if (options.powerCut !== undefined) this.#schedulePowerCut(options.powerCut);
	}

	/** The gateway's window on the post's image, over a serial wire modelled byte by byte (see `gatewayWire`). */
	#postWindow(wire: NonNullable<RolloutSimulationOptions["gatewayWire"]>): PostChunkWindow {
		const post = new PackageSource(this.#options.rollout);
		const rollout = this.#options.rollout.offer.rollout;
		const bytesPerMs = wire.baud / 10 / 1000;
		const capacity = wire.window ?? WINDOW_CHUNKS;
		const stats = (this.#wire = { bytesToGateway: 0, bytesToPost: 0, requests: 0, mostHeld: 0, window: capacity });
		let upFreeAt = 0;
		let downFreeAt = 0;
		const window: PostChunkWindow = new PostChunkWindow({
			rollout,
			plan: new TransferPlan(this.#options.rollout.offer),
			timers: this.clock.timersFor("seeder"),
			capacity,
			request: (first, count) => {
				const up = CHUNK_REQUEST_BODY + POST_LINK_OVERHEAD;
				upFreeAt = Math.max(upFreeAt, this.clock.now()) + up / bytesPerMs;
				stats.bytesToPost += up;
				stats.requests++;
				const pieces: Uint8Array[] = [];
				for (let index = first; index < first + count; index++) pieces.push(post.readChunk(rollout, index)!);
				const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
				pieces.reduce((offset, piece) => (bytes.set(piece, offset), offset + piece.length), 0);
				const down = CHUNKS_HEAD + bytes.length + POST_LINK_OVERHEAD;
				downFreeAt = Math.max(downFreeAt, upFreeAt) + down / bytesPerMs;
				stats.bytesToGateway += down;
				this.clock.scheduleAt(() => {
					window.supply(rollout, first, bytes);
					stats.mostHeld = Math.max(stats.mostHeld, window.held);
				}, downFreeAt);
			},
		});
		return window;
	}

	#boot(board: RolloutBoard): void {
		const running = board.slot.runningImage;
		board.installer = new UpdateInstaller({
			crypto: this.#options.crypto,
			storage: board.storage,
			slot: board.slot,
			anchor: this.#options.anchor,
			running: { version: parseImageHeader(running).version, securityCounter: constantTimeEqual(running, this.#options.factory.image) ? this.#options.factory.securityCounter : this.#options.rollout.offer.securityCounter },
		});
		const state = board.installer.resume();
		const radio = this.medium.openRadio(board.station, {
			onReadable: () => {
				for (let frame = radio.read(); frame !== undefined; frame = radio.read()) {
					if (frame.payload.length > 0 && frameKind(frame.payload[0]) === FrameKind.Update) board.agent.receive(frame.payload);
					else {
						board.agent.yieldToAlert();
						this.#options.onOtherFrame?.(board, frame);
					}
				}
			},
		});
		board.radio = radio;
		board.agent = new RolloutAgent({
			crypto: this.#options.crypto,
			timers: board.timers,
			random: this.#random.fork(`board-${board.id}-${this.clock.now()}`).randomSource(),
			frameKey: this.#frameKey,
			self: board.id,
			broadcast: (frame) => radio.write(BROADCAST_MAC, frame),
			installer: board.installer,
			serves: board.serves,
			onEvent: (event) => this.#onEvent(board, event),
		});
		if (state === "trial") {
			// The new firmware boots; healthy after a second on the air, it confirms itself.
			board.timers.setTimeout(() => {
				const rollout = board.installer.offer?.rollout;
				board.installer.confirmHealthy();
				board.confirmedAt = this.clock.now();
				if (rollout !== undefined) board.agent.reportProgress(rollout, RolloutProgress.Confirmed);
			}, 1000);
		}
	}

	#onEvent(board: RolloutBoard, event: RolloutEvent): void {
		if (event.type === "frame-rejected") board.count(event.reason);
		else if (event.type === "offer-refused") board.count(`offer ${event.code}`);
		else if (event.type === "server-left") board.count("server-left");
		else if (event.type === "chunk") {
			if (event.outcome !== "stored") board.count(event.outcome);
			if (event.outcome === "installed") {
				board.installedAt = this.clock.now();
				this.#rebootWhenDone(board);
			}
		}
	}

	/** Into the new image: at once for a board that serves nobody; a relay once nobody has asked it for a while. */
	#rebootWhenDone(board: RolloutBoard): void {
		const quietMs = board.serves ? SERVER_QUIET_MS : RESTART_CHECK_MS;
		board.timers.setTimeout(() => {
			const idleFor = this.clock.now() - Math.max(board.agent.lastAskedAt, board.installedAt ?? 0);
			if (board.agent.pending > 0 || idleFor < quietMs) return this.#rebootWhenDone(board);
			this.#cut(board);
			this.#restore(board);
		}, quietMs);
	}

	#cut(board: RolloutBoard): void {
		const counts = board.agent.counts;
		board.sent = { offers: board.sent.offers + counts.offersSent, chunks: board.sent.chunks + counts.chunksSent, status: board.sent.status + counts.statusSent, bytes: board.sent.bytes + counts.bytesSent };
		board.agent.close();
		board.radio?.close();
		board.radio = undefined;
		board.timers.powerOff();
	}

	#restore(board: RolloutBoard): void {
		board.timers.powerOn();
		board.slot.reset();
		this.#boot(board);
	}

	#schedulePowerCut(cut: NonNullable<RolloutSimulationOptions["powerCut"]>): void {
		const victims = [...this.boards.filter((board) => board.serves), ...this.boards.filter((board) => !board.serves)].slice(0, cut.boards);
		this.clock.scheduleAt(() => {
			for (const board of victims) {
				if (board.radio === undefined) continue;
				this.#powerCuts++;
				board.count("power-cut");
				this.#cut(board);
				this.clock.schedule(() => this.#restore(board), cut.forMs);
			}
		}, cut.atMs);
	}

	/**
	 * The attacker stands in the middle cluster. From 5 s on, every 200 ms, one frame of each
	 * kind in turn: an outsider's (a genuine chunk re-tagged under a wrong key), then an
	 * insider's (the network key: a genuine chunk with one byte changed, one cut short, a
	 * replayed offer of an older genuine rollout, that rollout's chunks, an offer signed by
	 * another key and its image's chunks).
	 */
	#scheduleAttack(attack: RolloutAttack): void {
		const station = this.medium.addStation(macOf(0x7fff), { x: 140, y: 10 }, { label: "attacker", promiscuous: true });
		const radio: SimulatedRadio = this.medium.openRadio(station, { onReadable: () => void drain(radio) });
		const crypto = this.#options.crypto;
		const wrongKey = updateFrameKey(crypto, new Uint8Array(16).fill(0x5a));
		const genuine = new PackageSource(this.#options.rollout);
		const older = new PackageSource(attack.olderRollout);
		const forged = new PackageSource(attack.forgedRollout);
		const rollout = this.#options.rollout.offer.rollout;
		const total = new TransferPlan(this.#options.rollout.offer).totalChunks;
		const rounds = attack.frames ?? 40;
		const pick = this.#random.fork("attacker");
		const kinds: (() => Uint8Array)[] = [
			() => encodeUpdateFrame(crypto, wrongKey, { type: UpdateFrameType.Chunk, rollout, index: pick.nextInt(total), bytes: genuine.readChunk(rollout, pick.nextInt(total)) ?? new Uint8Array(1) }),
			() => {
				const index = pick.nextInt(total);
				const bytes = genuine.readChunk(rollout, index)!.slice();
				bytes[pick.nextInt(bytes.length)] ^= 0x01;
				return encodeUpdateFrame(crypto, this.#frameKey, { type: UpdateFrameType.Chunk, rollout, index, bytes });
			},
			() => {
				const index = pick.nextInt(total);
				const bytes = genuine.readChunk(rollout, index)!;
				return encodeUpdateFrame(crypto, this.#frameKey, { type: UpdateFrameType.Chunk, rollout, index, bytes: bytes.subarray(0, bytes.length >> 1) });
			},
			() => encodeUpdateFrame(crypto, this.#frameKey, { type: UpdateFrameType.Offer, hops: 0, sender: 0x7fff, offer: attack.olderRollout.offerBytes }),
			() => {
				const index = pick.nextInt(new TransferPlan(attack.olderRollout.offer).totalChunks);
				return encodeUpdateFrame(crypto, this.#frameKey, { type: UpdateFrameType.Chunk, rollout: attack.olderRollout.offer.rollout, index, bytes: older.readChunk(attack.olderRollout.offer.rollout, index)! });
			},
			() => encodeUpdateFrame(crypto, this.#frameKey, { type: UpdateFrameType.Offer, hops: 0, sender: 0x7fff, offer: attack.forgedRollout.offerBytes }),
			// The stall: the genuine current offer, hop count 0, under an id that never answers (a new one each time).
			() => encodeUpdateFrame(crypto, this.#frameKey, { type: UpdateFrameType.Offer, hops: 0, sender: 0x7000 + pick.nextInt(0x800), offer: this.#options.rollout.offerBytes }),
			() => {
				const index = pick.nextInt(new TransferPlan(attack.forgedRollout.offer).totalChunks);
				return encodeUpdateFrame(crypto, this.#frameKey, { type: UpdateFrameType.Chunk, rollout: attack.forgedRollout.offer.rollout, index, bytes: forged.readChunk(attack.forgedRollout.offer.rollout, index)! });
			},
		];
		for (let round = 0; round < rounds * kinds.length; round++) {
			this.clock.scheduleAt(() => {
				radio.write(BROADCAST_MAC, kinds[round % kinds.length]!());
				this.#attackerFrames++;
			}, 5000 + round * 200);
		}
	}

	/** A board sends a frame of another kind (an alert): its rollout agent yields first. */
	sendOther(board: RolloutBoard, frame: Uint8Array): void {
		if (board.radio === undefined) return;
		board.agent.yieldToAlert();
		board.radio.write(BROADCAST_MAC, frame);
	}

	/** Runs until every board confirmed the new image, or the budget. */
	run(): RolloutReport {
		const budget = this.#options.budgetMs ?? 600_000;
		const done = () => this.boards.every((board) => board.confirmedAt !== undefined && board.radio !== undefined);
		while (!done() && this.clock.now() < budget) {
			const next = this.clock.nextTime();
			if (next === undefined) break;
			this.clock.runUntil(Math.min(budget, this.clock.now() + 1000));
		}
		this.seeder?.close();
		return this.report();
	}

	report(): RolloutReport {
		const genuine = this.#options.rollout.image;
		const old = this.#options.factory.image;
		let onNew = 0;
		let onOld = 0;
		const outcomes: Record<string, number> = {};
		for (const board of this.boards) {
			const running = board.slot.runningImage;
			if (running === old) onOld++;
			else if (constantTimeEqual(running.subarray(0, genuine.length), genuine)) onNew++;
			for (const [what, count] of board.events) outcomes[what] = (outcomes[what] ?? 0) + count;
		}
		const sentOf = (board: RolloutBoard) => {
			const live = board.radio === undefined ? { chunksSent: 0, statusSent: 0 } : board.agent.counts;
			return { chunks: board.sent.chunks + live.chunksSent, status: board.sent.status + live.statusSent };
		};
		const plain = this.boards.filter((board) => !board.serves).map((board) => sentOf(board).status + sentOf(board).chunks);
		const installed = this.boards.map((board) => board.installedAt);
		const confirmed = this.boards.map((board) => board.confirmedAt);
		const latest = (times: (number | undefined)[]) => (times.every((time) => time !== undefined) ? Math.max(...(times as number[])) : undefined);
		return {
			boards: this.boards.length,
			imageLength: genuine.length,
			chunks: new TransferPlan(this.#options.rollout.offer).totalChunks,
			allInstalledMs: latest(installed),
			allConfirmedMs: latest(confirmed),
			onNew,
			onOld,
			onOther: this.boards.length - onNew - onOld,
			airtimeMs: this.medium.statistics.airtimeMs,
			transmissions: this.medium.statistics.transmissions,
			seeder: { chunks: this.seeder?.counts.chunksSent ?? 0, offers: this.seeder?.counts.offersSent ?? 0 },
			...(this.#wire === undefined ? {} : { wire: { ...this.#wire } }),
			relays: this.boards.filter((board) => board.serves).map((board) => ({ id: board.id, ...sentOf(board) })),
			boardFrames: { mean: plain.reduce((sum, value) => sum + value, 0) / Math.max(1, plain.length), max: Math.max(0, ...plain) },
			attackerFrames: this.#attackerFrames,
			outcomes,
			powerCuts: this.#powerCuts,
			losses: { ...this.medium.statistics.losses },
		};
	}
}

/** The attacker records nothing it needs: its receive queue is emptied so that it never counts as queue-full. */
function drain(radio: SimulatedRadio): void {
	while (radio.read() !== undefined);
}

function macOf(id: number): Uint8Array {
	return Uint8Array.of(0x02, 0x00, 0x00, 0x00, id >> 8, id & 0xff);
}

function disc(random: SeededRandom, centre: { x: number; y: number }, radius: number): { x: number; y: number } {
	const angle = random.nextFloat() * 2 * Math.PI;
	const distance = Math.sqrt(random.nextFloat()) * radius;
	return { x: centre.x + distance * Math.cos(angle), y: centre.y + distance * Math.sin(angle) };
}
