/**
 * `picket post`'s core: accepts gateways on a wired link (TCP on loopback here; a USB
 * serial port carries the same bytes), authenticates each with the post link
 * (picket/gateway/post-link), stores what they report in the event log, supervises
 * heartbeats, and turns the operator's actions into commands the gateways send over the
 * mesh. The dashboard (dashboard-server.ts) reads `snapshot()` and `subscribe()`.
 *
 * Durability: reports are queued and committed in one transaction per turn of the event
 * loop (group commit); only after the commit returned does the post tell the gateway how
 * many of its reports are stored, and only then does the page hear of them.
 *
 * Rollouts (issue 15): `startRollout` checks a signed image against its offer and hands the
 * offer to every gateway, which seeds it over the radio and fetches the image's chunks from
 * here on demand ("chunk-request", answered at once from memory: the laptop holds the image,
 * the gateway only a window of it). The boards' progress reports the gateway hears are stored
 * (rollout_progress) and shown as the rollout action's detail.
 *
 * Refusals are logged (events table, kind "link-refused") and nothing the refused frame
 * carried is stored: a gateway not in the roster or with the wrong keys fails the
 * handshake and is disconnected; a replayed, altered or re-ordered transport frame is
 * dropped and the link goes on with the genuine stream.
 */
import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { constantTimeEqual } from "picket/core/bytes";
import { isPicketError, PicketError } from "picket/core/picket-error";
import { ReceiptFlag, receiptNames } from "picket/device/heartbeat";
import { Supervision } from "picket/device/supervision";
import { type PostLinkChannel, type PostLinkIdentity, PostLinkType, acceptGateway, claimedGateway } from "picket/gateway/post-link";
import { CHUNKS_PER_MESSAGE, type PostMessage, decodePostMessage, encodePostMessage } from "picket/gateway/post-messages";
import { formatImageVersion } from "picket/tools/image/mcuboot-image";
import { pageTable, TransferPlan } from "picket/update/transfer-plan";
import { decodeOffer, type UpdateOffer } from "picket/update/update-offer";
import { WireDecoder, encodeWireFrame } from "picket/gateway/wire-frame";
import type { Revocation } from "picket/tools/provisioning/domain-store";
import type { EventLog, LogWrite } from "picket/tools/post/event-log";

const EVENT_NAMES = ["", "motion", "panic", "cancel"];

/** A roster member as the post shows it. */
export interface PostDevice {
	readonly id: number;
	readonly name: string;
	readonly role: string;
	readonly groups: number;
	readonly x?: number;
	readonly y?: number;
}

/** A revocation the operator asked for: the domain file opened with the passphrase, the new epoch's deliveries, the post's new identity. */
export interface PostRevocation {
	readonly revocation: Revocation;
	readonly identity: PostLinkIdentity;
}

export interface CommandPostOptions {
	readonly log: EventLog;
	readonly identity: PostLinkIdentity;
	readonly devices: readonly PostDevice[];
	readonly heartbeatMs: number;
	readonly lostAfterMissed: number;
	readonly clock?: () => number;
	/** Opens the domain file with `passphrase` and revokes `device`; throws PicketError (wrong passphrase…). */
	readonly revoke?: (device: number, passphrase: string) => PostRevocation;
	/** One line per thing worth telling the operator's terminal. */
	readonly note?: (line: string) => void;
}

/** What the page hears live (after the commit). */
export type LiveEvent =
	| { readonly type: "alert"; readonly id: number; readonly source: number; readonly sequence: number; readonly event: string; readonly severity: number; readonly incident: number; readonly gateway: number; readonly hops: number; readonly at: number }
	| { readonly type: "receipt"; readonly device: number; readonly origin: number; readonly incident: number; readonly flags: string[] }
	| { readonly type: "device"; readonly device: number; readonly state: "lost" | "found" | "heard"; readonly at: number }
	| { readonly type: "action"; readonly id: number; readonly state: string; readonly detail?: string }
	| { readonly type: "gateway"; readonly gateway: number; readonly state: "up" | "down" | "refused"; readonly detail?: string }
	| { readonly type: "epoch"; readonly epoch: number }
	| { readonly type: "rollout"; readonly rollout: number; readonly device: number; readonly state: "installed" | "confirmed"; readonly installed: number; readonly confirmed: number };

export type RolloutErrorCode = "rollout-mismatch" | "no-rollout";

/** A checked image and offer, ready for the operator to start (and start again after a stop). */
interface StagedRollout {
	readonly image: Uint8Array;
	readonly offerBytes: Uint8Array;
	readonly offer: UpdateOffer;
	readonly table: Uint8Array;
}

/** What the dashboard shows of the staged image and of the rollout being seeded. */
export interface RolloutView {
	readonly staged: { readonly rollout: number; readonly version: string; readonly securityCounter: number; readonly bytes: number } | undefined;
	readonly running: { readonly action: number; readonly rollout: number; readonly installed: number; readonly confirmed: number; readonly chunksServed: number } | undefined;
}

/** The rollout the post serves: the staged image in memory, and what the boards reported. */
interface ServedRollout extends StagedRollout {
	readonly action: number;
	readonly plan: TransferPlan;
	readonly installed: Set<number>;
	readonly confirmed: Set<number>;
	chunksServed: number;
}

function sha256(bytes: Uint8Array): Uint8Array {
	return new Uint8Array(createHash("sha256").update(bytes).digest());
}

export type LiveListener = (event: LiveEvent) => void;

/** One gateway's connection: a byte pipe in each direction. */
export interface GatewayPipe {
	write(bytes: Uint8Array): void;
	close(): void;
}

interface PendingWrite {
	readonly write: LogWrite;
	readonly connection: GatewayConnection | undefined;
	readonly live?: (id: number | undefined) => LiveEvent | undefined;
}

class GatewayConnection {
	channel: PostLinkChannel | undefined;
	epoch = 0;
	/** Reports accepted on this link; `stored` of them are committed. */
	accepted = 0;
	stored = 0;
	readonly decoder: WireDecoder;

	constructor(readonly pipe: GatewayPipe, onGarbage: (code: string, bytes: number) => void) {
		this.decoder = new WireDecoder(onGarbage);
	}

	send(message: PostMessage): void {
		if (this.channel === undefined) return;
		this.pipe.write(encodeWireFrame(PostLinkType.Transport, this.channel.seal(encodePostMessage(message))));
	}
}

export class CommandPost {
	readonly log: EventLog;
	readonly #options: CommandPostOptions;
	#identity: PostLinkIdentity;
	readonly #clock: () => number;
	readonly #connections = new Set<GatewayConnection>();
	readonly #listeners = new Set<LiveListener>();
	readonly #devices = new Map<number, PostDevice>();
	#pending: PendingWrite[] = [];
	#flushScheduled = false;
	readonly #supervision: Supervision | undefined;
	readonly #supervisionTimer: NodeJS.Timeout | undefined;
	#server: Server | undefined;
	/** Silence actions waiting for devices to confirm: action id → peers not yet heard from. */
	readonly #awaiting = new Map<number, { origin: number; incident: number; peers: Set<number>; confirmed: string[]; unreachable: string[] }>();
	#rollout: ServedRollout | undefined;
	#staged: StagedRollout | undefined;

	constructor(options: CommandPostOptions) {
		this.#options = options;
		this.log = options.log;
		this.#identity = options.identity;
		this.#clock = options.clock ?? Date.now;
		for (const device of options.devices) this.#devices.set(device.id, device);
		this.log.upsertDevices(options.devices);
		this.log.recordEpoch(options.identity.roster.epoch, options.devices.length, this.#clock());
		// Relays hold no group key and cannot seal a heartbeat; the post is not on the air.
		const supervised = options.devices.filter((device) => device.role !== "post" && device.role !== "relay").map((device) => device.id);
		if (options.heartbeatMs > 0) {
			this.#supervision = new Supervision({ periodMs: options.heartbeatMs, lostAfterMissed: options.lostAfterMissed, members: supervised, now: this.#clock() });
			this.#supervisionTimer = setInterval(() => this.#superviseNow(), Math.max(50, options.heartbeatMs / 4));
			this.#supervisionTimer.unref();
		}
	}

	get epoch(): number {
		return this.#identity.roster.epoch;
	}

	device(id: number): PostDevice | undefined {
		return this.#devices.get(id);
	}

	devices(): PostDevice[] {
		return [...this.#devices.values()];
	}

	subscribe(listener: LiveListener): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#emit(event: LiveEvent): void {
		for (const listener of this.#listeners) listener(event);
	}

	#note(line: string): void {
		this.#options.note?.(line);
	}

	/** Listens for gateways on TCP (loopback by default); resolves with the port. */
	listen(port = 0, host = "127.0.0.1"): Promise<number> {
		return new Promise((resolve, reject) => {
			const server = createServer((socket) => this.#accept(socket));
			server.once("error", reject);
			server.listen(port, host, () => {
				this.#server = server;
				const address = server.address();
				resolve(typeof address === "object" && address !== null ? address.port : port);
			});
		});
	}

	#accept(socket: Socket): void {
		socket.setNoDelay(true);
		const feed = this.attach({ write: (bytes) => socket.write(bytes), close: () => socket.destroy() });
		socket.on("data", (chunk: Buffer) => feed.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
		socket.on("close", () => feed.closed());
		socket.on("error", () => socket.destroy());
	}

	/** Attaches a gateway link given as a pipe (TCP, a serial port, or a test's loopback). */
	attach(pipe: GatewayPipe): { receive(bytes: Uint8Array): void; closed(): void } {
		const connection: GatewayConnection = new GatewayConnection(pipe, (code, bytes) => this.#refused(connection, code, `${bytes} bytes skipped on the wire`, false));
		this.#connections.add(connection);
		return {
			receive: (bytes) => {
				for (const frame of connection.decoder.push(bytes)) this.#onFrame(connection, frame.type, frame.body);
			},
			closed: () => {
				this.#connections.delete(connection);
				if (connection.channel !== undefined) this.#emit({ type: "gateway", gateway: connection.channel.peerId, state: "down" });
			},
		};
	}

	#onFrame(connection: GatewayConnection, type: number, body: Uint8Array): void {
		try {
			if (type === PostLinkType.Message1 && connection.channel === undefined) {
				const { reply, channel } = acceptGateway(this.#identity, body);
				connection.pipe.write(encodeWireFrame(PostLinkType.Message2, reply));
				connection.channel = channel;
				this.#note(`gateway ${channel.peerId} authenticated`);
				this.#queue({ kind: "event", at: this.#clock(), gateway: channel.peerId, event: "link-up", device: channel.peerId, detail: undefined }, undefined, () => ({ type: "gateway", gateway: channel.peerId, state: "up" }));
				return;
			}
			if (type !== PostLinkType.Transport || connection.channel === undefined) {
				this.#refused(connection, "unexpected-message", `frame type ${type}`, connection.channel === undefined);
				return;
			}
			const message = decodePostMessage(connection.channel.open(body));
			// A chunk request is answered, not stored: "stored" counts the reports only.
			if (message.kind !== "chunk-request") connection.accepted++;
			// The gateway does not hear its own heartbeats: its authentic traffic is its heartbeat.
			this.#supervision?.heard(connection.channel.peerId, this.#clock());
			this.#onMessage(connection, connection.channel.peerId, message);
		} catch (error) {
			if (!isPicketError(error)) throw error;
			const handshake = connection.channel === undefined;
			const claimed = handshake ? claimedGateway(body) : connection.channel?.peerId;
			this.#refused(connection, error.code, `${handshake ? "handshake" : "transport"} from gateway ${claimed ?? "?"}: ${error.message}`, handshake);
		}
	}

	/** Logs a refusal (never what the frame carried); a failed handshake closes the link. */
	#refused(connection: GatewayConnection, code: string, detail: string, close: boolean): void {
		const gateway = connection.channel?.peerId;
		this.#note(`refused: ${code} (${detail})`);
		this.#queue({ kind: "event", at: this.#clock(), gateway, event: "link-refused", device: undefined, detail: `${code}: ${detail}` }, undefined, () => ({ type: "gateway", gateway: gateway ?? 0, state: "refused", detail: code }));
		if (close) {
			this.#connections.delete(connection);
			connection.pipe.close();
		}
	}

	#onMessage(connection: GatewayConnection, gateway: number, message: PostMessage): void {
		const at = this.#clock();
		switch (message.kind) {
			case "hello":
				connection.epoch = message.epoch;
				this.#queue({ kind: "event", at, gateway, event: "hello", device: gateway, detail: `epoch ${message.epoch}` }, connection);
				this.#heard(gateway, at, connection);
				// A gateway that (re)connects during a rollout seeds it too (it ignores one it already seeds).
				if (this.#rollout !== undefined) connection.send({ kind: "rollout", action: this.#rollout.action, offer: this.#rollout.offerBytes });
				return;
			case "chunk-request":
				this.#serveChunks(connection, message.rollout, message.first, message.count);
				return;
			case "progress":
				this.#progress(connection, gateway, message.rollout, message.device, message.state === 1 ? "installed" : "confirmed");
				return;
			case "alert": {
				const event = EVENT_NAMES[message.event] ?? `event-${message.event}`;
				const alert = { epoch: connection.epoch, source: message.source, sequence: message.sequence, group: message.group, event, severity: message.severity, incident: message.incident, repeat: message.repeat, gateway, hops: message.hops, at };
				this.#queue({ kind: "alert", alert }, connection, (id) => (id === undefined ? undefined : { type: "alert", id, source: alert.source, sequence: alert.sequence, event, severity: alert.severity, incident: alert.incident, gateway, hops: alert.hops, at }));
				this.#heard(message.source, at, undefined);
				return;
			}
			case "heartbeat": {
				this.#heard(message.source, at, connection);
				if (message.origin !== 0 && message.flags !== 0) {
					const receipt = { device: message.source, origin: message.origin, incident: message.incident, flags: message.flags, at };
					this.#queue({ kind: "receipt", receipt }, undefined, () => ({ type: "receipt", device: receipt.device, origin: receipt.origin, incident: receipt.incident, flags: receiptNames(receipt.flags) }));
					if (message.flags & ReceiptFlag.Silenced) this.#confirmSilence(message.source, message.origin, message.incident);
				}
				return;
			}
			case "outcome":
				this.log.addOutcome(message.action, message.peer, message.outcome, at);
				this.#queue({ kind: "event", at, gateway, event: "outcome", device: message.peer, detail: `action ${message.action}: ${message.outcome}` }, connection);
				this.#advanceAction(message.action, message.outcome, message.peer);
				return;
			default:
				this.#refused(connection, "unexpected-message", message.kind, false);
		}
	}

	#heard(device: number, at: number, connection: GatewayConnection | undefined): void {
		const change = this.#supervision?.heard(device, at);
		this.#queue({ kind: "heard", device, at }, connection, () => ({ type: "device", device, state: change?.state === "found" ? "found" : "heard", at }));
		if (change?.state === "found") this.#note(`device ${this.#name(device)} heard again`);
	}

	#superviseNow(): void {
		for (const change of this.#supervision?.check(this.#clock()) ?? []) {
			this.log.setLost(change.member, true);
			this.#note(`device ${this.#name(change.member)} LOST: no heartbeat for ${this.#options.lostAfterMissed} periods`);
			this.#queue({ kind: "event", at: this.#clock(), gateway: undefined, event: "device-lost", device: change.member, detail: undefined }, undefined, () => ({ type: "device", device: change.member, state: "lost", at: this.#clock() }));
		}
	}

	#name(id: number): string {
		return this.#devices.get(id)?.name ?? String(id);
	}

	#queue(write: LogWrite, connection: GatewayConnection | undefined, live?: (id: number | undefined) => LiveEvent | undefined): void {
		this.#pending.push({ write, connection, live });
		if (this.#flushScheduled) return;
		this.#flushScheduled = true;
		setImmediate(() => this.flush());
	}

	/** Commits what is queued, then acknowledges to the gateways and tells the page. */
	flush(): void {
		this.#flushScheduled = false;
		const batch = this.#pending;
		if (batch.length === 0) return;
		this.#pending = [];
		const ids = this.log.commit(batch.map((pending) => pending.write));
		const touched = new Set<GatewayConnection>();
		for (const pending of batch) if (pending.connection !== undefined) touched.add(pending.connection);
		for (const connection of touched) {
			connection.stored = connection.accepted;
			connection.send({ kind: "stored", reports: connection.stored });
		}
		batch.forEach((pending, i) => {
			const event = pending.live?.(ids[i]);
			if (event !== undefined) this.#emit(event);
		});
	}

	// ── Operator actions ────────────────────────────────────────────────────

	/** Acknowledges an alert's incident to its origin, which stops repeating it. */
	acknowledge(alertId: number): number {
		const alert = this.#alertOrFail(alertId);
		return this.#command("acknowledge", alert.source, alert.incident, [alert.source]);
	}

	/** Silences an incident everywhere it sounds: at the devices that acted on it, and at its origin. */
	silence(alertId: number): number {
		const alert = this.#alertOrFail(alertId);
		const acting = this.log.receipts(alert.source, alert.incident).filter((receipt) => receipt.flags & ReceiptFlag.Acted).map((receipt) => receipt.device);
		const responders = this.devices().filter((device) => device.role === "responder" && (device.groups >>> alert.grp) & 1).map((device) => device.id);
		const peers = [...new Set([...(acting.length > 0 ? acting : responders), alert.source])];
		const action = this.#command("silence", alert.source, alert.incident, peers);
		this.#awaiting.set(action, { origin: alert.source, incident: alert.incident, peers: new Set(peers.filter((peer) => peer !== alert.source)), confirmed: [], unreachable: [] });
		return action;
	}

	#alertOrFail(alertId: number) {
		const alert = this.log.alert(alertId);
		if (alert === undefined) throw new RangeError(`no alert ${alertId}`);
		return alert;
	}

	#command(kind: "acknowledge" | "silence", origin: number, incident: number, peers: number[]): number {
		const action = this.log.addAction({ at: this.#clock(), kind, origin, incident, detail: `to ${peers.map((peer) => this.#name(peer)).join(", ")}` });
		const sent = this.#broadcast({ kind: "command", action, command: kind, origin, incident, peers });
		this.#actionState(action, sent > 0 ? "sent" : "no-gateway");
		this.#note(`operator: ${kind} incident ${incident} of ${this.#name(origin)} (action ${action}, ${sent} gateway(s))`);
		return action;
	}

	/** Revokes a device: the domain file opened with the passphrase, a new epoch, deliveries out through the gateways. */
	revoke(device: number, passphrase: string): number {
		if (this.#options.revoke === undefined) throw new RangeError("this post was started without a domain folder");
		const { revocation, identity } = this.#options.revoke(device, passphrase);
		const action = this.log.addAction({ at: this.#clock(), kind: "revoke", target: device, detail: `epoch ${revocation.epoch}` });
		const gateways = this.devices().filter((candidate) => candidate.role === "gateway").map((candidate) => candidate.id);
		// Members first, each gateway's own delivery last: a gateway needs the old epoch's PSK to reach them.
		for (const [peer, delivery] of revocation.deliveries) if (!gateways.includes(peer) && this.#devices.get(peer)?.role !== "post") this.#broadcast({ kind: "delivery", action, peer, delivery });
		for (const [peer, delivery] of revocation.deliveries) if (gateways.includes(peer)) this.#broadcast({ kind: "delivery", action, peer, delivery });
		this.#identity = identity;
		this.#supervision?.forget(device);
		this.log.recordEpoch(revocation.epoch, revocation.deliveries.size, this.#clock(), device);
		this.#actionState(action, "sent");
		this.#emit({ type: "epoch", epoch: revocation.epoch });
		this.#note(`operator: revoke ${this.#name(device)}: key epoch ${revocation.epoch}, ${revocation.deliveries.size} deliveries (action ${action})`);
		return action;
	}

	#broadcast(message: PostMessage): number {
		let sent = 0;
		for (const connection of this.#connections) {
			if (connection.channel === undefined) continue;
			connection.send(message);
			sent++;
		}
		return sent;
	}

	// ── Rollouts ────────────────────────────────────────────────────────────

	/**
	 * Checks `image` (signed with the update key, `picket image sign`) against `offerBytes`
	 * (`picket update offer`) and holds them for the operator to start: the offer must describe
	 * this very image (length, SHA-256, page table), else "rollout-mismatch". The signature is
	 * the gateway's and the boards' to check (the post does not need the update key). Replaces
	 * the image staged before; a rollout being seeded goes on until stopped or replaced.
	 */
	stageRollout(image: Uint8Array, offerBytes: Uint8Array): void {
		const offer = decodeOffer(offerBytes);
		const mismatch = (what: string): never => {
			throw new PicketError<RolloutErrorCode>("rollout-mismatch", `the offer does not describe this image: ${what}`);
		};
		if (offer.imageLength !== image.length) mismatch(`${image.length} bytes, the offer says ${offer.imageLength}`);
		if (!constantTimeEqual(sha256(image), offer.imageDigest)) mismatch("SHA-256 differs");
		const table = pageTable(image, offer.pageShift, sha256);
		if (!constantTimeEqual(sha256(table), offer.pageTableDigest)) mismatch("page table differs");
		this.#staged = { image, offerBytes: offerBytes.slice(), offer, table };
		this.#note(`staged rollout ${offer.rollout}: version ${formatImageVersion(offer.version)}, security counter ${offer.securityCounter}, ${image.length} bytes`);
	}

	/**
	 * Starts a rollout: of `image` under `offerBytes` (staged first, with its checks), or of the
	 * image staged before (`post serve --rollout … --hold`, the dashboard's Start button; "no-rollout"
	 * if none). Hands the offer to every gateway; replaces a rollout in progress. Returns its action.
	 */
	startRollout(image?: Uint8Array, offerBytes?: Uint8Array): number {
		if (image !== undefined && offerBytes !== undefined) this.stageRollout(image, offerBytes);
		const staged = this.#staged;
		if (staged === undefined) throw new PicketError<RolloutErrorCode>("no-rollout", "no image staged: give post serve --rollout and --offer");
		const { offer } = staged;
		if (this.#rollout !== undefined) this.stopRollout();
		const plan = new TransferPlan(offer);
		const detail = `rollout ${offer.rollout}: version ${formatImageVersion(offer.version)}, security counter ${offer.securityCounter}, ${staged.image.length} bytes, ${plan.totalChunks} chunks`;
		const action = this.log.addAction({ at: this.#clock(), kind: "rollout", detail });
		this.#rollout = { ...staged, action, plan, installed: new Set(), confirmed: new Set(), chunksServed: 0 };
		const sent = this.#broadcast({ kind: "rollout", action, offer: staged.offerBytes });
		this.#actionState(action, sent > 0 ? "sent" : "no-gateway", detail);
		this.#note(`operator: ${detail} (action ${action}, ${sent} gateway(s))`);
		return action;
	}

	/**
	 * Stops seeding the rollout in progress (the boards keep what they installed; the image stays
	 * staged, so it can be started again). Returns its action; "no-rollout" when none runs.
	 */
	stopRollout(): number {
		const rollout = this.#rollout;
		if (rollout === undefined) throw new PicketError<RolloutErrorCode>("no-rollout", "no rollout is being seeded");
		this.#rollout = undefined;
		this.#broadcast({ kind: "rollout-stop", rollout: rollout.offer.rollout });
		this.#actionState(rollout.action, "stopped", this.#rolloutDetail(rollout));
		this.#note(`operator: stopped rollout ${rollout.offer.rollout} (action ${rollout.action})`);
		return rollout.action;
	}

	/** The staged image and the rollout being seeded, as the dashboard shows them. */
	get rollouts(): RolloutView {
		const staged = this.#staged;
		return {
			staged: staged === undefined ? undefined : { rollout: staged.offer.rollout, version: formatImageVersion(staged.offer.version), securityCounter: staged.offer.securityCounter, bytes: staged.image.length },
			running: this.rollout,
		};
	}

	/** The rollout in progress: its action, what was reported, and the chunks served so far. */
	get rollout(): { readonly action: number; readonly rollout: number; readonly installed: number; readonly confirmed: number; readonly chunksServed: number } | undefined {
		const rollout = this.#rollout;
		return rollout === undefined ? undefined : { action: rollout.action, rollout: rollout.offer.rollout, installed: rollout.installed.size, confirmed: rollout.confirmed.size, chunksServed: rollout.chunksServed };
	}

	#serveChunks(connection: GatewayConnection, rollout: number, first: number, count: number): void {
		const served = this.#rollout;
		if (served === undefined || served.offer.rollout !== rollout) return this.#refused(connection, "unknown-rollout", `chunks of rollout ${rollout} asked for`, false);
		const pieces: Uint8Array[] = [];
		for (let index = first; index < first + Math.min(count, CHUNKS_PER_MESSAGE); index++) {
			const place = served.plan.place(index);
			if (place === undefined) break;
			const source = place.segment === "table" ? served.table : served.image;
			pieces.push(source.subarray(place.offset, place.offset + place.length));
		}
		if (pieces.length === 0) return this.#refused(connection, "unknown-chunk", `chunk ${first} of rollout ${rollout}`, false);
		const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
		pieces.reduce((offset, piece) => (bytes.set(piece, offset), offset + piece.length), 0);
		served.chunksServed += pieces.length;
		connection.send({ kind: "chunks", rollout, first, bytes });
	}

	#progress(connection: GatewayConnection, gateway: number, rollout: number, device: number, state: "installed" | "confirmed"): void {
		const at = this.#clock();
		this.#queue({ kind: "progress", rollout, device, state, gateway, at }, connection);
		const served = this.#rollout;
		if (served === undefined || served.offer.rollout !== rollout) return;
		const set = state === "installed" ? served.installed : served.confirmed;
		if (set.has(device)) return;
		set.add(device);
		if (state === "confirmed") served.installed.add(device); // a board that confirmed installed first, heard or not
		this.#note(`rollout ${rollout}: ${this.#name(device)} ${state} (${served.installed.size} installed, ${served.confirmed.size} confirmed)`);
		this.#actionState(served.action, "seeding", this.#rolloutDetail(served));
		this.#emit({ type: "rollout", rollout, device, state, installed: served.installed.size, confirmed: served.confirmed.size });
	}

	#rolloutDetail(rollout: ServedRollout): string {
		return `rollout ${rollout.offer.rollout}, version ${formatImageVersion(rollout.offer.version)}: ${rollout.installed.size} installed, ${rollout.confirmed.size} confirmed; ${rollout.chunksServed} chunks served`;
	}

	#actionState(action: number, state: string, detail?: string): void {
		this.log.setActionState(action, state, detail);
		this.#emit({ type: "action", id: action, state, ...(detail === undefined ? {} : { detail }) });
	}

	#advanceAction(action: number, outcome: string, peer: number): void {
		const row = this.log.action(action);
		if (row === undefined || row.state === "confirmed") return;
		if (row.kind === "rollout") {
			if (outcome === "refused") this.#actionState(action, "refused", `gateway ${this.#name(peer)} refused the offer (not signed by its pinned update key, or none pinned)`);
			else if (outcome === "handed" && row.state !== "seeding") this.#actionState(action, "seeding");
			return;
		}
		const waiting = this.#awaiting.get(action);
		if (waiting !== undefined && outcome === "dropped" && waiting.peers.delete(peer)) {
			waiting.unreachable.push(this.#name(peer));
			this.#settleSilence(action, waiting);
		} else if (outcome === "dropped") this.#actionState(action, "partly-dropped", `${this.#name(peer)} unreachable`);
		else if (outcome === "installed") this.#actionState(action, "installed-on-gateway");
		else if (row.state === "sent") this.#actionState(action, "handed-to-mesh");
	}

	/** A device's heartbeat says it was silenced for an incident: the matching actions progress. */
	#confirmSilence(device: number, origin: number, incident: number): void {
		for (const [action, waiting] of this.#awaiting) {
			if (waiting.origin !== origin || waiting.incident !== incident || !waiting.peers.delete(device)) continue;
			this.log.addOutcome(action, device, "confirmed", this.#clock());
			waiting.confirmed.push(this.#name(device));
			this.#note(`device ${this.#name(device)} confirms silence (action ${action})`);
			this.#settleSilence(action, waiting);
		}
	}

	/** Confirmed once every target confirmed or was reported unreachable, and at least one confirmed. */
	#settleSilence(action: number, waiting: { peers: Set<number>; confirmed: string[]; unreachable: string[] }): void {
		const detail = [waiting.confirmed.length > 0 ? `confirmed by ${waiting.confirmed.join(", ")}` : "", waiting.unreachable.length > 0 ? `unreachable: ${waiting.unreachable.join(", ")}` : ""].filter(Boolean).join("; ");
		if (waiting.peers.size > 0) return this.#actionState(action, "partly-confirmed", detail);
		this.#awaiting.delete(action);
		this.#actionState(action, waiting.confirmed.length > 0 ? "confirmed" : "failed", detail);
	}

	close(): Promise<void> {
		if (this.#supervisionTimer !== undefined) clearInterval(this.#supervisionTimer);
		this.flush();
		for (const connection of this.#connections) connection.pipe.close();
		this.#connections.clear();
		return new Promise((resolve) => {
			if (this.#server === undefined) resolve();
			else this.#server.close(() => resolve());
		});
	}
}
