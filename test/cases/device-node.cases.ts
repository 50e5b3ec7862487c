import { decodeAlertPayload, encodeAlertPayload, Severity } from "picket/device/alert-payload";
import type { AlarmCommand, AlertLink, AlertOutcome, SessionOutcome, SessionPort } from "picket/device/alert-link";
import { FrameKind, frameByte0 } from "picket/link/frame-kind";
import { DEFAULT_INITIAL_TTL } from "picket/link/secure-link";
import { decodeSessionCommand } from "picket/link/session-command";
import { COMMAND_QUEUE_LIMIT, type DeviceIdentity, FRAMES_PER_TURN, startDevice } from "picket/device/device-node";
import type { DeviceRole } from "picket/device/device-settings";
import type { BoardPins, HostBindings } from "picket/device/host-bindings";
import { portableCases } from "picket/test/harness/portable";
import { FakeGpio } from "picket/test/support/fake-gpio";
import { FakeRadio } from "picket/test/support/fake-radio";
import { FakeTimers } from "picket/test/support/fake-timers";

const PINS: BoardPins = { motion: 4, button: 0, siren: 25, led: 2, vibration: 26 };
const RELAY_DELAY_MS = 20;

const ALERT = frameByte0(FrameKind.Alert, 3); // relayed once: the default initial TTL is 4
const DIRECT_ALERT = frameByte0(FrameKind.Alert, DEFAULT_INITIAL_TTL);
const SESSION = frameByte0(FrameKind.Session, 0);

/**
 * A stand-in for the link layer with readable framing. Alert frames: byte 0 Picket's
 * alert byte, byte 1 what it is (1 readable here, 2 relay-only, other: rejected), byte 2
 * the source, then the payload. Session frames: byte 0 session, byte 1 the peer, then the
 * command. It exists to test the node's wiring, not the link.
 */
class FakeLink implements AlertLink {
	readonly sealed: { group: number; payload: Uint8Array }[] = [];
	readonly commands: { peer: number; command: AlarmCommand }[] = [];
	readonly heard: { peer: number; mac: Uint8Array }[] = [];
	/** Per command sent: was the peer's MAC already told? */
	readonly heardBeforeSend: boolean[] = [];
	constructor(readonly self: number) {}
	sendAlert(group: number, payload: Uint8Array): Uint8Array {
		this.sealed.push({ group, payload });
		return Uint8Array.of(ALERT, 1, this.self, ...payload);
	}
	readonly sessions: SessionPort = {
		receive: (frame): SessionOutcome => {
			const command = decodeSessionCommand(frame.subarray(2));
			return command.kind === "epoch-delivery" || command.kind === "delivery-ack" ? { kind: "handled" } : { kind: "command", peer: frame[1], command };
		},
		heardDirectly: (peer, mac) => this.heard.push({ peer, mac }),
	};
	receive(frame: Uint8Array): AlertOutcome {
		const relay = { frame: Uint8Array.from(frame), delayMs: RELAY_DELAY_MS };
		switch (frame[1]) {
			case 1:
				return { kind: "alert", source: frame[2], group: 0, payload: frame.subarray(3), relay };
			case 2:
				return { kind: "relay-only", source: frame[2], group: 5, relay };
			default:
				return { kind: "rejected", reason: "bad-tag", relay: undefined };
		}
	}
}

function setup(role: DeviceRole, options: { hostRole?: DeviceRole; manifestSettings?: unknown; settingsOverrides?: unknown } = {}) {
	const timers = new FakeTimers();
	const gpio = new FakeGpio(timers);
	const radio = new FakeRadio();
	const warnings: string[] = [];
	const host: HostBindings = {
		target: "test",
		gpio,
		radio: radio.factory,
		timers,
		storage: { read: () => undefined, write: () => {}, delete: () => {}, keys: () => [], inspect: () => ({ state: "absent" }) },
		random: (length) => new Uint8Array(length),
		crypto: undefined as never, // the fake link needs no crypto
		pins: PINS,
		role: options.hostRole ?? role,
		manifestSettings: options.manifestSettings,
		settingsOverrides: options.settingsOverrides,
		log: { info: () => {}, warn: (message) => warnings.push(message) },
	};
	const identity: DeviceIdentity = { memberId: 7, role };
	const link = new FakeLink(7);
	const node = startDevice(host, identity, () => ({
		alerts: link,
		sessions: link.sessions,
		// Every peer of the fake link is a responder of every group: the policy's role checks have their own cases.
		members: { member: (id) => ({ id, staticPublicKey: new Uint8Array(32), role: "responder", groups: 0xffffffff }) },
		commands: {
			send: (peer, command) => {
				link.heardBeforeSend.push(link.heard.some((entry) => entry.peer === peer));
				link.commands.push({ peer, command });
			},
		},
	}));
	return { timers, gpio, radio, link, node, warnings };
}

export default portableCases("device/node", (test) => {
	test("a motion sensor's PIR edge becomes a sealed motion alert on the radio", (t) => {
		const { timers, gpio, radio, link } = setup("sensor");
		gpio.drive(PINS.motion!, 1);
		timers.advance(200);
		t.is(link.sealed.length, 1);
		t.deepEqual(decodeAlertPayload(link.sealed[0].payload), { event: "motion", severity: Severity.Warning, incident: 0, repeat: 0 });
		t.is(radio.written.length, 1);
		t.deepEqual(radio.written[0].to, Uint8Array.of(255, 255, 255, 255, 255, 255));
	});

	test("a personal alarm: press alerts, long press escalates to critical, cancel withdraws", (t) => {
		const { timers, gpio, link } = setup("alarm");
		gpio.drive(PINS.button!, 0);
		timers.advance(2_000);
		gpio.drive(PINS.button!, 1);
		timers.advance(100);
		const events = link.sealed.map((entry) => decodeAlertPayload(entry.payload));
		t.deepEqual([events[0].event, events[0].severity], ["panic", Severity.Urgent]);
		const escalation = events.find((alert) => alert.severity === Severity.Critical);
		t.is(escalation?.incident, events[0].incident, "the long press raises the same incident");
		gpio.drive(PINS.button!, 0);
		timers.advance(100);
		gpio.drive(PINS.button!, 1);
		timers.advance(100);
		gpio.drive(PINS.button!, 0);
		timers.advance(100);
		const last = decodeAlertPayload(link.sealed[link.sealed.length - 1].payload);
		t.deepEqual([last.event, last.incident], ["cancel", events[0].incident], "a press joins the running incident; the quick second press cancels it");
	});

	test("a responder receiving an alert sounds, lights, acks over the session and relays after the jitter", (t) => {
		const { timers, gpio, radio, link, node } = setup("responder");
		radio.deliver(Uint8Array.of(ALERT, 1, 3, ...encodeAlertPayload({ event: "panic", severity: Severity.Critical, incident: 9, repeat: 0 })));
		timers.advance(0);
		t.is(gpio.level(PINS.siren!), 1);
		t.is(gpio.level(PINS.led!), 1);
		t.deepEqual(link.commands[0].command, { kind: "acknowledge", incident: 9, origin: 3 });
		t.is(link.commands[0].peer, 3);
		t.is(radio.written.length, 0);
		timers.advance(RELAY_DELAY_MS);
		t.is(radio.written.length, 1);
		t.is(node.stats.relayed, 1);
	});

	test("only an alert read at the initial TTL tells the session layer its origin's MAC, before the acknowledgement", (t) => {
		const { timers, radio, link } = setup("responder");
		const panic = (incident: number) => encodeAlertPayload({ event: "panic", severity: Severity.Urgent, incident, repeat: 0 });
		radio.deliver(Uint8Array.of(ALERT, 1, 3, ...panic(1))); // relayed: the transmitter is a relay, not member 3
		radio.deliver(Uint8Array.of(DIRECT_ALERT, 2, 5, ...panic(2))); // relay-only: the network tag proves no origin
		timers.advance(0);
		t.deepEqual(link.heard, []);
		t.is(link.commands.length, 1, "the relayed alert is still acknowledged: the session layer decides it cannot be sent");
		radio.deliver(Uint8Array.of(DIRECT_ALERT, 1, 4, ...panic(3)));
		timers.advance(0);
		t.deepEqual(link.heard, [{ peer: 4, mac: Uint8Array.of(2, 0, 0, 0, 0, 9) }]);
		t.deepEqual(link.heardBeforeSend, [false, true], "told before the policy acknowledges");
	});

	test("a responder's button silences what sounds", (t) => {
		const { timers, gpio, radio, node } = setup("responder");
		radio.deliver(Uint8Array.of(ALERT, 1, 3, ...encodeAlertPayload({ event: "panic", severity: Severity.Urgent, incident: 9, repeat: 0 })));
		timers.advance(0);
		gpio.drive(PINS.button!, 0);
		timers.advance(50);
		t.is(gpio.level(PINS.siren!), 0);
		t.is(node.outputs.playing("siren"), undefined);
	});

	test("relay-only frames are forwarded without acting; dropped frames are counted", (t) => {
		const { timers, gpio, radio, node } = setup("relay");
		radio.deliver(Uint8Array.of(ALERT, 2, 3, 1, 2, 3));
		radio.deliver(Uint8Array.of(ALERT, 9, 3, 1));
		radio.deliver(Uint8Array.of(0xc0, 1));
		timers.advance(RELAY_DELAY_MS);
		t.is(radio.written.length, 1);
		t.is(gpio.level(PINS.siren!), 0);
		t.deepEqual(node.stats.dropped, { "bad-tag": 1, "unknown-version": 1 });
	});

	test("an ack arriving as a command ends the sender's repeats", (t) => {
		const { timers, gpio, radio, link } = setup("alarm", { settingsOverrides: { minimumSends: 1 } });
		gpio.drive(PINS.button!, 0);
		timers.advance(100);
		gpio.drive(PINS.button!, 1);
		radio.deliver(Uint8Array.of(SESSION, 4, 1, 0, 0, 0, 7)); // ack incident 0, origin 7 (us), from peer 4
		timers.advance(120_000);
		t.is(link.sealed.length, 1);
	});

	test("the radio's callback only schedules a turn; a turn reads at most FRAMES_PER_TURN frames and stops after a session frame", (t) => {
		const { timers, radio, node } = setup("relay");
		for (let i = 0; i < FRAMES_PER_TURN + 2; i++) radio.deliver(Uint8Array.of(ALERT, 2, 3, i));
		t.is(node.stats.framesReceived, 0, "nothing is read inside onReadable");
		t.true(timers.step());
		t.is(node.stats.framesReceived, FRAMES_PER_TURN);
		t.true(timers.step());
		t.is(node.stats.framesReceived, FRAMES_PER_TURN + 2);
		radio.deliver(Uint8Array.of(SESSION, 4, 1, 0, 0, 0, 9));
		radio.deliver(Uint8Array.of(ALERT, 2, 3, 99));
		t.true(timers.step());
		t.is(node.stats.framesReceived, FRAMES_PER_TURN + 3, "a handshake or session frame (X25519 work, perhaps) ends its turn");
		t.true(timers.step());
		t.is(node.stats.framesReceived, FRAMES_PER_TURN + 4);
		t.false(timers.step(), "no turn left once the radio is drained");
	});

	test("commands for peers go to the sessions one per turn, never from the callback that raised them; the queue is bounded", (t) => {
		const { timers, radio, link, warnings } = setup("responder");
		const panic = (source: number) => Uint8Array.of(ALERT, 1, source, ...encodeAlertPayload({ event: "panic", severity: Severity.Urgent, incident: source, repeat: 0 }));
		radio.deliver(panic(3));
		radio.deliver(panic(4));
		t.true(timers.step());
		t.is(link.commands.length, 1, "two alerts read, one acknowledgement handed over in this turn");
		t.true(timers.step());
		t.deepEqual(link.commands.map((entry) => entry.peer), [3, 4]);
		// Alerts arrive faster (FRAMES_PER_TURN a turn) than commands leave (one a turn): the queue fills.
		const burst = 3 * COMMAND_QUEUE_LIMIT;
		for (let source = 10; source < 10 + burst; source++) radio.deliver(panic(source));
		timers.advance(0);
		const dropped = warnings.filter((warning) => warning.includes("command-queue-full")).length;
		t.true(dropped > 0);
		t.is(link.commands.length - 2 + dropped, burst, "every acknowledgement was either handed over or dropped with a warning");
		t.deepEqual(link.commands.slice(-COMMAND_QUEUE_LIMIT).map((entry) => entry.peer), Array.from({ length: COMMAND_QUEUE_LIMIT }, (_, i) => 10 + burst - COMMAND_QUEUE_LIMIT + i), "the newest are kept");
	});

	test("a board built for another role refuses the roster's identity", (t) => {
		t.throws(() => setup("alarm", { hostRole: "responder" }), { code: "role-mismatch" });
	});

	test("a bad Preference override is ignored with a warning; a bad manifest setting throws", (t) => {
		const { node, warnings } = setup("sensor", { manifestSettings: { holdOffMs: 1_000 }, settingsOverrides: { holdOffMs: -5 } });
		t.is(node.settings.holdOffMs, 1_000);
		t.is(warnings.length, 1);
		t.throws(() => setup("sensor", { manifestSettings: { holdOfMs: 1_000 } }), { code: "unknown-setting" });
	});

	test("close releases pins, timers and the radio", (t) => {
		const { timers, gpio, radio, node } = setup("alarm");
		gpio.drive(PINS.button!, 0);
		timers.advance(100);
		node.close();
		t.true(radio.closed);
		t.false(gpio.isOpen(PINS.button!));
		t.is(timers.pending, 0);
	});
});
