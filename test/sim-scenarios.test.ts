/**
 * Scenario tests of the host simulator (DESIGN.md, issue 6 item 7): the firmware's own
 * device node and secure link, run over the simulated medium.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DomainSimulation, runScenario } from "picket/hosts/sim/domain-simulation";
import { chainScenario } from "picket/hosts/sim/generated-scenario";
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
		t.is(summary.attacks.length, 8);
		for (const attack of summary.attacks) {
			t.deepEqual(attack.acceptedForgery, [], `seed ${seed} attack #${attack.id}`);
			rejections += attack.rejections.length;
		}
	}
	t.true(rejections > 100, `only ${rejections} rejections: the attacker is not heard`);
});

test("the attacker's frames are rejected for the expected reasons", (t) => {
	const summary = runScenario(defaultScenario, 1);
	const reasons = (kind: string): Set<string> => new Set(summary.attacks.filter((attack) => attack.kind === kind).flatMap((attack) => attack.rejections.map((rejection) => rejection.reason)));
	t.deepEqual(reasons("replay"), new Set(["duplicate"]));
	t.deepEqual(reasons("epoch-replay"), new Set(["wrong-epoch"]));
	t.true(reasons("tamper").has("bad-tag"));
	t.true(reasons("forge").has("bad-tag"));
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
	t.throws(() => validateScenario([]), { code: "bad-scenario" });
});
