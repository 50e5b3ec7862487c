/**
 * Issue 12, items 1, 4, 6, 7 and 9: attacks on the alert frame and the relays, run in the host
 * simulator over the default two-wing domain. Each test fails without its defence.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runScenario } from "picket/hosts/sim/domain-simulation";
import { type Scenario, type ScenarioEvent, validateScenario } from "picket/hosts/sim/scenario";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

const scenarioFile = (name: string): Scenario => validateScenario(JSON.parse(readFileSync(fileURLToPath(new URL(`../../hosts/sim/scenarios/${name}`, import.meta.url)), "utf8")));
const defaultScenario = scenarioFile("default.json");
const incidents: ScenarioEvent[] = [
	{ at: 1000, type: "motion", device: "pir-hall" },
	{ at: 5000, type: "panic", device: "alarm-bob" },
	{ at: 9000, type: "motion", device: "pir-store" },
];

/** Two attacker stations between the wings, each in range of the bridge and of one wing's devices. */
function underAttack(events: readonly ScenarioEvent[]): Scenario {
	return { ...defaultScenario, durationMs: 14_000, attacker: { x: 40, y: 15, stations: [{ x: 95, y: 15 }] }, events };
}

function missedIncidents(scenario: Scenario, seeds: number): { missed: number; incidents: number; detail: string[] } {
	let missed = 0;
	let count = 0;
	const detail: string[] = [];
	for (let seed = 1; seed <= seeds; seed++) {
		const summary = runScenario(scenario, seed, { crypto: createNodeCryptoSuite });
		for (const alert of summary.alerts) {
			count++;
			if (alert.missed.length > 0) {
				missed++;
				detail.push(`seed ${seed} ${alert.id}: ${alert.missed.join(", ")}`);
			}
		}
	}
	return { missed, incidents: count, detail };
}

test("item 1: stations re-broadcasting every alert with TTL 0 leave no authorised device without it (30 seeds × 3 incidents)", (t) => {
	const quiet = missedIncidents(underAttack(incidents), 30);
	const attacked = missedIncidents(underAttack([{ at: 500, type: "attack", attack: "ttl-zero" }, ...incidents]), 30);
	t.log(`incidents leaving an authorised device without the alert: ${attacked.missed}/${attacked.incidents} under attack, ${quiet.missed}/${quiet.incidents} without`);
	t.is(attacked.incidents, 90);
	t.is(quiet.missed, 0, quiet.detail.join("; "));
	t.is(attacked.missed, 0, attacked.detail.join("; "));
});

test("item 4: recorded alerts replayed at TTL 15 are not re-flooded once their source has moved on, even by a relay whose memory a reboot emptied", (t) => {
	// pir-hall trips every 11 s (its hold-off is 10 s): 3 sends each, its sequence passes 64 by the 23rd.
	const motions: ScenarioEvent[] = Array.from({ length: 24 }, (_, i) => ({ at: 1000 + i * 11_000, type: "motion", device: "pir-hall" }));
	const flood = 1000 + 24 * 11_000 + 3000;
	const scenario: Scenario = {
		...defaultScenario,
		durationMs: flood + 3000,
		events: [
			...motions,
			// The bridge loses its RAM (a power cut): its relay memory is empty, as after 1,024 other alerts.
			{ at: flood - 1500, type: "reboot", device: "bridge", offMs: 500 },
			{ at: flood, type: "attack", attack: "replay-flood", times: 10 },
		],
	};
	const summary = runScenario(scenario, 1, { crypto: createNodeCryptoSuite });
	const replays = summary.attacks.filter((attack) => attack.kind === "replay-flood");
	t.is(replays.length, 24 * 3 * 10, "every frame pir-hall sent, 10 times");
	for (const attack of replays) t.deepEqual(attack.acceptedForgery, [], `#${attack.id}`);
	const relays = replays.reduce((sum, attack) => sum + attack.relaysCaused, 0);
	const bridge = summary.deviceReports.find((device) => device.name === "bridge");
	t.log(`relays per replayed frame: ${(relays / replays.length).toFixed(3)} (${relays} re-broadcasts of ${replays.length} replays, all devices)`);
	// What is left, by design: the last frames (fewer than 16) the rebooted bridge had not stored yet, once each.
	t.true(relays / replays.length < 0.05, `${relays} re-broadcasts`);
	const bridgeTooOld = replays.filter((attack) => attack.rejections.some((rejection) => rejection.device === "bridge" && rejection.reason === "too-old")).length;
	t.true(bridgeTooOld > 0 || (bridge?.dropped["too-old"] ?? 0) > 0, "the rebooted bridge drops stale replays by its stored horizon");
});

test("item 7: a group insider's forged 'sequence 2^19 − 1' as another member does not mute that member", (t) => {
	const scenario: Scenario = {
		...defaultScenario,
		durationMs: 24_000,
		events: [
			{ at: 1000, type: "motion", device: "pir-hall" },
			{ at: 6000, type: "attack", attack: "insider-leap", insider: "pir-door", as: "pir-hall", group: "intrusion" },
			{ at: 18_000, type: "motion", device: "pir-hall" },
		],
	};
	for (let seed = 1; seed <= 5; seed++) {
		const summary = runScenario(scenario, seed, { crypto: createNodeCryptoSuite });
		const [leap] = summary.attacks;
		t.is(leap.kind, "insider-leap");
		t.true(leap.acceptedFromInsider.length > 0, `seed ${seed}: the insider holds real keys, its frame is read`);
		const after = summary.alerts.find((alert) => alert.origin === "pir-hall" && alert.triggeredAt > 6000);
		t.truthy(after, `seed ${seed}`);
		t.deepEqual(after?.missed, [], `seed ${seed}: pir-hall's next alert is read everywhere`);
		t.true((after?.decrypted.length ?? 0) >= 4, `seed ${seed}`);
	}
});

test("hosts/sim/scenarios/attacks-air.json: every attack runs, no alert is missed and no forgery accepted", (t) => {
	const scenario = scenarioFile("attacks-air.json");
	for (let seed = 1; seed <= 3; seed++) {
		const summary = runScenario(scenario, seed, { crypto: createNodeCryptoSuite });
		const kinds = new Set(summary.attacks.map((attack) => attack.kind));
		for (const kind of ["ttl-zero", "replay-flood", "insider-leap"]) t.true(kinds.has(kind as never), `seed ${seed}: ${kind} ran`);
		t.is(summary.listener?.pairsLinked, 0, `seed ${seed}: the listener links nothing`);
		t.deepEqual(summary.alerts.flatMap((alert) => alert.missed.map((name) => `${alert.id} ${name}`)), [], `seed ${seed}`);
		t.deepEqual(summary.attacks.flatMap((attack) => attack.acceptedForgery), [], `seed ${seed}`);
		t.is(summary.nonceReuses, 0);
	}
});

test("item 9: a listener without keys names no sender and links no two alerts of one source by their header", (t) => {
	for (let seed = 1; seed <= 3; seed++) {
		const summary = runScenario(underAttack([{ at: 100, type: "attack", attack: "listen" }, ...incidents]), seed, { crypto: createNodeCryptoSuite });
		const listener = summary.listener;
		if (listener === undefined) return t.fail("no listener report");
		t.log(`seed ${seed}: ${JSON.stringify(listener)}`);
		t.true(listener.alertsHeard >= 6, `seed ${seed}: it heard the alerts`);
		t.true(listener.sameSourcePairs >= 3, `seed ${seed}: each incident's repeats come from one source`);
		t.is(listener.sourceRead, 0, `seed ${seed}: source ids read in clear`);
		t.is(listener.sequenceRead, 0, `seed ${seed}: sequences read in clear`);
		t.is(listener.pairsLinked, 0, `seed ${seed}: alerts linked by their source field`);
		// 5 masked bits: a right guess by chance 1 time in 32.
		t.true(listener.groupRead <= listener.alertsHeard / 4, `seed ${seed}: groups read ${listener.groupRead} of ${listener.alertsHeard}`);
		t.deepEqual(summary.alerts.flatMap((alert) => alert.missed), [], "every relay still unmasks and forwards");
	}
});

test("item 6: a PIR walked past until its 19-bit sequence wraps goes on into the next era, read by every authorised device", (t) => {
	// pir-hall has used 524,216 sequences of this epoch (a lone record may be a block behind: it resumes at 524,280).
	const devices = defaultScenario.devices.map((device) => (device.name === "pir-hall" ? { ...device, sequencesUsed: 524_216 } : device));
	const scenario: Scenario = { ...defaultScenario, devices, durationMs: 60_000, events: [{ at: 1000, type: "attack", attack: "walk-past", as: "pir-hall", times: 5 }] };
	for (let seed = 1; seed <= 3; seed++) {
		const summary = runScenario(scenario, seed, { crypto: createNodeCryptoSuite });
		t.is(summary.alerts.length, 5, `seed ${seed}: every trip is an alert`);
		t.true(summary.alerts.reduce((sum, alert) => sum + alert.sends, 0) > 8, "enough sends to cross 524,288");
		t.deepEqual(summary.alerts.flatMap((alert) => alert.missed.map((name) => `${alert.id} ${name}`)), [], `seed ${seed}`);
		t.is(summary.nonceReuses, 0);
	}
});
