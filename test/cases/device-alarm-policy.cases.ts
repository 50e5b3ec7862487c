import { AlarmPolicy, type AlarmOutputs } from "picket/device/alarm-policy";
import { Severity, decodeAlertPayload, encodeAlertPayload, type AlertPayload } from "picket/device/alert-payload";
import type { AlarmCommand } from "picket/device/alert-link";
import { type DeviceRole, resolveSettings } from "picket/device/device-settings";
import type { OutputName, PatternName } from "picket/device/outputs";
import type { Member, MemberRole } from "picket/link/membership";
import { portableCases } from "picket/test/harness/portable";
import { FakeTimers } from "picket/test/support/fake-timers";

const SELF = 7;
/** A responder of group 2, the alert group of these cases: it may acknowledge and silence. */
const SENDER = 3;
const SENSOR = 4;
const ALARM = 5;
const RELAY = 6;
/** A responder of group 0 only: it never read a group-2 alert. */
const OTHER_GROUP_RESPONDER = 9;

/** The signed roster's view the policy reads: role and groups (bit 2 = the alert group). */
const members = {
	member: (id: number): Member | undefined => {
		const entry: Record<number, [MemberRole, number]> = { [SELF]: ["alarm", 0b100], [SENDER]: ["responder", 0b100], [SENSOR]: ["sensor", 0b100], [ALARM]: ["alarm", 0b100], [RELAY]: ["relay", 0], [OTHER_GROUP_RESPONDER]: ["responder", 0b1] };
		return id in entry ? { id, staticPublicKey: new Uint8Array(32), role: entry[id][0], groups: entry[id][1] } : undefined;
	},
};

class RecordingOutputs implements AlarmOutputs {
	playing: Partial<Record<OutputName, PatternName>> = {};
	start(name: OutputName, pattern: PatternName): void {
		this.playing[name] = pattern;
	}
	stop(name: OutputName): void {
		delete this.playing[name];
	}
	stopAll(): void {
		this.playing = {};
	}
}

function setup(role: DeviceRole, overrides: Record<string, number> = {}) {
	const timers = new FakeTimers();
	const outputs = new RecordingOutputs();
	const sent: { at: number; group: number; alert: AlertPayload }[] = [];
	const commands: { peer: number; command: AlarmCommand }[] = [];
	const settings = resolveSettings(role, { repeatFirstMs: 500, backoffFactor: 2, backoffMaxMs: 4_000, repeatLimit: 5, alertGroup: 2, ...overrides });
	const policy = new AlarmPolicy({
		role,
		self: SELF,
		settings,
		timers,
		outputs,
		transmitAlert: (group, payload) => sent.push({ at: timers.now(), group, alert: decodeAlertPayload(payload) }),
		commands: { send: (peer, command) => commands.push({ peer, command }) },
		members,
		log: { info: () => {}, warn: () => {} },
		firstIncident: 100,
	});
	return { timers, outputs, sent, commands, policy };
}

const alertBytes = (event: "motion" | "panic" | "cancel", severity: Severity, incident: number, repeat = 0) =>
	encodeAlertPayload({ event, severity, incident, repeat });

export default portableCases("device/alarm-policy", (test) => {
	test("backoff schedule: first send at once, repeats after 500, 1000, 2000, 4000, 4000 ms, then gives up", (t) => {
		const { timers, sent, policy } = setup("alarm");
		policy.raise("panic", Severity.Urgent);
		timers.advance(60_000);
		t.deepEqual(
			sent.map((entry) => entry.at),
			[0, 500, 1_500, 3_500, 7_500, 11_500],
		);
		t.deepEqual(
			sent.map((entry) => entry.alert.repeat),
			[0, 1, 2, 3, 4, 5],
		);
		t.true(sent.every((entry) => entry.group === 2 && entry.alert.incident === 100 && entry.alert.event === "panic"));
		t.is(policy.lastEnd, "unacknowledged");
		t.is(policy.activeIncident, undefined);
		t.is(timers.pending, 0);
	});

	test("an ack stops the repeats and shows acknowledged", (t) => {
		const { timers, sent, outputs, policy } = setup("alarm", { minimumSends: 1 });
		policy.raise("panic", Severity.Urgent);
		t.is(outputs.playing.led, "sending");
		timers.advance(1_000); // sends at 0 and 500
		policy.onCommand(SENDER, { kind: "acknowledge", incident: 100, origin: SELF });
		timers.advance(60_000);
		t.is(sent.length, 2);
		t.is(policy.lastEnd, "acknowledged");
		t.is(outputs.playing.led, "acknowledged");
	});

	test("an ack before minimumSends lets those sends go out, then ends the incident", (t) => {
		const { timers, sent, outputs, policy } = setup("alarm", { minimumSends: 3 });
		policy.raise("panic", Severity.Urgent);
		policy.onCommand(SENDER, { kind: "acknowledge", incident: 100, origin: SELF }); // after the first send
		t.is(policy.activeIncident, 100, "still sending: a neighbour's ack cannot vouch for the far side");
		timers.advance(60_000); // repeats at 500 and 1,500, then no more
		t.deepEqual(sent.map((s) => s.at), [0, 500, 1_500]);
		t.is(policy.lastEnd, "acknowledged");
		t.is(outputs.playing.led, "acknowledged");
	});

	test("an ack for another incident or another origin changes nothing", (t) => {
		const { timers, sent, policy } = setup("alarm");
		policy.raise("panic", Severity.Urgent);
		policy.onCommand(SENDER, { kind: "acknowledge", incident: 99, origin: SELF });
		policy.onCommand(SENDER, { kind: "acknowledge", incident: 100, origin: 8 });
		timers.advance(600);
		t.is(sent.length, 2);
		t.is(policy.activeIncident, 100);
	});

	test("a long press escalates the same incident and restarts the schedule; a weaker trigger adds nothing", (t) => {
		const { timers, sent, policy } = setup("alarm");
		policy.raise("panic", Severity.Urgent);
		timers.advance(700); // sends at 0, 500
		policy.raise("panic", Severity.Critical); // at 700: send now, next at 1200
		policy.raise("panic", Severity.Urgent);
		timers.advance(600);
		t.deepEqual(
			sent.map((entry) => [entry.at, entry.alert.severity, entry.alert.incident]),
			[
				[0, Severity.Urgent, 100],
				[500, Severity.Urgent, 100],
				[700, Severity.Critical, 100],
				[1_200, Severity.Critical, 100],
			],
		);
	});

	test("cancel sends a cancel for the incident and stops repeating", (t) => {
		const { timers, sent, policy } = setup("alarm");
		policy.raise("panic", Severity.Urgent);
		timers.advance(100);
		t.true(policy.cancel());
		timers.advance(60_000);
		t.deepEqual(
			sent.map((entry) => entry.alert.event),
			["panic", "cancel"],
		);
		t.is(sent[1].alert.incident, 100);
		t.is(policy.lastEnd, "cancelled");
		t.false(policy.cancel(), "nothing left to cancel");
	});

	test("a new incident gets the next number", (t) => {
		const { sent, policy } = setup("sensor");
		policy.raise("motion", Severity.Warning);
		policy.cancel();
		policy.raise("motion", Severity.Warning);
		t.deepEqual(
			sent.filter((entry) => entry.alert.event === "motion").map((entry) => entry.alert.incident),
			[100, 101],
		);
	});

	test("role actions: responder sounds, lights and acks; alarm vibrates; sensor and relay only log", (t) => {
		const responder = setup("responder");
		t.is(responder.policy.onAlert(SENDER, alertBytes("panic", Severity.Critical, 42)), "sound");
		t.deepEqual(responder.outputs.playing, { siren: "alarm", led: "alert" });
		t.deepEqual(responder.commands, [{ peer: SENDER, command: { kind: "acknowledge", incident: 42, origin: SENDER } }]);

		const alarm = setup("alarm");
		t.is(alarm.policy.onAlert(SENDER, alertBytes("motion", Severity.Warning, 1)), "vibrate");
		t.deepEqual(alarm.outputs.playing, { vibration: "buzz" });
		t.is(alarm.commands.length, 0);

		for (const role of ["sensor", "relay"] as const) {
			const quiet = setup(role);
			t.is(quiet.policy.onAlert(SENDER, alertBytes("panic", Severity.Urgent, 1)), "log");
			t.deepEqual(quiet.outputs.playing, {});
			t.is(quiet.commands.length, 0);
		}
	});

	test("a responder hears notices as a chirp, urgent alerts as the alarm", (t) => {
		const { outputs, policy } = setup("responder");
		policy.onAlert(SENDER, alertBytes("motion", Severity.Warning, 1));
		t.is(outputs.playing.siren, "chirp");
		policy.onAlert(SENDER, alertBytes("motion", Severity.Urgent, 1));
		t.is(outputs.playing.siren, "alarm", "the same incident at a higher severity acts again");
	});

	test("a repeat is acknowledged again but does not act again; our own relayed alert is ignored", (t) => {
		const { outputs, commands, policy } = setup("responder");
		policy.onAlert(SENDER, alertBytes("panic", Severity.Urgent, 5));
		policy.silence();
		commands.length = 0;
		t.is(policy.onAlert(SENDER, alertBytes("panic", Severity.Urgent, 5, 1)), "repeat");
		t.deepEqual(outputs.playing, {}, "silenced stays silenced");
		t.deepEqual(commands, [{ peer: SENDER, command: { kind: "acknowledge", incident: 5, origin: SENDER } }]);
		t.is(policy.onAlert(SELF, alertBytes("panic", Severity.Urgent, 9)), "ignored");
	});

	test("cancel from the sender stops the outputs its incident started", (t) => {
		const { outputs, policy } = setup("responder");
		policy.onAlert(SENDER, alertBytes("panic", Severity.Urgent, 5));
		t.is(policy.onAlert(SENDER, alertBytes("cancel", Severity.Urgent, 4)), "ignored", "another incident");
		t.is(outputs.playing.siren, "alarm");
		t.is(policy.onAlert(SENDER, alertBytes("cancel", Severity.Urgent, 5)), "cancelled");
		t.deepEqual(outputs.playing, {});
	});

	test("silence: local outputs stop, the sender is told, and at the sender it ends the incident", (t) => {
		const responder = setup("responder");
		responder.policy.onAlert(SENDER, alertBytes("panic", Severity.Urgent, 5));
		responder.commands.length = 0;
		t.true(responder.policy.silence());
		t.deepEqual(responder.outputs.playing, {});
		t.deepEqual(responder.commands, [{ peer: SENDER, command: { kind: "silence", incident: 5, origin: SENDER } }]);

		const sender = setup("alarm", { minimumSends: 1 });
		sender.policy.raise("panic", Severity.Urgent);
		sender.policy.onCommand(SENDER, { kind: "silence", incident: 100, origin: SELF });
		sender.timers.advance(60_000);
		t.is(sender.sent.length, 1);
		t.is(sender.policy.lastEnd, "silenced");
	});

	test("acknowledge and silence are refused from a sensor, an alarm, a relay, a responder of another group and a stranger: the repeats go on", (t) => {
		const { timers, sent, policy } = setup("alarm", { minimumSends: 1 });
		policy.raise("panic", Severity.Urgent);
		const verdicts: string[] = [];
		for (const peer of [SENSOR, ALARM, RELAY, OTHER_GROUP_RESPONDER, 99]) {
			for (const kind of ["acknowledge", "silence"] as const) verdicts.push(policy.onCommand(peer, { kind, incident: 100, origin: SELF }));
		}
		t.deepEqual(new Set(verdicts), new Set(["refused"]));
		timers.advance(1_000);
		t.is(sent.length, 2, "still repeating");
		t.is(policy.activeIncident, 100);
		t.is(policy.onCommand(SENDER, { kind: "acknowledge", incident: 100, origin: SELF }), "settled");
	});

	test("a responder's siren is silenced by a responder or the incident's origin, never by a sensor", (t) => {
		const responder = setup("responder");
		responder.policy.onAlert(ALARM, alertBytes("panic", Severity.Urgent, 5));
		t.is(responder.outputs.playing.siren, "alarm");
		t.is(responder.policy.onCommand(SENSOR, { kind: "silence", incident: 5, origin: ALARM }), "refused");
		t.is(responder.outputs.playing.siren, "alarm");
		t.is(responder.policy.onCommand(SENSOR, { kind: "acknowledge", incident: 5, origin: ALARM }), "refused");
		t.is(responder.policy.onCommand(ALARM, { kind: "silence", incident: 5, origin: ALARM }), "stopped");
		t.deepEqual(responder.outputs.playing, {});
		responder.policy.onAlert(ALARM, alertBytes("panic", Severity.Urgent, 6));
		t.is(responder.policy.onCommand(SENDER, { kind: "silence", incident: 6, origin: ALARM }), "stopped");
	});

	test("a malformed payload from an authenticated sender is dropped, not thrown", (t) => {
		const { policy } = setup("responder");
		t.is(policy.onAlert(SENDER, Uint8Array.of(1, 2)), "malformed");
		t.is(policy.onAlert(SENDER, Uint8Array.of(9, 0, 0, 0, 0)), "malformed");
	});

	test("repeatLimit 0 sends once, then waits one window for an ack", (t) => {
		const { timers, sent, policy } = setup("sensor", { repeatLimit: 0 });
		policy.raise("motion", Severity.Warning);
		timers.advance(400);
		policy.onCommand(SENDER, { kind: "acknowledge", incident: 100, origin: SELF });
		timers.advance(10_000);
		t.is(sent.length, 1);
		t.is(policy.lastEnd, "acknowledged");
	});
});
