/**
 * Updates through the firmware's own path (main.ts → device-node → RolloutAgent, issue 15):
 * devices of a simulated domain boot main(host) with a firmware slot and a pinned update key,
 * hear a rollout over the radio (through a relay, two hops from the seeder), install it,
 * reboot into the new image on trial and confirm it after a healthy boot; a device without a
 * slot drops the update frames and keeps running.
 */
import test from "ava";
import { DomainSimulation } from "picket/hosts/sim/domain-simulation";
import { boardSlots, MemoryFirmwareSlot } from "picket/hosts/sim/firmware-slot-memory";
import { PackageSource } from "picket/hosts/sim/rollout-simulation";
import type { Scenario } from "picket/hosts/sim/scenario";
import { BROADCAST_MAC } from "picket/device/radio";
import { RolloutAgent } from "picket/update/rollout-agent";
import { pinUpdateAnchor } from "picket/update/update-anchor";
import { encodeUpdateFrame, UpdateFrameType, updateFrameKey } from "picket/update/update-frame";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { RESTART_CHECK_MS, restartWhenSafe, SERVER_QUIET_MS } from "picket/update/device-updates";
import type { UpdateInstaller } from "picket/update/update-installer";
import { FakeTimers } from "picket/test/support/fake-timers";
import { anchor, rollout, signedImage } from "picket/test/support/update-fixture";

const factory = signedImage({ major: 1, minor: 0, revision: 0, build: 0 }, 1, 24_000);
const newer = signedImage({ major: 1, minor: 1, revision: 0, build: 0 }, 2, 24_000);
const pkg = rollout(newer, 31);

/** Seeder at x 0; the relay hears it; the sensors (100 m range) hear only the relay; "plain" has no slot. */
const scenario: Scenario = {
	name: "rollout through the device node",
	durationMs: 120_000,
	groups: ["site"],
	devices: [
		{ name: "relay", role: "relay", groups: [], x: 70, y: 0 },
		{ name: "sensor-a", role: "sensor", groups: ["site"], x: 140, y: 0 },
		{ name: "sensor-b", role: "sensor", groups: ["site"], x: 140, y: 20 },
		{ name: "plain", role: "responder", groups: ["site"], x: 40, y: 10 },
	],
	events: [],
};

function runRollout(domain: Scenario = scenario, seederStartMs = 1_000, beforeSeeder?: (simulation: DomainSimulation) => void): { simulation: DomainSimulation; slots: Map<string, MemoryFirmwareSlot>; seeder: RolloutAgent } {
	const { slots, firmware } = boardSlots({ factory, slotBytes: 0x200000, firstBoot: (device, storage) => device !== "plain" && pinUpdateAnchor(storage, anchor), slotless: (device) => device === "plain" });
	const simulation = new DomainSimulation(domain, { seed: 5, timeline: false, firmware });
	const crypto = createNodeCryptoSuite();
	// The seeder: a board holding the image (the gateway's role in issue 15), on the same air.
	const station = simulation.medium.addStation(Uint8Array.of(2, 0, 0, 0, 0, 99), { x: 0, y: 0 }, { label: "seeder" });
	const timers = simulation.clock.timersFor("seeder");
	let seeder!: RolloutAgent;
	const radio = simulation.medium.openRadio(station, {
		onReadable: () => {
			for (let frame = radio.read(); frame !== undefined; frame = radio.read()) seeder?.receive(frame.payload);
		},
	});
	simulation.clock.scheduleAt(() => {
		beforeSeeder?.(simulation);
		// The key epoch in force now (the relay's credentials follow its key-epoch deliveries).
		const networkKey = simulation.deviceByName("relay").running!.links.credentials.networkKey;
		seeder = new RolloutAgent({
			crypto,
			timers,
			random: (length) => crypto.randomBytes(length),
			frameKey: updateFrameKey(crypto, networkKey),
			self: 0x7f00,
			broadcast: (frame) => radio.write(BROADCAST_MAC, frame),
			seed: { offer: pkg.offerBytes, source: new PackageSource(pkg) },
		});
	}, seederStartMs);
	simulation.run();
	seeder.close();
	return { simulation, slots, seeder };
}

test("devices running main() take a rollout over the radio through a relay, restart themselves into it (HostBindings.restart), boot on trial and confirm after a healthy boot", (t) => {
	const { simulation, slots, seeder } = runRollout();
	t.true(seeder.counts.chunksSent > 0);
	for (const name of ["relay", "sensor-a", "sensor-b"]) {
		const slot = slots.get(name)!;
		// The running partition holds the new image, then erased flash.
		t.deepEqual(slot.runningImage.subarray(0, newer.length), newer, `${name} runs the new image`);
		t.false(slot.bootState().trial, `${name} confirmed it (no fallback at the next reset)`);
		const running = simulation.deviceByName(name).running!;
		t.is(running.updates!.installer.floor, 2, `${name}: the floor rose to the new SEC_CNT`);
		t.is(running.updates!.installer.state, "idle", `${name}: nothing left in progress`);
	}
});

test("a responder carries a rollout on (servesUpdates, on by default for relays, gateways and responders); a battery sensor in the same place does not", (t) => {
	// The board between the seeder and the sensors: a responder (serves), then a sensor (does not).
	const between = (role: "responder" | "sensor"): Scenario => ({ ...scenario, name: `rollout through a ${role}`, devices: scenario.devices.map((device) => (device.name === "relay" ? { ...device, role, groups: ["site"] } : device)) });
	const throughResponder = runRollout(between("responder"));
	for (const name of ["relay", "sensor-a", "sensor-b"]) t.deepEqual(throughResponder.slots.get(name)!.runningImage.subarray(0, newer.length), newer, `through a responder: ${name} runs the new image`);
	const throughSensor = runRollout(between("sensor"));
	t.deepEqual(throughSensor.slots.get("relay")!.runningImage.subarray(0, newer.length), newer, "the sensor in range of the seeder takes the image for itself");
	for (const name of ["sensor-a", "sensor-b"]) {
		t.deepEqual(throughSensor.slots.get(name)!.runningImage.subarray(0, factory.length), factory, `through a sensor: ${name} still runs the factory image`);
		t.is(throughSensor.simulation.deviceByName(name).running!.updates!.installer.state, "idle", `${name} never heard an offer`);
	}
});

test("a device without a firmware slot drops update frames (counted) and starts no rollout agent", (t) => {
	const { simulation } = runRollout();
	const plain = simulation.deviceByName("plain").running!;
	t.is(plain.updates, undefined);
	t.true((plain.node.stats.dropped["update-unsupported"] ?? 0) > 0, JSON.stringify(plain.node.stats.dropped));
});

test("after an install the board restarts itself at a safe moment: not while its own alert repeats or a report waits; a relay only once nobody asked it for chunks for 15 s", (t) => {
	const timers = new FakeTimers();
	const installer = { state: "marked" };
	const agent = { pending: 0, reportsQueued: 1, lastAskedAt: 0 };
	let alerting = true;
	let restarts = 0;
	const watch = { installer: installer as unknown as UpdateInstaller, agent: agent as unknown as RolloutAgent, timers, serves: false, restart: () => restarts++, busy: () => alerting, installedAt: 0 };
	restartWhenSafe(watch);
	timers.advance(5_000);
	t.is(restarts, 0, "its own alert still repeats");
	alerting = false;
	timers.advance(5_000);
	t.is(restarts, 0, "its progress report has not gone out");
	agent.reportsQueued = 0;
	timers.advance(RESTART_CHECK_MS);
	t.is(restarts, 1);
	// A relay asked for chunks 4 s after the install waits SERVER_QUIET_MS from then.
	const relayTimers = new FakeTimers();
	const relayAgent = { pending: 0, reportsQueued: 0, lastAskedAt: 0 };
	let relayRestarts = 0;
	restartWhenSafe({ ...watch, timers: relayTimers, agent: relayAgent as unknown as RolloutAgent, serves: true, busy: () => false, restart: () => relayRestarts++ });
	relayTimers.advance(4_000);
	relayAgent.lastAskedAt = relayTimers.now();
	relayTimers.advance(SERVER_QUIET_MS - RESTART_CHECK_MS);
	t.is(relayRestarts, 0, "asked just under SERVER_QUIET_MS ago");
	relayTimers.advance(2 * RESTART_CHECK_MS);
	t.is(relayRestarts, 1);
});

test("after a key-epoch change (a revocation) the boards take a rollout under the new epoch's key without rebooting first", (t) => {
	const revoking: Scenario = {
		...scenario,
		name: "rollout after a revocation",
		devices: [...scenario.devices, { name: "lost", role: "sensor", groups: ["site"], x: 100, y: 30 }],
		events: [{ at: 2_000, type: "revoke", device: "lost", carriers: ["plain"] }],
	};
	const boards = ["relay", "sensor-a", "sensor-b"];
	const before = new Map<string, unknown>();
	const { simulation, slots } = runRollout(revoking, 40_000, (domain) => {
		for (const name of boards) {
			const running = domain.deviceByName(name).running!;
			t.is(running.links.credentials.epoch, 1, `${name} is in the new epoch before the rollout`);
			before.set(name, running);
		}
	});
	for (const name of boards) {
		t.deepEqual(slots.get(name)!.runningImage.subarray(0, newer.length), newer, `${name} installed the rollout sent under the new epoch's key`);
		// The firmware that took the rollout is the one that installed the epoch: its first reset was into the new image.
		t.false(slots.get(name)!.bootState().trial);
		t.is(slots.get(name)!.counts.resets, 1, `${name} reset once, into the new image`);
	}
	t.is(before.size, boards.length);
	t.is(simulation.deviceByName("relay").running!.links.credentials.epoch, 1);
});

test("an insider replaying the current offer with hop count 0 under an id that never answers stalls the boards around it only for a while: they leave the silent server and finish the rollout", (t) => {
	const lossy: Scenario = { ...scenario, name: "rollout with an insider's hop-0 replays", medium: { rangeM: 100, lossProbability: 0.1 } };
	let replays = 0;
	const { simulation, slots } = runRollout(lossy, 1_000, (domain) => {
		// A holder of the network key next to the sensors: it replays the genuine offer, hop count 0, every 300 ms.
		const crypto = createNodeCryptoSuite();
		const key = updateFrameKey(crypto, domain.deviceByName("relay").running!.links.credentials.networkKey);
		const station = domain.medium.addStation(Uint8Array.of(2, 0xba, 0xd0, 0, 0, 7), { x: 160, y: 10 }, { label: "insider" });
		const radio = domain.medium.openRadio(station, { onReadable: () => void radio.read() });
		const frame = encodeUpdateFrame(crypto, key, { type: UpdateFrameType.Offer, hops: 0, sender: 0x7abc, offer: pkg.offerBytes });
		const replay = (): void => {
			radio.write(BROADCAST_MAC, frame);
			replays++;
			if (domain.clock.now() < 110_000) domain.clock.schedule(replay, 300);
		};
		replay();
	});
	t.true(replays > 300);
	for (const name of ["sensor-a", "sensor-b"]) {
		t.deepEqual(slots.get(name)!.runningImage.subarray(0, newer.length), newer, `${name} finished the rollout despite the replays`);
		t.false(slots.get(name)!.bootState().trial);
	}
	t.true(simulation.deviceByName("sensor-a").running !== undefined);
});
