/**
 * bench/sim: the host simulator at scale, and issue 13's sweep.
 *
 * 1. Wall time, CPU and peak memory with one motion alert flooded over a grid of 100 to
 *    10,000 devices (DESIGN.md budgets: 1,000 devices ≤ 10 s; 10,000 ≤ 30 s and ≤ 1 GB on
 *    one core), with delivery, airtime and acknowledgement latency per hop. Each size runs in
 *    its own child process so its peak RSS is its own. "bundles" provisions as a board is
 *    provisioned (each device's bundle, roster included, stored and loaded through its
 *    keystore: O(roster) per device, so O(N²)); "shared" hands each device its credentials
 *    with one verified roster (DomainSimulation `sharedProvisioning`): the before and after.
 *    Source ids have 13 bits (8,191 members per domain): 10,000 devices are two domains of
 *    5,000 on one grid and one air (two neighbouring sites, each half of the rows), each with
 *    its own alert; each hears the other's frames and drops them at the first check.
 * 2. The 200-seed sweep: a chain of 3 hops at 30% loss with a revocation
 *    (chainRevocationScenario): how many seeds leave a member in the old epoch, an authorised
 *    device without an alert, an origin without an acknowledgement, or let the revoked device
 *    be heard by a member that moved on. npm test runs 12 of these seeds.
 *
 *   node build/bench/sim.js                 both
 *   node build/bench/sim.js --one N MODE    one size as JSON (what the children run); MODE software|bundles|shared
 *   node build/bench/sim.js --ten-thousand  the 10,000-device figures only (delivery, airtime, acknowledgements, cost)
 *   node build/bench/sim.js --sweep [N]     the sweep only, N seeds (default 200)
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type AlertReport, DomainSimulation, type SimulationSummary, runScenario } from "picket/hosts/sim/domain-simulation";
import { chainRevocationScenario, gridScenario } from "picket/hosts/sim/generated-scenario";
import type { Scenario } from "picket/hosts/sim/scenario";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

/** Members per domain in the grid runs: below the 8,191 the 13-bit source id allows. */
const DOMAIN_SIZE = 5_000;
/** Long enough for acknowledgements from the far side of the grid (message 1 through the mesh is retried after 1 s). */
const GRID_DURATION_MS = 6_000;

interface HopFigures {
	hops: number;
	devices: number;
	decrypted: number;
	acks: number;
	ackMeanMs: number;
}

interface Measurement {
	devices: number;
	mode: string;
	domains: number;
	setupMs: number;
	runMs: number;
	cpuMs: number;
	events: number;
	transmissions: number;
	airtimeMs: number;
	received: number;
	decrypted: number;
	/** Holders of the alert's group key, origin excluded. */
	authorised: number;
	/** Of those, within TTL reach of the origin over the radio graph (DomainSimulation's #reachable). */
	authorisedReachable: number;
	missed: number;
	acksSent: number;
	acksDelivered: number;
	/** What became of the acknowledgements not delivered: the session layer's reason, or "pending" at the end of the run. */
	acksNotDelivered: Record<string, number>;
	/** Per domain, when its origin learnt of an acknowledgement and stopped repeating (ms after the trigger), or null. */
	acknowledgedMs: (number | null)[];
	perHop: HopFigures[];
	peakRssMb: number;
}

/** The grid cut into `domains` bands of rows (neighbouring sites), each with its own motion alert from a sensor near its centre. */
function gridDomains(devices: number, domains: number): Scenario[] {
	const grid = { ...gridScenario({ devices }), durationMs: GRID_DURATION_MS };
	const band = Math.ceil(devices / domains);
	return Array.from({ length: domains }, (_, domain) => {
		const mine = grid.devices.slice(domain * band, (domain + 1) * band);
		const centre = { x: mine.reduce((sum, device) => sum + device.x, 0) / mine.length, y: mine.reduce((sum, device) => sum + device.y, 0) / mine.length };
		const distance = (device: { x: number; y: number }) => Math.hypot(device.x - centre.x, device.y - centre.y);
		const origin = mine.filter((device) => device.role === "sensor").sort((a, b) => distance(a) - distance(b))[0];
		return { ...grid, name: `${grid.name}, domain ${domain + 1} of ${domains}`, devices: mine, events: [{ at: 1000, type: "motion" as const, device: origin.name }] };
	});
}

function perHop(alerts: readonly AlertReport[]): HopFigures[] {
	const byHops = new Map<number, HopFigures & { ackTotalMs: number }>();
	for (const alert of alerts) {
		const hopsOf = new Map(alert.latency.map((entry) => [entry.device, entry.hops]));
		const decrypted = new Set(alert.decrypted);
		for (const [device, hops] of hopsOf) {
			const row = byHops.get(hops) ?? { hops, devices: 0, decrypted: 0, acks: 0, ackMeanMs: 0, ackTotalMs: 0 };
			row.devices++;
			if (decrypted.has(device)) row.decrypted++;
			byHops.set(hops, row);
		}
		for (const command of alert.commands) {
			const hops = hopsOf.get(command.from);
			const row = hops === undefined ? undefined : byHops.get(hops);
			if (row === undefined || command.kind !== "acknowledge" || command.deliveredMs === undefined) continue;
			row.acks++;
			row.ackTotalMs += command.deliveredMs - command.sentMs;
		}
	}
	return [...byHops.values()].sort((a, b) => a.hops - b.hops).map(({ ackTotalMs, ...row }) => ({ ...row, ackMeanMs: row.acks === 0 ? 0 : ackTotalMs / row.acks }));
}

function measure(devices: number, mode: string): Measurement {
	const domains = Math.ceil(devices / DOMAIN_SIZE);
	const scenarios = domains === 1 ? [{ ...gridScenario({ devices }), durationMs: GRID_DURATION_MS }] : gridDomains(devices, domains);
	const options = { seed: 1, timeline: false, ...(mode === "software" ? {} : { crypto: createNodeCryptoSuite }), sharedProvisioning: mode === "shared" };
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	const first = new DomainSimulation(scenarios[0], options);
	const others = scenarios.slice(1).map((scenario) => new DomainSimulation(scenario, { ...options, shareAirWith: first }));
	const built = performance.now();
	const summaries: SimulationSummary[] = [first.run(), ...others.map((simulation) => simulation.summary())];
	const finished = performance.now();
	const cpu = process.cpuUsage(cpuBefore);
	const alerts = summaries.map((summary) => summary.alerts[0]).filter((alert) => alert !== undefined);
	const sum = (of: (alert: AlertReport) => number) => alerts.reduce((total, alert) => total + of(alert), 0);
	const acknowledgements = alerts.flatMap((alert) => alert.commands.filter((command) => command.kind === "acknowledge"));
	const acksNotDelivered: Record<string, number> = {};
	for (const ack of acknowledgements) {
		if (ack.deliveredMs !== undefined) continue;
		const reason = ack.dropped ?? "pending";
		acksNotDelivered[reason] = (acksNotDelivered[reason] ?? 0) + 1;
	}
	// Every holder of the alert's group key but its origin, in each domain's scenario.
	const authorised = alerts.reduce((total, alert, domain) => total + scenarios[domain].devices.filter((device) => device.name !== alert.origin && device.groups.includes(alert.group)).length, 0);
	return {
		devices,
		mode,
		domains,
		setupMs: built - started,
		runMs: finished - built,
		cpuMs: (cpu.user + cpu.system) / 1000,
		events: first.clock.executed,
		transmissions: summaries[0].medium.transmissions,
		airtimeMs: summaries[0].medium.airtimeMs,
		received: sum((alert) => alert.received.length),
		decrypted: sum((alert) => alert.decrypted.length),
		authorised,
		authorisedReachable: sum((alert) => alert.authorisedReachable.length),
		missed: sum((alert) => alert.missed.length),
		acksSent: acknowledgements.length,
		acksDelivered: acknowledgements.filter((ack) => ack.deliveredMs !== undefined).length,
		acksNotDelivered,
		acknowledgedMs: alerts.map((alert) => alert.endedBy?.ms ?? null),
		perHop: perHop(alerts),
		peakRssMb: process.resourceUsage().maxRSS / 1024,
	};
}

interface SweepCounts {
	seeds: number;
	behind: number;
	missed: number;
	unacknowledged: number;
	revokedHeard: number;
	laggardReaders: number;
	wallMs: number;
}

function sweep(seeds: number): SweepCounts {
	const scenario = chainRevocationScenario(3, 0.3);
	const counts: SweepCounts = { seeds, behind: 0, missed: 0, unacknowledged: 0, revokedHeard: 0, laggardReaders: 0, wallMs: 0 };
	const started = performance.now();
	for (let seed = 1; seed <= seeds; seed++) {
		const summary = runScenario(scenario, seed, { crypto: createNodeCryptoSuite });
		const [revocation] = summary.revocations;
		if (revocation.deliveries.some((delivery) => delivery.installedMs === undefined)) counts.behind++;
		const installedAt = new Map(revocation.deliveries.map((delivery) => [delivery.device, revocation.time + (delivery.installedMs ?? Infinity)]));
		const alerts = summary.alerts.filter((alert) => !(alert.origin === "alarm-1" && alert.triggeredAt > revocation.time));
		if (alerts.some((alert) => alert.missed.length > 0 || alert.unauthorisedReaders.length > 0)) counts.missed++;
		if (alerts.some((alert) => alert.endedBy === undefined)) counts.unacknowledged++;
		for (const alert of summary.alerts) {
			if (alert.origin !== "alarm-1" || alert.triggeredAt <= revocation.time) continue;
			if (alert.received.some((device) => (installedAt.get(device) ?? Infinity) <= alert.triggeredAt)) counts.revokedHeard++;
			counts.laggardReaders += alert.received.length;
		}
	}
	counts.wallMs = performance.now() - started;
	return counts;
}

function printSweep(counts: SweepCounts): void {
	console.log(`bench/sim sweep: chain of 3 hops at 30% loss, a revocation, ${counts.seeds} seeds (node:crypto), ${(counts.wallMs / 1000).toFixed(1)} s`);
	console.log(`  seeds with a remaining member left in the old epoch:                 ${counts.behind}`);
	console.log(`  seeds with an authorised reachable device missing an alert:          ${counts.missed}`);
	console.log(`  seeds with an origin that learnt of no acknowledgement:              ${counts.unacknowledged}`);
	console.log(`  seeds where a member already in the new epoch heard the revoked one: ${counts.revokedHeard}`);
	console.log(`  devices that authenticated the revoked device's panic while their delivery was still on its way: ${counts.laggardReaders} in all`);
}

/** Issue 13's figures for the 10,000-device run: delivery, airtime, acknowledgement latency per hop, cost. */
function printTenThousand(row: Measurement): void {
	const thousands = (value: number): string => value.toLocaleString("en-GB");
	const notDelivered = Object.entries(row.acksNotDelivered).map(([reason, count]) => `${count} ${reason}`).join(", ");
	console.log(`10,000 devices (${row.domains} domains of ${thousands(DOMAIN_SIZE)} on one air, one alert each):`);
	console.log(`  delivery: ${thousands(row.decrypted)} authorised devices read their domain's alert, ${row.missed} of the ${thousands(row.authorisedReachable)} within TTL reach missed it, ${row.authorised - row.authorisedReachable} beyond the TTL; ${thousands(row.received)} of ${thousands(row.devices - row.domains)} devices authenticated a copy`);
	console.log(`  airtime: ${(row.airtimeMs / 1000).toFixed(1)} s in ${thousands(row.transmissions)} frames on air (all stations together, in ${GRID_DURATION_MS / 1000} s simulated)`);
	console.log(`  origins acknowledged (repeats stopped): ${row.acknowledgedMs.map((ms) => (ms === null ? "never" : `${ms.toFixed(0)} ms after the trigger`)).join(", ")}`);
	console.log(`  acknowledgements: ${row.acksDelivered} of ${row.acksSent} reached the origins${notDelivered === "" ? "" : ` (not delivered: ${notDelivered})`}; latency by the acknowledger's hops: ` + row.perHop.filter((hop) => hop.acks > 0).map((hop) => `${hop.hops} hop${hop.hops === 1 ? "" : "s"}: ${hop.acks} in ${hop.ackMeanMs.toFixed(0)} ms mean`).join("; "));
	console.log(`budget: 10,000 devices ≤ 30 s and ≤ 1 GB → ${((row.setupMs + row.runMs) / 1000).toFixed(2)} s wall, ${(row.cpuMs / 1000).toFixed(2)} s CPU, ${row.peakRssMb.toFixed(0)} MB peak RSS`);
}

/** One size in a child process of its own, so that its peak RSS is its own. */
function measureApart(devices: number, mode: string): Measurement {
	const self = fileURLToPath(import.meta.url);
	return JSON.parse(execFileSync(process.execPath, [self, "--one", String(devices), mode], { encoding: "utf8", maxBuffer: 1 << 24 })) as Measurement;
}

const oneIndex = process.argv.indexOf("--one");
const sweepIndex = process.argv.indexOf("--sweep");
if (oneIndex >= 0) {
	console.log(JSON.stringify(measure(Number(process.argv[oneIndex + 1]), process.argv[oneIndex + 2] ?? "shared")));
} else if (process.argv.includes("--ten-thousand")) {
	printTenThousand(measureApart(10_000, "shared"));
} else if (sweepIndex >= 0) {
	printSweep(sweep(Number(process.argv[sweepIndex + 1] ?? 200)));
} else {
	const rows: Measurement[] = [];
	const sizes = [[100, "software"], [1000, "software"], [1000, "bundles"], [1000, "shared"], [5000, "bundles"], [5000, "shared"], [10_000, "shared"]] as const;
	for (const [devices, mode] of sizes) {
		process.stderr.write(`bench/sim: ${devices} devices, ${mode}…\n`);
		rows.push(measureApart(devices, mode));
	}
	const header = ["devices", "provisioning", "domains", "setup s", "run s", "total s", "CPU s", "events", "frames on air", "airtime s", "got alert", "decrypted", "missed", "beyond TTL", "acks delivered", "peak RSS MB"];
	const lines = rows.map((row) => [
		String(row.devices),
		row.mode === "software" ? "bundles, software crypto" : row.mode === "bundles" ? "bundles" : "shared roster",
		String(row.domains),
		(row.setupMs / 1000).toFixed(2),
		(row.runMs / 1000).toFixed(2),
		((row.setupMs + row.runMs) / 1000).toFixed(2),
		(row.cpuMs / 1000).toFixed(2),
		String(row.events),
		String(row.transmissions),
		(row.airtimeMs / 1000).toFixed(1),
		`${row.received}/${row.devices - row.domains}`,
		String(row.decrypted),
		`${row.missed}/${row.authorisedReachable}`,
		String(row.authorised - row.authorisedReachable),
		`${row.acksDelivered}/${row.acksSent}`,
		row.peakRssMb.toFixed(0),
	]);
	const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
	const format = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i])).join("  ");
	console.log(`bench/sim: one motion alert per domain flooded over a grid (TTL 15, 5% loss, collisions, carrier sense), ${GRID_DURATION_MS / 1000} s simulated, one core`);
	console.log("setup = provisioning and boot through main(host); run = the alert, its relays, the responders' acknowledgements through the mesh; CPU = user + system of both; node:crypto unless said");
	console.log("missed = authorised devices within TTL reach of the origin that never read the alert; beyond TTL = authorised devices farther than the TTL's hops over the radio graph (no flood can reach them)");
	console.log(format(header));
	console.log(widths.map((width) => "-".repeat(width)).join("  "));
	for (const line of lines) console.log(format(line));
	for (const row of rows.filter((candidate) => candidate.mode === "shared")) {
		console.log(`per hop, ${row.devices} devices: ` + row.perHop.map((hop) => `${hop.hops}: ${hop.decrypted}/${hop.devices} read, ${hop.acks} acks in ${hop.ackMeanMs.toFixed(0)} ms`).join("; "));
	}
	const thousand = rows.find((row) => row.devices === 1000 && row.mode === "shared");
	const tenThousand = rows.find((row) => row.devices === 10_000);
	if (thousand !== undefined) console.log(`budget: 1,000 devices with a relayed alert ≤ 10 s → ${((thousand.setupMs + thousand.runMs) / 1000).toFixed(2)} s wall, ${(thousand.cpuMs / 1000).toFixed(2)} s CPU; authorised devices missing it: ${thousand.missed}`);
	if (tenThousand !== undefined) printTenThousand(tenThousand);
	printSweep(sweep(200));
}
