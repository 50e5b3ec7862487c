/**
 * End to end, on the firmware's own path: devices provisioned by the domain authority
 * (tools/provisioning/domain-store.ts, portable), their bundles committed to Storage, each
 * started as main.ts does (loadProvisioning → startDevice → createProvisionedLinks) over a
 * tiny in-memory air. A panic press travels as a sealed alert; the responder sounds and
 * acknowledges over a real KKpsk0 session; a revocation travels as sealed key-epoch
 * deliveries over sessions.
 */
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { type DeviceNode, startDevice } from "picket/device/device-node";
import type { DeviceRole } from "picket/device/device-settings";
import type { BoardPins, HostBindings } from "picket/device/host-bindings";
import { type ProvisionedLinks, createProvisionedLinks, loadProvisioning } from "picket/device/provisioned-links";
import { FrameKind, frameKind } from "picket/link/frame-kind";
import { loadCredentials, storeBundle } from "picket/provisioning/keystore";
import { portableCases } from "picket/test/harness/portable";
import { FakeGpio } from "picket/test/support/fake-gpio";
import { FakeTimers } from "picket/test/support/fake-timers";
import { type AirFrame, InMemoryAir, sameMac } from "picket/test/support/in-memory-air";
import { createSeededRandom } from "picket/test/support/seeded-random";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { Domain } from "picket/tools/provisioning/domain-store";

const PINS: BoardPins = { button: 0, siren: 25, led: 2, vibration: 26 };

interface Device {
	readonly id: number;
	readonly mac: Uint8Array;
	readonly gpio: FakeGpio;
	readonly storage: MemoryStorage;
	readonly node: DeviceNode;
	readonly links: ProvisionedLinks;
}

function kindOf(frame: AirFrame): string {
	return ["alert", "handshake", "session", "mesh"][frameKind(frame.payload[0])];
}

function setup(seed: number, roles: readonly DeviceRole[]) {
	const crypto = createSoftwareSuite(createSeededRandom(seed));
	const domain = Domain.create({ groups: { alarm: 0 }, crypto });
	const ids = roles.map((role) => domain.addDevice({ role, groups: role === "relay" ? [] : ["alarm"] }).id);
	const timers = new FakeTimers();
	const air = new InMemoryAir(timers);
	const start = (id: number, role: DeviceRole, storage: MemoryStorage): Device => {
		const mac = InMemoryAir.mac(id);
		const gpio = new FakeGpio(timers);
		const host: HostBindings = {
			target: "test",
			gpio,
			radio: air.radio(mac),
			timers,
			storage,
			random: createSeededRandom(seed + id),
			crypto,
			pins: PINS,
			role,
			log: { info: () => {}, warn: () => {} },
			// These cases follow one acknowledgement across a session; the extra sends that
			// minimumSends adds after an ack are the alarm policy's own cases.
			settingsOverrides: { minimumSends: 1 },
		};
		// main.ts's path: the keystore verifies the stored bundle, then the node starts.
		const provisioning = loadProvisioning(host);
		let links: ProvisionedLinks | undefined;
		const node = startDevice(host, provisioning.identity, (context) => (links = createProvisionedLinks(context, provisioning)));
		return { id, mac, gpio, storage, node, links: links! };
	};
	const devices = ids.map((id, i) => {
		const storage = new MemoryStorage();
		storeBundle(storage, domain.bundle(id), crypto);
		return start(id, roles[i], storage);
	});
	const press = (device: Device): void => {
		device.gpio.drive(PINS.button!, 0);
		timers.advance(100);
		device.gpio.drive(PINS.button!, 1);
		timers.advance(700); // past the cancel window: a press
	};
	const sentBy = (device: Device, kind?: string) => air.sent.filter((frame) => sameMac(frame.from, device.mac) && (kind === undefined || kindOf(frame) === kind));
	return { crypto, domain, timers, air, devices, press, sentBy };
}

export default portableCases("device/domain", (test) => {
	test("a panic press sounds the responder, whose acknowledgement over a KKpsk0 session stops the repeats", (t) => {
		const { timers, air, devices, press, sentBy } = setup(0xd0, ["alarm", "responder"]);
		const [alarm, responder] = devices;
		press(alarm);
		t.is(responder.node.stats.alertsRead, 1);
		t.is(responder.node.outputs.playing("siren"), "alarm");
		t.is(alarm.node.policy.lastEnd, "acknowledged");
		t.is(alarm.node.policy.activeIncident, undefined);
		t.is(alarm.node.stats.commands, 1);
		// The acknowledgement crossed a real session: message 1 unicast to the MAC the alert came
		// from (heard directly, at the initial TTL), message 2 back to the responder's MAC, one
		// session frame to the alarm's MAC.
		t.deepEqual(sentBy(responder, "handshake").map((f) => f.payload.length), [51]);
		t.true(sameMac(sentBy(responder, "handshake")[0].to, alarm.mac));
		t.deepEqual(sentBy(alarm, "handshake").map((f) => f.payload.length), [45]);
		t.true(sameMac(sentBy(alarm, "handshake")[0].to, responder.mac));
		t.deepEqual(sentBy(responder, "session").map((f) => f.payload.length), [18]);
		t.true(alarm.links.sessions.hasSession(responder.id));
		t.true(responder.links.sessions.hasSession(alarm.id));
		timers.advance(60_000);
		t.is(sentBy(alarm, "alert").length, 1, "acknowledged: no repeat");
		t.is(air.sent.filter((f) => kindOf(f) === "session").length, 1);
	});

	test("a responder that reads the alert only through a relay acknowledges through it: mesh envelopes routed back hop by hop, the relay never reads them", (t) => {
		const { timers, air, devices, press, sentBy } = setup(0xd2, ["alarm", "relay", "responder"]);
		const [alarm, relay, responder] = devices;
		const apart = (a: Uint8Array, b: Uint8Array) => (sameMac(a, alarm.mac) && sameMac(b, responder.mac)) || (sameMac(a, responder.mac) && sameMac(b, alarm.mac));
		air.inRange = (from, to) => !apart(from, to);
		press(alarm);
		t.true(relay.node.stats.relayed >= 1);
		t.true(responder.node.stats.alertsRead >= 1, "read from the relayed copies");
		t.is(responder.node.outputs.playing("siren"), "alarm");
		timers.advance(60_000);
		t.is(alarm.node.policy.lastEnd, "acknowledged");
		t.deepEqual([...sentBy(responder, "handshake"), ...sentBy(responder, "session")], [], "nothing unenveloped towards an origin out of range");
		const enveloped = sentBy(responder, "mesh");
		t.deepEqual(enveloped.map((frame) => frame.payload.length), [51 + 12, 18 + 12], "message 1 and the acknowledgement, 12 bytes of envelope each");
		for (const frame of enveloped) t.true(sameMac(frame.to, relay.mac), "unicast along the route the alert came by");
		t.true(sentBy(relay, "mesh").every((frame) => sameMac(frame.to, alarm.mac) || sameMac(frame.to, responder.mac)));
		t.is(relay.node.stats.commands, 0, "the relay opened nothing");
		t.true(alarm.node.stats.commands >= 1);
	});

	test("after a revocation the remaining device reads new alerts from its delivery; the revoked one reads nothing and is not relayed", (t) => {
		const { crypto, domain, timers, devices, press, sentBy } = setup(0xd1, ["alarm", "responder", "alarm"]);
		const [carrier, responder, revoked] = devices;
		const revocation = domain.revoke(revoked.id);
		// The carrier hands the responder its sealed delivery over their session (old epoch),
		// then applies its own.
		carrier.links.sessions.sendEpochDelivery(responder.id, revocation.deliveries.get(responder.id)!);
		timers.advance(50);
		t.is(responder.links.credentials.epoch, 1);
		t.is(responder.links.alerts.epoch, 1);
		t.is(loadCredentials(responder.storage, crypto).epoch, 1, "the new bundle is committed");
		t.is(responder.links.credentials.roster.member(revoked.id), undefined);
		carrier.links.applyEpochDelivery(revocation.deliveries.get(carrier.id)!);
		t.is(carrier.links.alerts.epoch, 1);
		t.throws(() => revoked.links.applyEpochDelivery(revocation.deliveries.get(responder.id)!), { code: "bad-tag" });

		press(carrier);
		t.is(responder.node.stats.alertsRead, 1);
		t.is(revoked.node.stats.alertsRead, 0);
		t.true((revoked.node.stats.dropped["wrong-epoch"] ?? 0) >= 1, "the alert and its relayed copy");
		t.is(carrier.node.policy.lastEnd, "acknowledged", "the session survived the epoch change");

		const relayedBefore = carrier.node.stats.relayed + responder.node.stats.relayed;
		press(revoked);
		timers.advance(30_000);
		t.true(sentBy(revoked, "alert").length > 1, "nobody acknowledges the revoked device");
		t.is(carrier.node.stats.alertsRead, 0);
		t.is(responder.node.stats.alertsRead, 1);
		t.true((responder.node.stats.dropped["wrong-epoch"] ?? 0) >= 1);
		t.is(carrier.node.stats.relayed + responder.node.stats.relayed, relayedBefore, "its frames are not relayed");
	});
});
