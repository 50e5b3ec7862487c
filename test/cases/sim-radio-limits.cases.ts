/**
 * The link layer against the radio limits of hosts/esp32/espnow/espnow.c, as the simulator
 * models them (hosts/sim/medium.ts): one sensor in the middle of 24 responders, more than the
 * 19 unicast entries of ESP-NOW's peer list. Every responder answers the alert with a
 * handshake and an acknowledgement over its own pairwise session, so the sensor unicasts to
 * 24 distinct peers within a second.
 */
import { ESPNOW_PEER_LIST_SIZE } from "picket/device/radio";
import { DomainSimulation } from "picket/hosts/sim/domain-simulation";
import type { Scenario } from "picket/hosts/sim/scenario";
import { portableCases } from "picket/test/harness/portable";

const RESPONDERS = 24;

function crowd(notificationDelayMs: number | undefined): Scenario {
	const responders = Array.from({ length: RESPONDERS }, (_, i) => ({
		name: `r${i}`,
		role: "responder" as const,
		groups: ["intrusion"],
		x: 10 * Math.cos((2 * Math.PI * i) / RESPONDERS),
		y: 10 * Math.sin((2 * Math.PI * i) / RESPONDERS),
	}));
	return {
		name: "a sensor among 24 responders",
		durationMs: 20_000,
		initialTtl: 2,
		medium: { rangeM: 100, latencyMs: 2, jitterMs: 2, ...(notificationDelayMs === undefined ? {} : { notificationDelayMs }) },
		groups: ["intrusion"],
		devices: [{ name: "sensor", role: "sensor", groups: ["intrusion"], x: 0, y: 0 }, ...responders],
		events: [{ at: 1000, type: "motion", device: "sensor" }],
	};
}

function run(notificationDelayMs: number | undefined, seed = 1) {
	const simulation = new DomainSimulation(crowd(notificationDelayMs), { seed, timeline: false });
	const summary = simulation.run();
	const alert = summary.alerts[0]!;
	const counts = simulation.medium.stations.find((station) => station.label === "sensor")!.radio!.counts;
	const acknowledgedBy = new Set(alert.commands.filter((command) => command.deliveredMs !== undefined).map((command) => command.from));
	return { alert, counts, acknowledgedBy };
}

export default portableCases("sim/radio-limits", (test) => {
	test("more responders than peer-list entries: the sensor evicts idle peers and acknowledgements come from more than 19 of them", (t) => {
		const { alert, counts, acknowledgedBy } = run(undefined);
		t.deepEqual(alert.missed, []);
		t.is(alert.endedBy?.kind, "acknowledge");
		t.true(counts.peersEvicted >= RESPONDERS - (ESPNOW_PEER_LIST_SIZE - 1), `${counts.peersEvicted} peers evicted`);
		t.true(acknowledgedBy.size > ESPNOW_PEER_LIST_SIZE - 1, `${acknowledgedBy.size} responders acknowledged`);
	});

	test("notifications posted as on the ESP32 (20 ms to the JS task): the 8-frame queue overflows in the handshake burst, and the alert still ends acknowledged", (t) => {
		// Seed 2: a draw in which more than 8 send statuses wait at once (whether they do depends on the timing draws).
		const { alert, counts, acknowledgedBy } = run(20, 2);
		t.true(counts.framesDropped > 0, "the burst overflowed the receive queue");
		t.true(counts.sendResultsDropped > 0, "more than 8 destinations' statuses waited at once");
		t.deepEqual(alert.missed, []);
		t.is(alert.endedBy?.kind, "acknowledge");
		t.true(acknowledgedBy.size > ESPNOW_PEER_LIST_SIZE - 1, `${acknowledgedBy.size} responders acknowledged`);
	});
});
