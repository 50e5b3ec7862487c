/**
 * What a device does about alerts — the only module that decides.
 *
 * Sending (a local trigger): one incident = one alert sent at once, then repeated with
 * exponential backoff (`repeatDelay`) until a responder acknowledges it over a pairwise
 * session, the sender cancels it, or `repeatLimit` repeats have gone out. An
 * acknowledgement ends the incident only once `minimumSends` copies have gone out: the
 * neighbour that acknowledged cannot vouch for devices behind a relay that lost a copy. A stronger
 * trigger during an incident (long press after press) raises its severity and restarts
 * the schedule under the same incident number.
 *
 * Receiving (an alert the link could decrypt), by role:
 *
 * | role      | on a new incident                               | on a repeat of it        |
 * |-----------|-------------------------------------------------|--------------------------|
 * | responder | siren + LED for `sirenMs`, ack to the sender*   | ack again* (ack was lost)|
 * | alarm     | vibrate for `vibrateMs`                         | nothing                  |
 * | sensor    | log                                             | nothing                  |
 * | relay     | log (a relay holds no group key; never expected)| nothing                  |
 * | gateway   | log (its bridge reports it to the command post) | nothing                  |
 *
 * *within `acknowledgeHops` hops of the sender; from farther, only sends past its
 * `minimumSends` (then no nearer responder's acknowledgement reached it).
 *
 * A "cancel" alert stops what its incident started; a "silence" command from a peer (a
 * responder's operator pressed silence) stops outputs here, and at the sender also counts
 * as an acknowledgement.
 *
 * Who may command what. A pairwise session proves which member sent a command, not that
 * its role allows it; the signed roster says the role, so the policy checks it (issue 12,
 * item 8: without this any member — a sensor, a relay — ended a panic after three frames
 * and silenced a responder's siren):
 *
 * | command                          | accepted from                                  | why                                                           |
 * |----------------------------------|------------------------------------------------|---------------------------------------------------------------|
 * | acknowledge (own incident)       | a responder of the incident's group            | it ends the repeats: only a device that reads the alert and   |
 * |                                  |                                                | answers it (siren, a person) may say "help is coming"         |
 * | silence (own incident)           | a responder of the incident's group            | a responder's operator silenced its siren: someone responded  |
 * | silence (an incident sounding here) | a responder, or the incident's origin       | an operator stops the sirens; the origin may end its own      |
 * | acknowledge or silence, any      | a gateway                                      | it carries the command post's operator, who authenticated to  |
 * |                                  |                                                | it over the post link (picket/gateway/post-link)              |
 * | anything else                    | nobody ("refused", logged)                     |                                                               |
 *
 * Sensors, alarms and relays never send these commands (the policy only acknowledges as a
 * responder, and only a responder's button silences), so an acknowledge or silence from
 * them is a compromised or misbehaving member.
 */
import { PicketError, isPicketError } from "picket/core/picket-error";
import type { TimerId, Timers } from "picket/core/host-contracts";
import { type AlertEvent, type AlertPayload, Severity, decodeAlertPayload, encodeAlertPayload } from "picket/device/alert-payload";
import type { AlarmCommand, CommandChannel } from "picket/device/alert-link";
import { type DeviceRole, type DeviceSettings, repeatDelay } from "picket/device/device-settings";
import type { Logger } from "picket/device/host-bindings";
import type { OutputName, PatternName } from "picket/device/outputs";
import { type Membership, memberInGroup } from "picket/link/membership";

/** The part of `Outputs` the policy drives (tests give a recorder). */
export interface AlarmOutputs {
	start(name: OutputName, pattern: PatternName, durationMs: number): void;
	stop(name: OutputName): void;
	stopAll(): void;
}

export interface AlarmPolicyOptions {
	readonly role: DeviceRole;
	/** This device's member id (roster). */
	readonly self: number;
	readonly settings: DeviceSettings;
	readonly timers: Timers;
	readonly outputs: AlarmOutputs;
	/** Seal and broadcast an alert payload to a group (the node: link → radio). */
	readonly transmitAlert: (group: number, payload: Uint8Array) => void;
	readonly commands: CommandChannel;
	/** The signed roster in force: whose commands are accepted depends on their role (table above). */
	readonly members: Pick<Membership, "member">;
	readonly log: Logger;
	/** Incident number of the first local incident; the node draws it at random so a reboot does not reuse recent numbers. */
	readonly firstIncident?: number;
}

/** What the policy did with a command: "refused" when the sender's role may not give it (table above). */
export type CommandAction = "settled" | "stopped" | "ignored" | "refused";

/** What the policy did with a received alert (returned for the node's log and for tests). */
export type AlertAction = "sound" | "vibrate" | "log" | "repeat" | "cancelled" | "ignored" | "malformed";

/** How an own incident ended. */
export type IncidentEnd = "acknowledged" | "silenced" | "cancelled" | "unacknowledged" | "replaced";

/** How long the LED shows "acknowledged" to the person who raised the alert. */
const ACKNOWLEDGED_SHOW_MS = 5_000;
/** Short vibration telling a wearer their own alert went out. */
const SENT_FEEDBACK_MS = 300;

interface OwnIncident {
	readonly incident: number;
	readonly event: Exclude<AlertEvent, "cancel">;
	severity: Severity;
	/** Repeats sent so far (0 after the first send). */
	repeats: number;
	/** Sends so far, for the payload's repeat byte (repeats survive a severity restart). */
	sends: number;
	timer: TimerId | undefined;
	/** Acknowledged or silenced before `minimumSends`: ends after the last of those sends. */
	settled: "acknowledged" | "silenced" | undefined;
}

interface HeardIncident {
	readonly incident: number;
	readonly severity: Severity;
}

export class AlarmPolicy {
	#options: AlarmPolicyOptions;
	#nextIncident: number;
	#own: OwnIncident | undefined;
	/** The received incident whose outputs are running, if any. */
	#sounding: { readonly origin: number; readonly incident: number } | undefined;
	/** Last incident heard per source: tells a repeat from a new incident. Bounded by the roster. */
	#heard = new Map<number, HeardIncident>();
	/** Why the last own incident ended, for logs and tests. */
	lastEnd: IncidentEnd | undefined;

	constructor(options: AlarmPolicyOptions) {
		this.#options = options;
		this.#nextIncident = (options.firstIncident ?? 0) & 0xffff;
	}

	/** The incident this device is alerting about now, if any. */
	get activeIncident(): number | undefined {
		return this.#own?.incident;
	}

	/** Repeats sent for the active incident. */
	get repeatsSent(): number {
		return this.#own?.repeats ?? 0;
	}

	/** A local trigger: motion, a panic press, or a long press (`Severity.Critical`). */
	raise(event: "motion" | "panic", severity: Severity): void {
		const own = this.#own;
		if (own !== undefined && own.event === event) {
			if (severity <= own.severity) return; // the incident is already under way
			own.severity = severity;
			own.repeats = 0;
			this.#clearTimer(own);
			this.#log("escalate", `incident ${own.incident} severity ${severity}`);
			this.#sendAndSchedule(own);
			return;
		}
		if (own !== undefined) this.#end(own, "replaced");
		const incident: OwnIncident = { incident: this.#nextIncident, event, severity, repeats: 0, sends: 0, timer: undefined, settled: undefined };
		this.#nextIncident = (this.#nextIncident + 1) & 0xffff;
		this.#own = incident;
		this.#log("raise", `${event} incident ${incident.incident} severity ${severity}`);
		this.#options.outputs.start("led", "sending", Infinity);
		if (this.#options.role === "alarm") this.#options.outputs.start("vibration", "tap", SENT_FEEDBACK_MS);
		this.#sendAndSchedule(incident);
	}

	/** The sender withdraws its alert (panic-button cancel gesture). Returns false when nothing was active. */
	cancel(): boolean {
		const own = this.#own;
		if (own === undefined) return false;
		this.#transmit({ event: "cancel", severity: own.severity, incident: own.incident, repeat: own.sends });
		this.#end(own, "cancelled");
		return true;
	}

	/** The local operator silences what is sounding here, and tells the alert's sender. */
	silence(): boolean {
		const sounding = this.#sounding;
		this.#options.outputs.stopAll();
		this.#sounding = undefined;
		if (sounding === undefined) return false;
		this.#options.commands.send(sounding.origin, { kind: "silence", incident: sounding.incident, origin: sounding.origin });
		this.#log("silence", `incident ${sounding.incident} of ${sounding.origin}`);
		return true;
	}

	/** An alert the link authenticated and decrypted, from member `source`, `hops` hops away (1: heard from the origin itself). */
	onAlert(source: number, payloadBytes: Uint8Array, hops = 1): AlertAction {
		if (source === this.#options.self) return "ignored"; // our own, relayed back
		let alert: AlertPayload;
		try {
			alert = decodeAlertPayload(payloadBytes);
		} catch (error) {
			if (!isPicketError(error)) throw error;
			this.#log("drop", `alert from ${source}: ${error.code}`);
			return "malformed";
		}
		if (alert.event === "cancel") {
			this.#heard.set(source, { incident: alert.incident, severity: alert.severity });
			const sounding = this.#sounding;
			if (sounding === undefined || sounding.origin !== source || sounding.incident !== alert.incident) return "ignored";
			this.#options.outputs.stopAll();
			this.#sounding = undefined;
			this.#log("cancelled", `incident ${alert.incident} of ${source}`);
			return "cancelled";
		}
		const heard = this.#heard.get(source);
		if (heard !== undefined && heard.incident === alert.incident && heard.severity >= alert.severity) {
			if (this.#options.role === "responder") this.#acknowledge(source, alert, hops);
			return "repeat";
		}
		this.#heard.set(source, { incident: alert.incident, severity: alert.severity });
		this.#log("alert", `${alert.event} incident ${alert.incident} severity ${alert.severity} from ${source}`);
		const { outputs, settings } = this.#options;
		switch (this.#options.role) {
			case "responder":
				outputs.start("siren", alert.severity >= Severity.Urgent ? "alarm" : "chirp", settings.sirenMs);
				outputs.start("led", "alert", settings.sirenMs);
				this.#sounding = { origin: source, incident: alert.incident };
				this.#acknowledge(source, alert, hops);
				return "sound";
			case "alarm":
				outputs.start("vibration", "buzz", settings.vibrateMs);
				this.#sounding = { origin: source, incident: alert.incident };
				return "vibrate";
			case "sensor":
			case "relay":
			case "gateway":
				return "log";
		}
	}

	/** A command delivered (authenticated, decoded) over the pairwise session with `peer`. */
	onCommand(peer: number, command: AlarmCommand): CommandAction {
		if (!this.#mayCommand(peer, command)) {
			this.#log("refused", `${command.kind} of incident ${command.incident} from ${peer}: its role may not`);
			return "refused";
		}
		const own = this.#own;
		if (command.origin === this.#options.self) {
			if (own === undefined || own.incident !== command.incident || own.settled !== undefined) return "ignored"; // late: already ended or settled
			this.#log(command.kind, `incident ${own.incident} by ${peer}`);
			const how = command.kind === "acknowledge" ? "acknowledged" : "silenced";
			if (own.sends >= this.#minimumSends()) this.#settle(own, how);
			else own.settled = how;
			return "settled";
		}
		const sounding = this.#sounding;
		if (command.kind === "silence" && sounding !== undefined && sounding.origin === command.origin && sounding.incident === command.incident) {
			this.#options.outputs.stopAll();
			this.#sounding = undefined;
			return "stopped";
		}
		return "ignored";
	}

	/** The table "Who may command what" above, over the signed roster in force. */
	#mayCommand(peer: number, command: AlarmCommand): boolean {
		const member = this.#options.members.member(peer);
		if (member === undefined) return false;
		if (member.role === "gateway") return true;
		if (command.origin === this.#options.self) return member.role === "responder" && memberInGroup(member, this.#options.settings.alertGroup);
		return command.kind === "silence" && (member.role === "responder" || peer === command.origin);
	}

	close(): void {
		if (this.#own !== undefined) this.#clearTimer(this.#own);
		this.#own = undefined;
		this.#options.outputs.stopAll();
	}

	/** Near the origin at once; from farther, only once the origin is still repeating past its minimum sends (settings `acknowledgeHops`). */
	#acknowledge(origin: number, alert: AlertPayload, hops: number): void {
		const { acknowledgeHops, minimumSends } = this.#options.settings;
		if (hops > acknowledgeHops && alert.repeat < minimumSends) return;
		this.#options.commands.send(origin, { kind: "acknowledge", incident: alert.incident, origin });
	}

	/** `minimumSends`, but never more sends than the repeat limit allows. */
	#minimumSends(): number {
		const settings = this.#options.settings;
		return Math.min(settings.minimumSends, settings.repeatLimit + 1);
	}

	/** Ends an incident a peer acknowledged or silenced, and shows an acknowledgement. */
	#settle(own: OwnIncident, how: "acknowledged" | "silenced"): void {
		this.#end(own, how);
		if (how === "acknowledged") this.#options.outputs.start("led", "acknowledged", ACKNOWLEDGED_SHOW_MS);
	}

	#sendAndSchedule(own: OwnIncident): void {
		this.#transmit({ event: own.event, severity: own.severity, incident: own.incident, repeat: own.sends });
		own.sends++;
		if (own.settled !== undefined && own.sends >= this.#minimumSends()) {
			this.#settle(own, own.settled);
			return;
		}
		if (own.repeats >= this.#options.settings.repeatLimit) {
			own.timer = this.#options.timers.setTimeout(() => this.#end(own, "unacknowledged"), repeatDelay(this.#options.settings, own.repeats + 1));
			return;
		}
		own.timer = this.#options.timers.setTimeout(() => {
			own.timer = undefined;
			own.repeats++;
			this.#sendAndSchedule(own);
		}, repeatDelay(this.#options.settings, own.repeats + 1));
	}

	#transmit(alert: AlertPayload): void {
		try {
			this.#options.transmitAlert(this.#options.settings.alertGroup, encodeAlertPayload(alert));
		} catch (error) {
			// A full radio queue or a sequence-reservation failure must not stop the repeats.
			if (!(error instanceof PicketError)) throw error;
			this.#log("send-failed", error.code);
		}
	}

	#end(own: OwnIncident, how: IncidentEnd): void {
		this.#clearTimer(own);
		if (this.#own === own) this.#own = undefined;
		this.lastEnd = how;
		this.#options.outputs.stop("led");
		if (how === "unacknowledged") this.#log("unacknowledged", `incident ${own.incident} after ${own.repeats} repeats`);
	}

	#clearTimer(own: OwnIncident): void {
		if (own.timer !== undefined) this.#options.timers.clearTimeout(own.timer);
		own.timer = undefined;
	}

	#log(event: string, detail: string): void {
		this.#options.log.info(`policy ${event}: ${detail}`);
	}
}
