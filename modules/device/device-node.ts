/**
 * One device, wired (DESIGN.md "Shape of the code"):
 *
 *   GPIO edge → MotionSensor / PanicButton → AlarmPolicy → AlertLink.sendAlert → Radio
 *   Radio → AlertLink.receive → { alert → AlarmPolicy → Outputs; relay → Radio (after jitter) }
 *     an alert heard from its origin itself (TTL still the initial one) → SessionPort.heardDirectly
 *   Radio → SessionPort.receive (with the sender's MAC) → { command → AlarmPolicy }
 *   Radio → MeshPort.receive → { for this device: SessionPort.receive (the source's mesh address); relay → Radio }
 *     an authenticated alert's first copy → MeshPort.heard (the way back to its source)
 *   AlarmPolicy → CommandChannel.send → session layer → LinkContext.transmit → Radio (unicast)
 *   Radio → UpdateReceiver.receive (frame kind Update, when the host has a firmware slot) → Radio (paced broadcast)
 *
 * The node owns no decision: the policy decides what to do, the link decides what is
 * authentic, readable and worth relaying; the node only moves bytes and events between them.
 *
 * Nothing long runs inside a radio callback (DESIGN.md; on the device the XS stack is 512
 * slots, and a handshake run from the receive callback overflowed it): `onReadable` only
 * schedules a turn (a 0 ms timer). A turn reads at most FRAMES_PER_TURN frames and ends
 * after the first handshake or session frame (each may cost X25519 work), then hands the
 * sessions at most one command the policy queued for a peer (sending one may start a
 * handshake); what is left waits for the next turn. Queued commands are bounded
 * (COMMAND_QUEUE_LIMIT, the oldest dropped first); received frames wait in the radio's own
 * bounded queue (ESP-NOW: `defines.espnow.queue` in manifest.json).
 */
import { PicketError, isPicketError } from "picket/core/picket-error";
import type { TimerId } from "picket/core/host-contracts";
import { AlarmPolicy } from "picket/device/alarm-policy";
import type { AlarmCommand, DeviceLinks, RelayInstruction } from "picket/device/alert-link";
import { Severity, decodeAlertPayload } from "picket/device/alert-payload";
import { NO_RECEIPT, type Receipt, ReceiptFlag, encodeHeartbeat, isHeartbeatPayload } from "picket/device/heartbeat";
import { Supervision } from "picket/device/supervision";
import { type DeviceRole, type DeviceSettings, resolveSettings } from "picket/device/device-settings";
import type { HostBindings } from "picket/device/host-bindings";
import { MotionSensor } from "picket/device/motion-sensor";
import { Outputs } from "picket/device/outputs";
import { PanicButton } from "picket/device/panic-button";
import { BROADCAST_MAC, type Radio } from "picket/device/radio";
import { FrameKind, PICKET_VERSION, frameDetail, frameKind, frameVersion } from "picket/link/frame-kind";
import { meshAddress } from "picket/link/mesh-envelope";

/** Who this device is, from its provisioning (keystore + signed roster). */
export interface DeviceIdentity {
	readonly memberId: number;
	readonly role: DeviceRole;
}

/** What the link layer gets from the node to build itself. */
export interface LinkContext {
	readonly host: HostBindings;
	readonly identity: DeviceIdentity;
	/** The device's resolved settings (the link reads `initialTtl`). */
	readonly settings: DeviceSettings;
	/**
	 * Sends a frame the link produced on its own (handshake, session, retransmission) to
	 * the MAC `to`, or broadcasts it when `to` is absent.
	 */
	readonly transmit: (frame: Uint8Array, to?: Uint8Array) => void;
}

/** Builds the secure link for one device; `main.ts` passes the real one, tests a fake. */
export type LinkFactory = (context: LinkContext) => DeviceLinks;

/** Where frames of kind FrameKind.Update go: a RolloutAgent (picket/update/device-updates). */
export interface UpdateReceiver {
	receive(frame: Uint8Array): void;
	/** Any other frame was heard or sent: the rollout pauses (rollout-agent.ts: alerts go first). */
	yieldToAlert(): void;
	close(): void;
}

/** Builds the update receiver once the node can broadcast; undefined on a board without updates. */
export type UpdateFactory = (broadcast: (frame: Uint8Array) => void, settings: DeviceSettings) => UpdateReceiver | undefined;

export type DeviceNodeErrorCode = "role-mismatch" | "command-queue-full";

/** Frames read from the radio in one turn. */
export const FRAMES_PER_TURN = 4;
/** Commands for peers waiting for a turn; a newer one pushes out the oldest. */
export const COMMAND_QUEUE_LIMIT = 8;

/** Counters for logs, the simulator's summary and tests. */
export interface DeviceStats {
	framesReceived: number;
	alertsRead: number;
	relayed: number;
	commands: number;
	dropped: Record<string, number>;
}

export class DeviceNode {
	readonly identity: DeviceIdentity;
	readonly settings: DeviceSettings;
	readonly policy: AlarmPolicy;
	readonly outputs: Outputs;
	readonly stats: DeviceStats = { framesReceived: 0, alertsRead: 0, relayed: 0, commands: 0, dropped: {} };
	#host: HostBindings;
	#radio: Radio;
	#links: DeviceLinks;
	#motion: MotionSensor | undefined;
	#button: PanicButton | undefined;
	#relays = new Set<TimerId>();
	/** The scheduled turn, if any (see the header: work from callbacks runs in turns). */
	#turn: TimerId | undefined;
	#heartbeat: TimerId | undefined;
	/** What this device last did about an incident, carried by its heartbeats. */
	#receipt: Receipt = NO_RECEIPT;
	/** Responders supervise the heartbeats they hear (see picket/device/heartbeat). */
	#supervision: Supervision | undefined;
	readonly #commands: { readonly peer: number; readonly command: AlarmCommand }[] = [];
	#updates: UpdateReceiver | undefined;

	constructor(host: HostBindings, identity: DeviceIdentity, createLinks: LinkFactory, createUpdates?: UpdateFactory) {
		if (identity.role !== host.role) {
			throw new PicketError<DeviceNodeErrorCode>("role-mismatch", `the roster says ${identity.role}, this board was built as ${host.role}`);
		}
		this.#host = host;
		this.identity = identity;
		this.settings = chooseSettings(host);
		const { gpio, timers, pins } = host;

		this.outputs = new Outputs({ gpio, timers, pins });
		this.#radio = host.radio({
			onReadable: () => this.#scheduleTurn(),
			onError: (error) => host.log.warn(`radio: ${error.message}`),
		});
		this.#links = createLinks({ host, identity, settings: this.settings, transmit: (frame, to) => this.#write(frame, to ?? BROADCAST_MAC) });
		const links = this.#links;
		this.#updates = createUpdates?.((frame) => this.#write(frame, BROADCAST_MAC), this.settings);
		const observe = host.onEvent;
		const incidentSeed = host.random(2);
		this.policy = new AlarmPolicy({
			role: identity.role,
			self: identity.memberId,
			settings: this.settings,
			timers,
			outputs: this.outputs,
			transmitAlert: (group, payload) => {
				const frame = links.alerts.sendAlert(group, payload);
				observe?.({ kind: "alert-sealed", frame });
				this.#broadcast(frame);
			},
			commands: {
				send: (peer, command) => this.#queueCommand(peer, command),
			},
			members: links.members,
			log: host.log,
			firstIncident: (incidentSeed[0] << 8) | incidentSeed[1],
		});

		const settings = this.settings;
		if (identity.role === "sensor" && pins.motion !== undefined) {
			this.#motion = new MotionSensor({
				gpio,
				timers,
				pin: pins.motion,
				activeLevel: pins.motionActiveLevel ?? 1,
				debounceMs: settings.debounceMs,
				holdOffMs: settings.holdOffMs,
				retriggerMs: settings.retriggerMs,
				onReadable: () => this.#onMotion(),
			});
		}
		if ((identity.role === "alarm" || identity.role === "responder") && pins.button !== undefined) {
			this.#button = new PanicButton({
				gpio,
				timers,
				pin: pins.button,
				activeLevel: pins.buttonActiveLevel ?? 0,
				debounceMs: settings.debounceMs,
				longPressMs: settings.longPressMs,
				cancelWindowMs: settings.cancelWindowMs,
				onReadable: () => this.#onButton(),
			});
		}
		// A relay holds no group key, so it cannot seal a heartbeat: supervision covers the others.
		if (settings.heartbeatMs > 0 && identity.role !== "relay") {
			if (identity.role === "responder") {
				this.#supervision = new Supervision({ periodMs: settings.heartbeatMs, lostAfterMissed: settings.lostAfterMissed, members: [], now: timers.now() });
			}
			// A random first beat: devices powered up together do not beat together.
			const offset = host.random(2);
			this.#scheduleHeartbeat((((offset[0] << 8) | offset[1]) * settings.heartbeatMs) >>> 16);
		}
		host.log.info(`picket ${host.target}: member ${identity.memberId} as ${identity.role}, group ${settings.alertGroup}`);
	}

	#scheduleHeartbeat(delayMs: number): void {
		this.#heartbeat = this.#host.timers.setTimeout(() => {
			this.#sendHeartbeat();
			for (const change of this.#supervision?.check(this.#host.timers.now()) ?? []) this.#host.log.warn(`device ${change.member} lost: no heartbeat for ${this.settings.lostAfterMissed} periods`);
			this.#scheduleHeartbeat(this.settings.heartbeatMs);
		}, delayMs);
	}

	#sendHeartbeat(): void {
		const frame = this.#links.alerts.sendAlert(this.settings.alertGroup, encodeHeartbeat(this.#receipt));
		this.#host.onEvent?.({ kind: "alert-sealed", frame });
		this.#broadcast(frame);
	}

	/** Records what this device did about an incident; a change goes out at once, not at the next period. */
	#updateReceipt(origin: number, incident: number, flags: number): void {
		const current = this.#receipt;
		const merged = current.origin === origin && current.incident === incident ? current.flags | flags : flags;
		if (current.origin === origin && current.incident === incident && merged === current.flags) return;
		this.#receipt = { origin, incident, flags: merged };
		if (this.settings.heartbeatMs > 0) this.#sendHeartbeat();
	}

	close(): void {
		if (this.#turn !== undefined) this.#host.timers.clearTimeout(this.#turn);
		this.#turn = undefined;
		if (this.#heartbeat !== undefined) this.#host.timers.clearTimeout(this.#heartbeat);
		this.#heartbeat = undefined;
		this.#commands.length = 0;
		for (const relay of this.#relays) this.#host.timers.clearTimeout(relay);
		this.#relays.clear();
		this.#motion?.close();
		this.#button?.close();
		this.policy.close();
		this.outputs.close();
		this.#links.close?.();
		this.#updates?.close();
		this.#radio.close();
	}

	#onMotion(): void {
		for (let event = this.#motion?.read(); event !== undefined; event = this.#motion?.read()) {
			// A chain of re-triggers is someone staying, not passing: more urgent.
			this.policy.raise("motion", event.count >= 3 ? Severity.Urgent : Severity.Warning);
		}
	}

	#onButton(): void {
		for (let event = this.#button?.read(); event !== undefined; event = this.#button?.read()) {
			if (this.identity.role === "responder") {
				if (event.gesture === "press") this.policy.silence();
				continue;
			}
			if (event.gesture === "press") this.policy.raise("panic", Severity.Urgent);
			else if (event.gesture === "long-press") this.policy.raise("panic", Severity.Critical);
			else this.policy.cancel();
		}
	}

	#scheduleTurn(): void {
		if (this.#turn !== undefined) return;
		this.#turn = this.#host.timers.setTimeout(this.#startTurn, 0);
	}

	/** The turn's timer callback, made once: every frame heard schedules a turn. */
	readonly #startTurn = (): void => {
		this.#turn = undefined;
		this.#runTurn();
	};

	/** One turn of the work callbacks started (the header says what a turn may do). */
	#runTurn(): void {
		let more = false;
		for (let frames = 0; ; frames++) {
			if (frames === FRAMES_PER_TURN) {
				more = true;
				break;
			}
			const frame = this.#radio.read();
			if (frame === undefined) break;
			if (!this.#onFrame(frame.payload, frame.from)) {
				more = true;
				break;
			}
		}
		const queued = this.#commands.shift();
		if (queued !== undefined) {
			this.#host.onEvent?.({ kind: "command-sent", peer: queued.peer, command: queued.command });
			this.#links.commands.send(queued.peer, queued.command);
		}
		if (more || this.#commands.length > 0) this.#scheduleTurn();
	}

	/** Handles one frame; false when it was a handshake or session frame, which ends the turn. */
	#onFrame(bytes: Uint8Array, from: Uint8Array): boolean {
		this.stats.framesReceived++;
		if (bytes.length === 0 || frameVersion(bytes[0]) !== PICKET_VERSION) {
			this.#drop("unknown-version");
			return true;
		}
		const kind = frameKind(bytes[0]);
		if (kind === FrameKind.Update) {
			// Paced by the agent; never ends the turn (no X25519 work).
			if (this.#updates === undefined) this.#drop("update-unsupported");
			else this.#updates.receive(bytes);
			return true;
		}
		this.#updates?.yieldToAlert();
		if (kind === FrameKind.Alert) {
			this.#onAlertFrame(bytes, from);
			return true;
		}
		if (kind === FrameKind.Mesh) return this.#onMeshFrame(bytes, from);
		this.#onSessionFrame(bytes, from);
		return false;
	}

	#queueCommand(peer: number, command: AlarmCommand): void {
		this.#commands.push({ peer, command });
		if (this.#commands.length > COMMAND_QUEUE_LIMIT) {
			const dropped = this.#commands.shift()!;
			this.#host.log.warn(`command for ${dropped.peer} dropped: command-queue-full`);
			this.#host.onEvent?.({ kind: "session-dropped", peer: dropped.peer, reason: "command-queue-full" });
		}
		this.#scheduleTurn();
	}

	#onAlertFrame(bytes: Uint8Array, from: Uint8Array): void {
		const outcome = this.#links.alerts.receive(bytes);
		this.#host.onEvent?.({ kind: "alert-received", frame: bytes, outcome });
		switch (outcome.kind) {
			case "alert":
				this.stats.alertsRead++;
				// Relays decrement the TTL, so an alert still at the domain's initial TTL was sent by
				// its origin, from `from`: where a command can reach it (neighbour-table.ts: why this
				// suffices, and what a faked TTL costs). Before the policy, which may acknowledge at once.
				if (frameDetail(bytes[0]) === this.settings.initialTtl) this.#links.sessions.heardDirectly(outcome.source, from);
				this.#links.mesh?.heard(outcome.source, from);
				if (isHeartbeatPayload(outcome.payload)) {
					const found = this.#supervision?.heard(outcome.source, this.#host.timers.now());
					if (found !== undefined) this.#host.log.info(`device ${outcome.source} heard again`);
				} else this.#onAlert(outcome.source, outcome.payload, this.settings.initialTtl - frameDetail(bytes[0]) + 1);
				this.#relay(outcome.relay);
				break;
			case "relay-only":
				this.#links.mesh?.heard(outcome.source, from);
				this.#relay(outcome.relay);
				break;
			case "rejected":
				this.#drop(outcome.reason);
				// A duplicate with more hops left than the copy this device forwarded (relay-filter.ts).
				this.#relay(outcome.relay);
				if (outcome.reason === "wrong-epoch") this.#heardBehind(bytes);
				break;
		}
	}

	#onAlert(source: number, payload: Uint8Array, hops: number): void {
		const action = this.policy.onAlert(source, payload, hops);
		if (this.settings.heartbeatMs === 0 || (action !== "sound" && action !== "vibrate" && action !== "log")) return;
		let incident: number;
		try {
			incident = decodeAlertPayload(payload).incident;
		} catch (error) {
			if (isPicketError(error)) return; // the policy already judged it malformed
			throw error;
		}
		const acted = action === "log" ? 0 : ReceiptFlag.Acted;
		const acknowledged = this.identity.role === "responder" ? ReceiptFlag.Acknowledged : 0;
		this.#updateReceipt(source, incident, ReceiptFlag.Read | acted | acknowledged);
	}

	/**
	 * A frame under the epoch this device left names its source (secure-link.ts
	 * `behindSource`: in clear in an envelope, masked in an alert). Unauthenticated, so it only
	 * prompts a rate-limited resend of a delivery held for that member (delivery-tracker.ts).
	 */
	#heardBehind(bytes: Uint8Array): void {
		const source = this.#links.alerts.behindSource?.(bytes);
		if (source !== undefined) this.#links.heardBehind?.(source);
	}

	/** An envelope: relayed like an alert (true), or its inner frame handled as a session frame (false: ends the turn). */
	#onMeshFrame(bytes: Uint8Array, from: Uint8Array): boolean {
		const mesh = this.#links.mesh;
		if (mesh === undefined) {
			this.#drop("unknown-kind");
			return true;
		}
		const outcome = mesh.receive(bytes, from);
		this.#host.onEvent?.({ kind: "mesh-received", frame: bytes, outcome });
		switch (outcome.kind) {
			case "deliver":
				this.#onSessionFrame(outcome.inner, meshAddress(outcome.source));
				return false;
			case "relay":
				this.#relay(outcome.relay);
				return true;
			case "rejected":
				this.#drop(outcome.reason);
				if (outcome.reason === "wrong-epoch") this.#heardBehind(bytes);
				return true;
		}
	}

	#onSessionFrame(bytes: Uint8Array, from: Uint8Array): void {
		const outcome = this.#links.sessions.receive(bytes, from);
		const action = outcome.kind === "command" ? this.policy.onCommand(outcome.peer, outcome.command) : undefined;
		this.#host.onEvent?.({ kind: "session-received", frame: bytes, from, outcome, ...(action === undefined ? {} : { action }) });
		switch (outcome.kind) {
			case "command":
				this.stats.commands++;
				if (action === "refused") this.#drop("command-refused");
				if (action !== "refused" && outcome.command.kind === "silence" && outcome.command.origin !== this.identity.memberId) this.#updateReceipt(outcome.command.origin, outcome.command.incident, ReceiptFlag.Silenced);
				break;
			case "handled":
				break;
			case "rejected":
				this.#drop(outcome.reason);
				break;
		}
	}

	#drop(reason: string): void {
		this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
	}

	#relay(instruction: RelayInstruction | undefined): void {
		if (instruction === undefined) return;
		const timer = this.#host.timers.setTimeout(() => {
			this.#relays.delete(timer);
			this.stats.relayed++;
			this.#write(instruction.frame, instruction.to ?? BROADCAST_MAC);
		}, instruction.delayMs);
		this.#relays.add(timer);
	}

	#broadcast(frame: Uint8Array): void {
		this.#write(frame, BROADCAST_MAC);
	}

	#write(frame: Uint8Array, to: Uint8Array): void {
		// This board's own alert, relay or session frame: no update frame around it either.
		if (frame.length > 0 && frameKind(frame[0]) !== FrameKind.Update) this.#updates?.yieldToAlert();
		try {
			this.#radio.write(to, frame);
		} catch (error) {
			if (!isPicketError(error)) throw error;
			this.#host.log.warn(`radio write: ${error.code}`);
		}
	}
}

/**
 * The manifest layer is part of the build: an invalid field there is a build mistake and
 * throws. The Preference layer is changed in the field: an invalid override is logged and
 * ignored, because a typo must not leave a panic button dead.
 */
function chooseSettings(host: HostBindings): DeviceSettings {
	try {
		return resolveSettings(host.role, host.manifestSettings, host.settingsOverrides);
	} catch (error) {
		if (!isPicketError(error) || host.settingsOverrides === undefined) throw error;
		host.log.warn(`settings overrides ignored: ${error.message}`);
		return resolveSettings(host.role, host.manifestSettings);
	}
}

/** Starts one device on `host`: the node runs from callbacks (GPIO, radio, timers) from here on. */
export function startDevice(host: HostBindings, identity: DeviceIdentity, createLinks: LinkFactory, createUpdates?: UpdateFactory): DeviceNode {
	return new DeviceNode(host, identity, createLinks, createUpdates);
}

export type { DeviceLinks } from "picket/device/alert-link";
