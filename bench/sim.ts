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
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

interface Measurement {
	devices: number;
	suite: string;
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

function measure(devices: number, suite: string): Measurement {
	const scenario = gridScenario({ devices });
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	const simulation = new DomainSimulation(scenario, { seed: 1, timeline: false, ...(suite === "node" ? { crypto: createNodeCryptoSuite } : {}) });
	const built = performance.now();
	const summary = simulation.run();
	const finished = performance.now();
	const cpu = process.cpuUsage(cpuBefore);
	const alert = summary.alerts[0];
	return {
		devices,
		suite,
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
	console.log(JSON.stringify(measure(Number(process.argv[oneIndex + 1]), process.argv[oneIndex + 2] ?? "node")));
} else {
	const self = fileURLToPath(import.meta.url);
	const rows: Measurement[] = [];
	// The software suite (what XS runs) only where it finishes in reasonable time.
	for (const [devices, suite] of [[100, "software"], [1000, "software"], [100, "node"], [1000, "node"], [5000, "node"]] as const) {
		process.stderr.write(`bench/sim: ${devices} devices, ${suite} crypto…\n`);
		rows.push(JSON.parse(execFileSync(process.execPath, [self, "--one", String(devices), suite], { encoding: "utf8", maxBuffer: 1 << 24 })) as Measurement);
	}
	const header = ["devices", "crypto", "setup s", "run s", "total s", "CPU s", "virtual s", "events", "frames on air", "got alert", "decrypted", "missed", "peak RSS MB", "heap MB"];
	const lines = rows.map((row) => [
		String(row.devices),
		row.suite === "node" ? "node:crypto" : "software",
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
	console.log("setup = provisioning (Domain: an X25519 key pair per device, one signed roster; each bundle stored through the keystore) and boot through main(host); run = the alert, its relays, and the responders' acknowledgements over KKpsk0 sessions; CPU = user + system time of both");
	console.log(format(header));
	console.log(widths.map((width) => "-".repeat(width)).join("  "));
	for (const line of lines) console.log(format(line));
	const thousand = rows.find((row) => row.devices === 1000 && row.suite === "node");
	if (thousand !== undefined) console.log(`budget: 1,000 devices with a relayed alert ≤ 10 s → ${((thousand.setupMs + thousand.runMs) / 1000).toFixed(2)} s wall, ${(thousand.cpuMs / 1000).toFixed(2)} s CPU`);
}
