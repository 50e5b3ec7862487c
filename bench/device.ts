/**
 * bench/device: the memory the firmware uses on the Moddable simulator built with the
 * ESP32's creation sizes and the native PSA crypto, as Moddable's instrumentation reports
 * it, at boot, alert, handshake and acknowledgement, beside the ESP32 budget (DESIGN.md:
 * within the manifest's esp32 creation, itself no larger than Moddable's nodemcu target).
 *
 * It runs the scenario of `npm run test:moddable` (test/moddable/alarm-scenario.ts) with
 * xsbug breakpoints at the line where each phase has just happened. At a break the
 * simulator collects garbage and samples its instruments (build/simulators/modules/screen.c
 * debugBreak), so each row is the live chunk bytes and slots at that point and the peak
 * stack since the previous sample (samples come each second, and at each break). The
 * columns "peak sampled" are the highest values of every sample of the run, garbage
 * included: what the fixed heap had to hold between collections. The run itself proves
 * the fit: the build has no growth (incremental 0), so an allocation past the budget
 * aborts the instance ("memory full"), and test:moddable checks none does.
 *
 * Lin is a 64-bit host: a slot is 32 bytes there (16 on the ESP32) and chunks hold 8-byte
 * pointers, so chunk bytes here over-state the ESP32's; slot and stack counts compare as is.
 * Without the SDK it prints one "skipped: …" line.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DeviceRole } from "picket/device/device-settings";
import { SCENARIO_DEVICES, provisionScenario, runAlarmScenario } from "picket/test/moddable/alarm-scenario";
import { MODDABLE_WORK, buildSimulators } from "picket/test/moddable/mcconfig-builds";
import { moddableSdkOrSkip } from "picket/test/moddable/moddable-sdk";
import { freeUdpPorts, startVirtualDisplay } from "picket/test/moddable/simulator-instance";
import type { Breakpoint, InstrumentSample, XsbugListener } from "picket/test/moddable/xsbug-listener";
import { projectRoot } from "picket/test/support/xs-runner";

/** Where a phase has just happened: the first line matching `pattern` in `file`, plus `after` lines. */
interface PhasePoint {
	readonly phase: string;
	readonly what: string;
	readonly file: string;
	readonly pattern: RegExp;
	readonly after?: number;
}

const PHASE_POINTS: readonly PhasePoint[] = [
	{ phase: "boot", what: "node started", file: "modules/device/device-node.ts", pattern: /host\.log\.info\(`picket \$\{host\.target\}/ },
	{ phase: "alert", what: "alert sealed", file: "modules/device/device-node.ts", pattern: /observe\?\.\(\{ kind: "alert-sealed", frame \}\)/ },
	{ phase: "alert", what: "alert relayed unread", file: "modules/device/device-node.ts", pattern: /case "relay-only":/, after: 1 },
	{ phase: "alert", what: "alert read", file: "modules/device/alarm-policy.ts", pattern: /this\.#log\("alert", /, after: 1 },
	{ phase: "handshake", what: "session installed", file: "modules/link/pairwise-sessions.ts", pattern: /#install\(peer: Peer, session: Session\): void \{/, after: 1 },
	{ phase: "acknowledgement", what: "ack sealed and sent", file: "modules/link/pairwise-sessions.ts", pattern: /if \(item\.kind === "command"\) peer\.lastCommand = /, after: 0 },
	{ phase: "acknowledgement", what: "ack acted on", file: "modules/device/alarm-policy.ts", pattern: /this\.#log\(command\.kind, /, after: 1 },
];

interface Located extends PhasePoint, Breakpoint {}

function locate(point: PhasePoint): Located {
	const path = join(projectRoot, point.file);
	const lines = readFileSync(path, "utf8").split("\n");
	const index = lines.findIndex((line) => point.pattern.test(line));
	if (index < 0) throw new Error(`bench/device: ${point.file} no longer has ${point.pattern}; update PHASE_POINTS`);
	return { ...point, path, line: index + 1 + (point.after ?? 0) };
}

const SLOT_BYTES = 32; // sizeof(txSlot) on a 64-bit host

interface Row {
	readonly instance: string;
	readonly phase: string;
	readonly what: string;
	readonly chunk: number;
	readonly slots: number;
	readonly stack: number;
}

function rowsOf(name: string, listener: XsbugListener, points: readonly Located[]): Row[] {
	const rows: Row[] = [];
	const seen = new Set<Located>();
	for (const hit of listener.breaks) {
		const point = points.find((candidate) => candidate.path === hit.path && candidate.line === hit.line);
		if (point === undefined || seen.has(point) || hit.sample === undefined) continue;
		seen.add(point);
		const values = hit.sample.values;
		rows.push({ instance: name, phase: point.phase, what: point.what, chunk: values["Chunk used"] ?? NaN, slots: (values["Slot used"] ?? NaN) / SLOT_BYTES, stack: (values["Stack used"] ?? NaN) / SLOT_BYTES });
	}
	return rows;
}

function peak(samples: readonly InstrumentSample[], name: string): number {
	return Math.max(...samples.map((sample) => sample.values[name] ?? 0));
}

const number = (value: number): string => Math.round(value).toLocaleString("en-US");

async function main(): Promise<void> {
	const sdk = moddableSdkOrSkip();
	if (sdk === undefined) return;
	const { results, libraries } = buildSimulators(sdk, new Set(SCENARIO_DEVICES.map((device) => device.role)));
	const failed = results.find((build) => !build.ok);
	if (failed !== undefined) throw new Error(`bench/device: ${failed.name} failed at ${failed.stage}\n${failed.tail}`);
	const benchWork = join(MODDABLE_WORK, "bench");
	rmSync(benchWork, { recursive: true, force: true });
	for (const run of provisionScenario(benchWork)) if (!run.ok) throw new Error(`bench/device: ${run.command} failed\n${run.output}`);
	const points = PHASE_POINTS.map(locate);
	const display = await startVirtualDisplay();
	const basePort = await freeUdpPorts(8);
	let rows: Row[] = [];
	const peaks: { name: string; chunk: number; slots: number; stack: number }[] = [];
	let settled = false;
	try {
		const run = await runAlarmScenario({ sdk, work: benchWork, display: display.display, basePort, libraries: libraries as Record<DeviceRole, string>, breakpoints: points });
		settled = run.settled;
		// A run that did not settle says where each instance stopped.
		if (!settled) for (const [name, instance] of run.instances) console.log(`${name}, last lines:\n${instance.listener.logs.slice(-25).map((line) => `  ${line.at} ms  ${line.text}`).join("\n")}`);
		// A second of quiet for the last samples.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		for (const device of SCENARIO_DEVICES) {
			const listener = run.instances.get(device.name)!.listener;
			rows = rows.concat(rowsOf(device.name, listener, points));
			peaks.push({ name: device.name, chunk: peak(listener.samples, "Chunk used"), slots: peak(listener.samples, "Slot used") / SLOT_BYTES, stack: peak(listener.samples, "Stack used") / SLOT_BYTES });
		}
		await Promise.all([...run.instances.values()].map((instance) => instance.stop()));
	} finally {
		await display.stop();
	}
	const manifest = JSON.parse(readFileSync(join(projectRoot, "manifest.json"), "utf8")) as { platforms: { esp32: { creation: { chunk: { initial: number }; heap: { initial: number }; stack: number } } } };
	const budget = manifest.platforms.esp32.creation;
	const phaseOrder = ["boot", "alert", "handshake", "acknowledgement"];
	rows.sort((a, b) => phaseOrder.indexOf(a.phase) - phaseOrder.indexOf(b.phase) || a.instance.localeCompare(b.instance));
	console.log(`Moddable simulator (lin, debug, instrumented), ESP32 creation: ${number(budget.chunk.initial)} B chunk, ${number(budget.heap.initial)} slots, ${number(budget.stack)} stack slots, no growth`);
	console.log(`scenario ${settled ? "completed" : "DID NOT COMPLETE"}: alarm → relay → responders, acknowledged over a Noise session\n`);
	console.log("| phase | instance | at | chunk live (B) | slots live | stack peak (slots) |");
	console.log("|---|---|---|---:|---:|---:|");
	for (const row of rows) console.log(`| ${row.phase} | ${row.instance} | ${row.what} | ${number(row.chunk)} | ${number(row.slots)} | ${number(row.stack)} |`);
	console.log(`| budget (manifest esp32) | | | ${number(budget.chunk.initial)} | ${number(budget.heap.initial)} | ${number(budget.stack)} |`);
	console.log("| Moddable's ESP32 default (nodemcu) | | | 78,848 | 4,928 | 512 |\n");
	console.log("peak sampled over the whole run (garbage included, each second and at every break):\n");
	console.log("| instance | chunk (B) | slots | stack (slots) |");
	console.log("|---|---:|---:|---:|");
	for (const row of peaks) console.log(`| ${row.name} | ${number(row.chunk)} | ${number(row.slots)} | ${number(row.stack)} |`);
	if (!settled) process.exitCode = 1;
}

await main();
