/**
 * The gateway's bridge between the mesh and the command post. The gateway is an ordinary
 * roster member (role "gateway") running the device firmware: its node reads the alerts of
 * its groups and relays like any member. The bridge watches that node's events
 * (HostBindings.onEvent) and tells the post what the gateway read; in the other direction
 * it hands the operator's commands to the gateway's pairwise sessions.
 *
 *   node events ─ alert read, heartbeat read ─► post messages ─► secure channel ─► wire frames ─► write()
 *   receive(bytes) ─► wire frames ─► channel ─► command / delivery ─► sessions ─► the mesh
 *                                            └─► rollout / chunks ─► GatewayRollout (the seeder) ─► the air
 *   GatewayRollout ─ chunk requests, boards' progress ─► post messages ─► the post
 *
 * Until the handshake completed nothing is sent but message 1; reports wait in a bounded
 * queue (the oldest dropped first, with a warning), because a post that is restarting
 * should get the latest alerts, not stall the gateway's radio work.
 */
import { isPicketError } from "picket/core/picket-error";
import type { AlarmCommand } from "picket/device/alert-link";
import { decodeAlertPayload } from "picket/device/alert-payload";
import type { DeviceEvent } from "picket/device/device-events";
import { decodeHeartbeat, isHeartbeatPayload } from "picket/device/heartbeat";
import type { Logger } from "picket/device/host-bindings";
import { decodeAlertFrame } from "picket/link/alert-frame";
import { type PostLinkChannel, type PostLinkIdentity, PostLinkInitiator, PostLinkType } from "picket/gateway/post-link";
import { type PostMessage, decodePostMessage, encodePostMessage } from "picket/gateway/post-messages";
import { WireDecoder, encodeWireFrame } from "picket/gateway/wire-frame";
import type { GatewayRollout } from "picket/gateway/gateway-rollout";

const QUEUE_LIMIT = 256;
const EVENT_CODES: Record<string, number> = { motion: 1, panic: 2, cancel: 3 };

export interface GatewayBridgeOptions {
	/** The gateway's identity in the key epoch in force (read at each handshake). */
	readonly identity: () => PostLinkIdentity;
	/** The post's member id in the roster. */
	readonly postId: number;
	/** Writes bytes to the wired link (UART, TCP). */
	readonly write: (bytes: Uint8Array) => void;
	/** The gateway's pairwise sessions (picket/link/pairwise-sessions). */
	readonly sendCommand: (peer: number, command: AlarmCommand) => void;
	readonly sendEpochDelivery: (peer: number, delivery: Uint8Array) => void;
	/** Installs a key-epoch delivery addressed to the gateway itself; throws the keystore's errors. */
	readonly applyOwnDelivery: (delivery: Uint8Array) => void;
	/** The domain's initial TTL, to count the hops an alert travelled. */
	readonly initialTtl: number;
	readonly epoch: () => number;
	readonly log: Logger;
	/** Where a rollout the post starts is seeded (absent: the post's rollouts are refused). */
	readonly rollout?: GatewayRollout;
}

export class GatewayBridge {
	readonly #options: GatewayBridgeOptions;
	readonly #decoder: WireDecoder;
	#initiator: PostLinkInitiator | undefined;
	#channel: PostLinkChannel | undefined;
	readonly #queue: PostMessage[] = [];
	/** The last operator action per peer, so that a dropped command reports against it. */
	readonly #actionFor = new Map<number, number>();
	readonly stats = { reported: 0, stored: 0, dropped: 0, refused: {} as Record<string, number> };

	constructor(options: GatewayBridgeOptions) {
		this.#options = options;
		this.#decoder = new WireDecoder((code, bytes) => this.#refuse(code, `${bytes} bytes`));
	}

	get connected(): boolean {
		return this.#channel !== undefined;
	}

	/** (Re)starts the handshake: on a new connection, or after the post refused something. */
	connect(): void {
		this.#channel = undefined;
		this.#initiator = new PostLinkInitiator(this.#options.identity(), this.#options.postId);
		this.#options.write(encodeWireFrame(PostLinkType.Message1, this.#initiator.message1));
	}

	/** Bytes from the wired link. */
	receive(chunk: Uint8Array): void {
		for (const frame of this.#decoder.push(chunk)) {
			try {
				if (frame.type === PostLinkType.Message2 && this.#initiator !== undefined) {
					this.#channel = this.#initiator.finish(frame.body);
					this.#initiator = undefined;
					this.#options.log.info(`post link up (post ${this.#options.postId})`);
					this.#send({ kind: "hello", epoch: this.#options.epoch() });
					this.#flush();
				} else if (frame.type === PostLinkType.Transport && this.#channel !== undefined) {
					this.#onMessage(decodePostMessage(this.#channel.open(frame.body)));
				} else this.#refuse("unexpected-message", `type ${frame.type}`);
			} catch (error) {
				if (!isPicketError(error)) throw error;
				this.#refuse(error.code, error.message);
			}
		}
	}

	/** The gateway node's events (HostBindings.onEvent). */
	onDeviceEvent(event: DeviceEvent): void {
		if (event.kind === "session-dropped") {
			const action = this.#actionFor.get(event.peer);
			if (action !== undefined) this.#report({ kind: "outcome", action, peer: event.peer, outcome: "dropped" });
			return;
		}
		if (event.kind !== "alert-received" || event.outcome.kind !== "alert") return;
		const { source, group, payload } = event.outcome;
		const decoded = decodeAlertFrame(event.frame);
		if (!decoded.ok) return;
		try {
			if (isHeartbeatPayload(payload)) {
				const receipt = decodeHeartbeat(payload);
				this.#report({ kind: "heartbeat", source, ...receipt });
				return;
			}
			const alert = decodeAlertPayload(payload);
			const hops = Math.max(0, this.#options.initialTtl - decoded.frame.ttl);
			this.#report({ kind: "alert", source, sequence: decoded.frame.sequence, group, hops, event: EVENT_CODES[alert.event], severity: alert.severity, incident: alert.incident, repeat: alert.repeat });
		} catch (error) {
			if (!isPicketError(error)) throw error;
			this.#options.log.warn(`not reported: ${error.code} from ${source}`);
		}
	}

	#onMessage(message: PostMessage): void {
		switch (message.kind) {
			case "command":
				for (const peer of message.peers) {
					this.#actionFor.set(peer, message.action);
					this.#options.sendCommand(peer, { kind: message.command, origin: message.origin, incident: message.incident });
					this.#report({ kind: "outcome", action: message.action, peer, outcome: "handed" });
				}
				return;
			case "delivery":
				if (message.peer === this.#options.identity().memberId) {
					try {
						this.#options.applyOwnDelivery(message.delivery);
						this.#report({ kind: "outcome", action: message.action, peer: message.peer, outcome: "installed" });
					} catch (error) {
						if (!isPicketError(error)) throw error;
						this.#report({ kind: "outcome", action: message.action, peer: message.peer, outcome: "refused" });
					}
					return;
				}
				this.#actionFor.set(message.peer, message.action);
				this.#options.sendEpochDelivery(message.peer, message.delivery);
				this.#report({ kind: "outcome", action: message.action, peer: message.peer, outcome: "handed" });
				return;
			case "stored":
				this.stats.stored = message.reports;
				return;
			case "rollout":
				this.#startRollout(message.action, message.offer);
				return;
			case "chunks":
				// Authentic, but checked against the plan before the window keeps any (and the boards check every page).
				if (this.#options.rollout === undefined) return this.#refuse("not-seeding", `chunks of rollout ${message.rollout}`);
				this.#options.rollout.supply(message.rollout, message.first, message.bytes);
				return;
			case "rollout-stop":
				if (this.#options.rollout?.rollout === message.rollout) {
					this.#options.rollout.stop();
					this.#options.log.info(`rollout ${message.rollout}: seeding stopped by the post`);
				}
				return;
			default:
				this.#refuse("unexpected-message", message.kind);
		}
	}

	#startRollout(action: number, offer: Uint8Array): void {
		const rollout = this.#options.rollout;
		const self = this.#options.identity().memberId;
		if (rollout === undefined) {
			this.#report({ kind: "outcome", action, peer: self, outcome: "refused" });
			return this.#options.log.warn("rollout refused: this gateway has no update side");
		}
		try {
			const number = rollout.start(offer, {
				// A request is not a report: the post answers it and stores nothing ("stored" does not count it).
				request: (first, count) => this.#send({ kind: "chunk-request", rollout: number, first, count }, false),
				progress: (device, state) => this.#report({ kind: "progress", rollout: number, device, state }),
			});
			this.#options.log.info(`rollout ${number}: seeding for the post`);
			this.#report({ kind: "outcome", action, peer: self, outcome: "handed" });
		} catch (error) {
			if (!isPicketError(error)) throw error;
			this.#options.log.warn(`rollout refused: ${error.code}`);
			this.#report({ kind: "outcome", action, peer: self, outcome: "refused" });
		}
	}

	#report(message: PostMessage): void {
		if (this.#channel === undefined) {
			this.#queue.push(message);
			if (this.#queue.length > QUEUE_LIMIT) {
				this.#queue.shift();
				this.stats.dropped++;
			}
			return;
		}
		this.#send(message);
	}

	#flush(): void {
		for (let message = this.#queue.shift(); message !== undefined && this.#channel !== undefined; message = this.#queue.shift()) this.#send(message);
	}

	#send(message: PostMessage, report = true): void {
		const channel = this.#channel;
		if (channel === undefined) return;
		this.#options.write(encodeWireFrame(PostLinkType.Transport, channel.seal(encodePostMessage(message))));
		if (report) this.stats.reported++;
	}

	#refuse(code: string, detail: string): void {
		this.stats.refused[code] = (this.stats.refused[code] ?? 0) + 1;
		this.#options.log.warn(`post link: refused ${code} (${detail})`);
	}
}
