/**
 * bench/sim: wall time and peak memory of the host simulator for 100, 1,000 and 5,000
 * devices with one relayed alert (DESIGN.md budget: 1,000 devices, a relayed alert, ≤ 10 s
 * on one core). Each size runs in its own child process so that its peak RSS is its own.
 *
 *   node build/bench/sim.js            the table
 *   node build/bench/sim.js --one N    one size, as JSON (what the children run)
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DomainSimulation } from "picket/hosts/sim/domain-simulation";
import { gridScenario } from "picket/hosts/sim/generated-scenario";

interface Measurement {
	devices: number;
	setupMs: number;
	runMs: number;
	cpuMs: number;
	virtualMs: number;
	events: number;
	transmissions: number;
	received: number;
	decrypted: number;
	authorisedReachable: number;
	missed: number;
	peakRssMb: number;
	heapUsedMb: number;
}

function measure(devices: number): Measurement {
	const scenario = gridScenario({ devices });
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	const simulation = new DomainSimulation(scenario, { seed: 1, timeline: false });
	const built = performance.now();
	const summary = simulation.run();
	const finished = performance.now();
	const cpu = process.cpuUsage(cpuBefore);
	const alert = summary.alerts[0];
	return {
		devices,
		setupMs: built - started,
		runMs: finished - built,
		cpuMs: (cpu.user + cpu.system) / 1000,
		virtualMs: summary.endTime,
		events: summary.eventsRun,
		transmissions: summary.medium.transmissions,
		received: alert?.received.length ?? 0,
		decrypted: alert?.decrypted.length ?? 0,
		authorisedReachable: alert?.authorisedReachable.length ?? 0,
		missed: alert?.missed.length ?? 0,
		peakRssMb: process.resourceUsage().maxRSS / 1024,
		heapUsedMb: process.memoryUsage().heapUsed / 1048576,
	};
}

const oneIndex = process.argv.indexOf("--one");
if (oneIndex >= 0) {
	console.log(JSON.stringify(measure(Number(process.argv[oneIndex + 1]))));
} else {
	const self = fileURLToPath(import.meta.url);
	const rows: Measurement[] = [];
	for (const devices of [100, 1000, 5000]) {
		process.stderr.write(`bench/sim: ${devices} devices…\n`);
		rows.push(JSON.parse(execFileSync(process.execPath, [self, "--one", String(devices)], { encoding: "utf8" })) as Measurement);
	}
	const header = ["devices", "setup s", "run s", "total s", "CPU s", "virtual s", "events", "frames on air", "got alert", "decrypted", "missed", "peak RSS MB", "heap MB"];
	const lines = rows.map((row) => [
		String(row.devices),
		(row.setupMs / 1000).toFixed(2),
		(row.runMs / 1000).toFixed(2),
		((row.setupMs + row.runMs) / 1000).toFixed(2),
		(row.cpuMs / 1000).toFixed(2),
		(row.virtualMs / 1000).toFixed(1),
		String(row.events),
		String(row.transmissions),
		`${row.received}/${row.devices - 1}`,
		String(row.decrypted),
		`${row.missed}/${row.authorisedReachable}`,
		row.peakRssMb.toFixed(0),
		row.heapUsedMb.toFixed(0),
	]);
	const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
	const format = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i])).join("  ");
	console.log("bench/sim: one motion alert flooded over a grid (TTL 15, 5% loss, collisions, carrier sense), one core");
	console.log("setup = provisioning (an X25519 key pair per device) and boot; run = the alert and its relays; CPU = user + system time of both");
	console.log(format(header));
	console.log(widths.map((width) => "-".repeat(width)).join("  "));
	for (const line of lines) console.log(format(line));
	const thousand = rows.find((row) => row.devices === 1000);
	if (thousand !== undefined) console.log(`budget: 1,000 devices with a relayed alert ≤ 10 s → ${((thousand.setupMs + thousand.runMs) / 1000).toFixed(2)} s wall, ${(thousand.cpuMs / 1000).toFixed(2)} s CPU`);
}
