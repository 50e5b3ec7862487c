/**
 * Scenario tests of the host simulator (DESIGN.md, issue 6 item 7): the firmware's own
 * device node and secure link, run over the simulated medium.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CARRIER_INSTALL_DELAY_MS, DomainSimulation, runScenario } from "picket/hosts/sim/domain-simulation";
import { loadCredentials } from "picket/provisioning/keystore";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { chainRevocationScenario, chainScenario } from "picket/hosts/sim/generated-scenario";
import { type Scenario, validateScenario } from "picket/hosts/sim/scenario";

const defaultScenario = validateScenario(JSON.parse(readFileSync(fileURLToPath(new URL("../../hosts/sim/scenarios/default.json", import.meta.url)), "utf8")));

test("3 hops at 30% loss: every authorised, reachable device decrypts the alert, over 200 seeds", (t) => {
	const scenario = chainScenario(3, 0.3);
	const failures: string[] = [];
	let attempts = 0;
	for (let seed = 1; seed <= 200; seed++) {
		const summary = runScenario(scenario, seed);
		const alert = summary.alerts[0];
		attempts += alert.sends;
		// The far cluster is 3 hops away: the check would be vacuous if it were not counted reachable.
		if (!alert.authorisedReachable.includes("responder-3")) failures.push(`seed ${seed}: responder-3 not reachable?`);
		if (alert.missed.length > 0) failures.push(`seed ${seed}: missed ${alert.missed.join(", ")}`);
		if (alert.unauthorisedReaders.length > 0) failures.push(`seed ${seed}: read by ${alert.unauthorisedReaders.join(", ")}`);
	}
	t.deepEqual(failures, []);
	t.log(`mean sends per incident (first send + repeats): ${(attempts / 200).toFixed(2)}`);
});

test("no device outside the alert's group decrypts it, and relays forward without reading", (t) => {
	const summary = runScenario(defaultScenario, 1);
	for (const alert of summary.alerts) {
		t.deepEqual(alert.unauthorisedReaders, [], alert.id);
		const readers = new Set(alert.decrypted);
		for (const device of defaultScenario.devices) {
			if (!device.groups.includes(alert.group)) t.false(readers.has(device.name), `${device.name} read ${alert.id}`);
		}
	}
	const motion = summary.alerts.find((alert) => alert.kind === "motion");
	t.truthy(motion);
	t.true(motion?.relayedWithoutReading.includes("bridge"));
	t.false(motion?.decrypted.some((name) => name.startsWith("alarm-")));
	// The east wing is reachable only through the bridge, which cannot read: the alert still got there.
	t.true(motion?.decrypted.includes("resp-gate"));
});

test("no attacker frame is accepted as a forgery, whatever the seed", (t) => {
	const withEveryAttack: Scenario = {
		...defaultScenario,
		events: [
			...defaultScenario.events,
			{ at: 12_000, type: "attack", attack: "forge", as: "alarm-bob", group: "panic" },
			{ at: 12_500, type: "attack", attack: "forge", as: "bridge", group: "intrusion" },
			{ at: 13_000, type: "attack", attack: "tamper" },
		],
	};
	let rejections = 0;
	for (let seed = 1; seed <= 20; seed++) {
		const summary = runScenario(withEveryAttack, seed);
		t.is(summary.attacks.length, 10);
		for (const attack of summary.attacks) {
			t.deepEqual(attack.acceptedForgery, [], `seed ${seed} attack #${attack.id}`);
			rejections += attack.rejections.length;
		}
	}
	t.true(rejections > 100, `only ${rejections} rejections: the attacker is not heard`);
});

test("the attacker's frames are rejected for the expected reasons, before and after the revocation", (t) => {
	const summary = runScenario(defaultScenario, 1);
	const revokedAt = summary.revocations[0].time;
	// Known gap (README, known limits): a key-epoch delivery lost on the air leaves its member in the old epoch, where old frames are duplicates.
	const oldEpoch = new Set(summary.deviceReports.filter((device) => device.epoch !== summary.revocations[0].epoch && device.name !== "alarm-dana").map((device) => device.name));
	t.true(oldEpoch.size <= 1, `left in the old epoch: ${[...oldEpoch].join(", ")}`);
	const reasons = (kind: string, after: boolean): Set<string> =>
		new Set(
			summary.attacks
				.filter((attack) => attack.kind === kind && attack.time > revokedAt === after)
				.flatMap((attack) => attack.rejections.filter((rejection) => !after || !oldEpoch.has(rejection.device)).map((rejection) => rejection.reason)),
		);
	t.deepEqual(reasons("replay", false), new Set(["duplicate"]));
	t.deepEqual(reasons("epoch-replay", false), new Set(["wrong-epoch"]), "re-labelled as a future epoch");
	t.true(reasons("tamper", false).has("bad-tag"));
	// Without the domain's privacy key, the header a forger writes unmasks at a receiver to a random one (issue 12 item 9):
	// a source not in the roster, one not in that group, or at best a member whose tag fails.
	const randomHeader = ["unknown-sender", "not-authorised", "bad-tag"];
	// "forge" also counts the random-bytes frames, whose key id names no epoch held.
	const forged = reasons("forge", false);
	t.true(forged.size > 0 && [...forged].every((reason) => [...randomHeader, "wrong-epoch"].includes(reason)), [...forged].join(", "));
	// Cross-epoch replays: the old epoch's frame as it was, and re-labelled as the new epoch (unmasked with the new epoch's privacy key: another header).
	t.deepEqual(reasons("replay", true), new Set(["wrong-epoch"]));
	const relabelled = reasons("epoch-replay", true);
	t.true(relabelled.size > 0 && [...relabelled].every((reason) => randomHeader.includes(reason)), [...relabelled].join(", "));
	for (const attack of summary.attacks) t.deepEqual([...attack.acceptedForgery, ...attack.acceptedLateCopy], [], `#${attack.id}`);
});

test("acknowledgements travel over KKpsk0 sessions across the mesh: every one is delivered, none dropped as not-neighbour", (t) => {
	for (let seed = 1; seed <= 5; seed++) {
		const summary = runScenario(defaultScenario, seed);
		const motion = summary.alerts[0];
		t.is(motion.origin, "pir-hall");
		t.is(motion.endedBy?.kind, "acknowledge", `seed ${seed}`);
		t.true(motion.sends < 5, `seed ${seed}: ${motion.sends} sends; the sensor's limit is 1 + 4`);
		// resp-gate is 3+ hops from pir-hall: its acknowledgement crosses the bridge in envelopes.
		const far = motion.commands.find((command) => command.from === "resp-gate");
		t.not(far?.deliveredMs, undefined, `seed ${seed}`);
		for (const alert of summary.alerts) {
			for (const command of alert.commands) t.is(command.dropped, undefined, `seed ${seed}: ${alert.id} ${command.from} ${command.dropped}`);
		}
		t.true((summary.frames.mesh?.frames ?? 0) > 0);
	}
});

test("an acknowledgement from a responder four hops away ends the origin's repeats after minimumSends", (t) => {
	// The chain with only the last cluster's responder: nobody nearer can acknowledge.
	const chain = chainScenario(4, 0.05);
	const scenario: Scenario = { ...chain, durationMs: 20_000, devices: chain.devices.filter((device) => device.role !== "responder" || device.name === "responder-4") };
	for (let seed = 1; seed <= 5; seed++) {
		const summary = runScenario(scenario, seed);
		const alert = summary.alerts[0];
		t.is(alert.latency.find((entry) => entry.device === "responder-4")?.hops, 4, `seed ${seed}: responder-4 is four hops away`);
		t.is(alert.endedBy?.device, "responder-4", `seed ${seed}`);
		t.is(alert.endedBy?.kind, "acknowledge");
		t.is(alert.sends, 3, `seed ${seed}: the incident ends at minimumSends (3), not at the repeat limit`);
	}
});

test("revocation: every remaining member installs the new key epoch from a session delivery; the revoked device's alert is neither relayed nor read", (t) => {
	const westMissed: number[] = [];
	const lostOnAir: string[] = [];
	for (let seed = 1; seed <= 10; seed++) {
		const simulation = new DomainSimulation(defaultScenario, { seed, timeline: false });
		const summary = simulation.run();
		const [revocation] = summary.revocations;
		t.is(revocation.revoked, "alarm-dana");
		t.deepEqual(revocation.unreached, []);
		t.deepEqual(revocation.refused, []);
		t.is(revocation.deliveries.length, defaultScenario.devices.length - 1);
		// Deliveries are acknowledged end to end and sent again until they are: none is lost.
		const lost = revocation.deliveries.filter((delivery) => delivery.installedMs === undefined && delivery.via !== delivery.device);
		if (lost.length > 0) lostOnAir.push(`seed ${seed}: ${lost.map((delivery) => delivery.device).join(", ")}`);
		for (const delivery of revocation.deliveries) {
			t.not(delivery.installedMs, undefined, `seed ${seed}: ${delivery.device}`);
			if (delivery.via !== delivery.device) t.true((delivery.installedMs ?? Infinity) < CARRIER_INSTALL_DELAY_MS, `seed ${seed}: ${delivery.device} before its carrier moved on`);
		}
		for (const device of summary.deviceReports) t.is(device.epoch, device.name === "alarm-dana" ? 0 : revocation.epoch, `seed ${seed}: ${device.name}`);
		// The new bundle is committed in each remaining device's own storage; the revoked one keeps the old.
		const crypto = createSoftwareSuite((length) => new Uint8Array(length)) // loading draws no randomness;
		t.is(loadCredentials(simulation.deviceByName("bridge").storage, crypto).epoch, revocation.epoch);
		t.is(loadCredentials(simulation.deviceByName("alarm-dana").storage, crypto).epoch, 0);

		const revoked = summary.alerts.find((alert) => alert.origin === "alarm-dana" && alert.triggeredAt > revocation.time);
		t.truthy(revoked, `seed ${seed}`);
		t.deepEqual(revoked?.received, [], `seed ${seed}: nobody authenticates it`);
		t.deepEqual(revoked?.decrypted, []);
		t.deepEqual([...(revoked?.relayedWithoutReading ?? []), ...(revoked?.relayedAfterReading ?? [])], []);
		t.is(revoked?.endedBy, undefined, "nobody acknowledges the revoked device");
		// An alert of the new epoch is read under the new keys, and the revoked device cannot even authenticate it.
		const after = summary.alerts.find((alert) => alert.origin === "pir-store");
		t.true(after?.decrypted.includes("resp-east"), `seed ${seed}`);
		t.deepEqual(after?.unauthorisedReaders, [], `seed ${seed}`);
		t.false(after?.received.includes("alarm-dana"), `seed ${seed}`);
		// The first acknowledgement ends the repeats: when the single send is lost at the bridge
		// (the only path west), the west wing misses it. Counted, not hidden.
		if ((after?.missed.length ?? 0) > 0) westMissed.push(seed);
	}
	t.log(`seeds where the new-epoch alert, acknowledged at once in the east wing, never crossed the bridge: ${westMissed.join(", ") || "none"}`);
	t.deepEqual(lostOnAir, []);
});

/**
 * Issue 13's sweep, at fewer seeds than its 200 (about 1.5 s a seed with the portable
 * crypto): `npm run bench -- sim` runs the 200 and prints the counts.
 */
test("3 hops at 30% loss with a revocation: every remaining member installs the new epoch, every authorised device in the new epoch gets every alert and every origin learns of an acknowledgement; the revoked device blocks nothing and reads nothing new", (t) => {
	const scenario = chainRevocationScenario(3, 0.3);
	const failures: string[] = [];
	let laggardReaders = 0;
	for (let seed = 1; seed <= 12; seed++) {
		const summary = runScenario(scenario, seed);
		const [revocation] = summary.revocations;
		const behind = revocation.deliveries.filter((delivery) => delivery.installedMs === undefined).map((delivery) => delivery.device);
		if (behind.length > 0) failures.push(`seed ${seed}: still in the old epoch: ${behind.join(", ")}`);
		for (const device of summary.deviceReports) if (device.epoch !== (device.name === "alarm-1" ? 0 : revocation.epoch)) failures.push(`seed ${seed}: ${device.name} at epoch ${device.epoch}`);
		const installedAt = new Map(revocation.deliveries.map((delivery) => [delivery.device, revocation.time + (delivery.installedMs ?? Infinity)]));
		for (const alert of summary.alerts) {
			if (alert.origin === "alarm-1" && alert.triggeredAt > revocation.time) {
				// Only a member still waiting for its delivery (old epoch, old roster) can authenticate it.
				const movedOn = alert.received.filter((device) => (installedAt.get(device) ?? Infinity) <= alert.triggeredAt);
				if (movedOn.length > 0) failures.push(`seed ${seed}: the revoked device's ${alert.id} authenticated by ${movedOn.join(", ")}, already in the new epoch`);
				laggardReaders += alert.received.length;
				continue;
			}
			if (alert.unauthorisedReaders.length > 0) failures.push(`seed ${seed}: ${alert.id} read by ${alert.unauthorisedReaders.join(", ")}`);
			if (alert.authorisedReachable.length === 0) failures.push(`seed ${seed}: ${alert.id} has nobody to reach?`);
			if (alert.missed.length > 0) failures.push(`seed ${seed}: ${alert.id} missed by ${alert.missed.join(", ")}`);
			if (alert.endedBy === undefined) failures.push(`seed ${seed}: ${alert.id}'s origin learnt of no acknowledgement`);
			if (alert.triggeredAt > revocation.time && alert.received.includes("alarm-1")) failures.push(`seed ${seed}: the revoked device authenticated ${alert.id}`);
		}
	}
	t.deepEqual(failures, []);
	t.log(`devices that authenticated the revoked device's panic 6 s after the revocation, their delivery still on its way: ${laggardReaders} over 12 seeds`);
});

test("a device whose power is cut mid-run never reuses a sequence number", (t) => {
	const scenario: Scenario = {
		...defaultScenario,
		durationMs: 40_000,
		events: [
			{ at: 1000, type: "motion", device: "pir-hall" },
			{ at: 2150, type: "reboot", device: "pir-hall", offMs: 300 },
			{ at: 3000, type: "motion", device: "pir-hall" },
			{ at: 3500, type: "reboot", device: "pir-hall", offMs: 300 },
			{ at: 15_000, type: "motion", device: "pir-hall" },
			{ at: 15_010, type: "reboot", device: "alarm-bob", offMs: 10 },
			{ at: 16_000, type: "panic", device: "alarm-bob" },
			{ at: 16_400, type: "reboot", device: "alarm-bob", offMs: 10 },
			{ at: 17_000, type: "panic", device: "alarm-bob" },
		],
	};
	for (let seed = 1; seed <= 10; seed++) {
		const simulation = new DomainSimulation(scenario, { seed, timeline: false });
		const summary = simulation.run();
		t.is(summary.nonceReuses, 0);
		const sealed = simulation.sealedIdentities;
		t.is(new Set(sealed).size, sealed.length);
		const fromHall = sealed.filter((identity) => identity.split("/")[1] === "1");
		t.true(fromHall.length >= 3, `pir-hall sealed only ${fromHall.length}`);
		t.is(summary.deviceReports.find((device) => device.name === "pir-hall")?.reboots, 2);
	}
});

test("the same seed gives the same summary; another seed another", (t) => {
	const a = runScenario(defaultScenario, 7);
	const b = runScenario(defaultScenario, 7);
	const c = runScenario(defaultScenario, 8);
	t.is(a.digest, b.digest);
	t.deepEqual(a, b);
	t.not(a.digest, c.digest);
});

test("scenario validation names the field at fault", (t) => {
	const bad = (change: (scenario: Record<string, unknown>) => void, message: RegExp): void => {
		const scenario = JSON.parse(JSON.stringify(defaultScenario)) as Record<string, unknown>;
		change(scenario);
		t.throws(() => validateScenario(scenario), { code: "bad-scenario", message });
	};
	bad((s) => ((s.devices as Record<string, unknown>[])[3].role = "king"), /devices\[3\]\.role: expected one of/);
	bad((s) => ((s.devices as Record<string, unknown>[])[5].groups = ["panic"]), /devices\[5\]\.groups: a relay holds the network key only/);
	bad((s) => ((s.events as Record<string, unknown>[])[0].device = "nobody"), /events\[0\]\.device: no device named "nobody"/);
	bad((s) => ((s.medium as Record<string, unknown>).lossProbability = 2), /medium\.lossProbability/);
	bad((s) => (s.colour = "red"), /scenario\.colour: unknown field/);
	bad((s) => ((s.devices as Record<string, unknown>[])[1].name = "pir-hall"), /duplicate device/);
	bad((s) => ((s.groups as string[])[0] = "Intrusion!"), /groups\[0\]: lower-case letters/);
	bad((s) => (s.events as Record<string, unknown>[]).push({ at: 1, type: "revoke", device: "bridge", carriers: [] }), /carriers: expected a non-empty array/);
	bad((s) => (s.events as Record<string, unknown>[]).push({ at: 1, type: "revoke", device: "bridge", carriers: ["nobody"] }), /carriers\[0\]: no device named "nobody"/);
	t.throws(() => validateScenario([]), { code: "bad-scenario" });
});
