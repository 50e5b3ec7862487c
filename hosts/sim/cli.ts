/**
 * `npm start [-- scenario.json] [--seed N] [--quiet] [--logs] [--json]`: runs a scenario in
 * the host simulator and prints its timeline and summary. With no file it runs the default
 * scenario (hosts/sim/scenarios/default.json, built in as default-scenario.ts). Progress goes to stderr on long runs.
 *
 * The only file of the simulator that touches Node (file system, process); everything it
 * calls is portable.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isPicketError } from "picket/core/picket-error";
import { DomainSimulation, type SimulationSummary, type TimelineEntry } from "picket/hosts/sim/domain-simulation";
import { type Scenario, validateScenario } from "picket/hosts/sim/scenario";
import { defaultScenario } from "picket/hosts/sim/scenarios/default-scenario";
import { DEMO_ROLLOUT_AT_MS, runPostDemo } from "picket/hosts/sim/post-session";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

interface CliOptions {
	/** Scenario file; undefined runs the default scenario (hosts/sim/scenarios/default.json, built in). */
	file: string | undefined;
	seed: number;
	quiet: boolean;
	logs: boolean;
	json: boolean;
	/** `--post`: run with a simulated gateway and a real command post (hosts/sim/post-session.ts). */
	post: boolean;
	/** `--rollout` (with --post): the post rolls a new image out through the gateway. */
	rollout: boolean;
	speed: number;
	lingerMs: number;
	database: string | undefined;
}

const USAGE = "usage: npm start -- [scenario.json] [--seed N] [--quiet] [--logs] [--json]\n       npm start -- --post [--rollout] [--seed N] [--speed X] [--linger SECONDS] [--db FILE]";

function parseArguments(argv: readonly string[]): CliOptions {
	const options: CliOptions = {
		file: undefined,
		seed: 1,
		quiet: false,
		logs: false,
		json: false,
		post: false,
		rollout: false,
		speed: 1,
		lingerMs: 0,
		database: undefined,
	};
	for (let i = 0; i < argv.length; i++) {
		const argument = argv[i];
		if (argument === "--seed") {
			const value = Number(argv[++i]);
			if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new UsageError(`--seed needs an integer 0..4294967295\n${USAGE}`);
			options.seed = value;
		} else if (argument === "--quiet") options.quiet = true;
		else if (argument === "--logs") options.logs = true;
		else if (argument === "--json") options.json = true;
		else if (argument === "--post") options.post = true;
		else if (argument === "--rollout") options.rollout = true;
		else if (argument === "--speed" || argument === "--linger") {
			const value = Number(argv[++i]);
			if (!Number.isFinite(value) || value < 0 || (argument === "--speed" && value === 0)) throw new UsageError(`${argument} needs a positive number\n${USAGE}`);
			if (argument === "--speed") options.speed = value;
			else options.lingerMs = value * 1000;
		} else if (argument === "--db") options.database = argv[++i];
		else if (argument === "--help" || argument === "-h") throw new UsageError(USAGE, 0);
		else if (argument.startsWith("--")) throw new UsageError(`unknown option ${argument}\n${USAGE}`);
		else options.file = argument;
	}
	return options;
}

class UsageError extends Error {
	readonly exitCode: number;
	constructor(message: string, exitCode = 2) {
		super(message);
		this.exitCode = exitCode;
	}
}

function pad(text: string, width: number): string {
	return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function padStart(text: string, width: number): string {
	return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[] = []): string {
	const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
	const line = (cells: readonly string[]): string => cells.map((cell, column) => (numeric[column] ? padStart(cell, widths[column]) : pad(cell, widths[column]))).join("  ").trimEnd();
	return [line(headers), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

function formatTime(ms: number): string {
	return padStart((ms / 1000).toFixed(4), 8) + " s";
}

function printTimeline(timeline: readonly TimelineEntry[]): void {
	const width = Math.max(8, ...timeline.map((entry) => entry.actor.length));
	console.log("Timeline (virtual time)");
	for (const entry of timeline) console.log(`  ${formatTime(entry.time)}  ${pad(entry.actor, width)}  ${entry.text}`);
	console.log("");
}

function list(items: readonly string[]): string {
	return items.length === 0 ? "—" : items.join(", ");
}

function printSummary(summary: SimulationSummary): void {
	console.log(`Summary: "${summary.scenario}", seed ${summary.seed}, ${summary.devices} devices, ${summary.eventsRun} events to ${formatTime(summary.endTime).trim()}`);
	console.log("");
	for (const alert of summary.alerts) {
		console.log(`${alert.id}: ${alert.kind} from ${alert.origin} to group "${alert.group}" at ${formatTime(alert.triggeredAt).trim()}, ${alert.sends} send(s)`);
		console.log(`  received (authenticated)  ${list(alert.received)}`);
		console.log(`  decrypted                 ${list(alert.decrypted)}`);
		console.log(`  acted                     ${list(alert.acted.map((act) => `${act.device} (${act.outputs.join("+")})`))}`);
		console.log(`  relayed without reading   ${list(alert.relayedWithoutReading)}`);
		console.log(`  relayed after reading     ${list(alert.relayedAfterReading)}`);
		console.log(`  missed (authorised, reachable)  ${list(alert.missed)}`);
		console.log(`  read without authorisation      ${list(alert.unauthorisedReaders)}`);
		const commands = alert.commands.map((command) => {
			const fate = command.deliveredMs !== undefined ? `delivered at ${command.deliveredMs.toFixed(1)} ms` : command.dropped !== undefined ? `not delivered: ${command.dropped}` : "not delivered";
			return `${command.from} ${command.kind} sent at ${command.sentMs.toFixed(1)} ms, ${fate}`;
		});
		console.log(`  commands over sessions    ${commands.length === 0 ? "—" : commands.join("\n                            ")}`);
		// Who acknowledged, and when the origin knew it (its session layer delivered the first one from each).
		const knew = new Map<string, number>();
		for (const command of alert.commands) if (command.kind === "acknowledge" && command.deliveredMs !== undefined && !knew.has(command.from)) knew.set(command.from, command.deliveredMs);
		console.log(`  acknowledged by           ${knew.size === 0 ? "—" : Array.from(knew, ([from, ms]) => `${from} (origin knew at ${ms.toFixed(1)} ms)`).join(", ")}`);
		console.log(`  ended at the origin by    ${alert.endedBy === undefined ? "nothing: no acknowledgement reached it (repeats to its limit)" : `${alert.endedBy.kind} from ${alert.endedBy.device} at ${alert.endedBy.ms.toFixed(1)} ms`}`);
		console.log(
			"  " +
				table(
					["hops", "devices", "mean latency", "max latency"],
					alert.perHop.map((hop) => [String(hop.hops), String(hop.devices), `${hop.meanMs.toFixed(1)} ms`, `${hop.maxMs.toFixed(1)} ms`]),
					[true, true, true, true],
				).replaceAll("\n", "\n  "),
		);
		console.log("");
	}
	if (summary.attacks.length > 0) printAttackCosts(summary);
	if (summary.attacks.length > ATTACK_ROWS_MAX) console.log(`(${summary.attacks.length} attacker frames: --json lists each)\n`);
	if (summary.attacks.length > 0 && summary.attacks.length <= ATTACK_ROWS_MAX) {
		console.log("Attacker frames");
		const rows = summary.attacks.map((attack) => {
			const reasons = new Map<string, string[]>();
			for (const rejection of attack.rejections) reasons.set(rejection.reason, [...(reasons.get(rejection.reason) ?? []), rejection.device]);
			const rejected = Array.from(reasons, ([reason, devices]) => `${reason} ×${devices.length}`).join(", ");
			const accepted = [
				...(attack.acceptedForgery.length > 0 ? [`FORGERY ACCEPTED by ${attack.acceptedForgery.join(", ")}`] : []),
				...(attack.acceptedLateCopy.length > 0 ? [`late genuine copy: ${attack.acceptedLateCopy.join(", ")}`] : []),
			].join("; ");
			return [`#${attack.id}`, attack.kind, formatTime(attack.time).trim(), rejected || "heard by no device", accepted || "none", attack.description];
		});
		console.log(table(["", "attack", "at", "rejected by receivers (reason ×count)", "accepted", "what"], rows));
		console.log(`Frames devices unicast to the attacker's MACs (answers to its handshakes, each an ESP-NOW peer entry): ${summary.answersToAttacker}`);
		console.log("");
	}
	for (const revocation of summary.revocations) {
		console.log(`${revocation.id}: ${revocation.revoked} revoked at ${formatTime(revocation.time).trim()}: key epoch ${revocation.epoch}, deliveries carried by ${list(revocation.carriers)}`);
		console.log(
			"  " +
				table(
					["member", "delivery via", "installed after", "carrier knew after"],
					revocation.deliveries.map((delivery) => [
						delivery.device,
						delivery.via === delivery.device ? "operator (carrier itself)" : `${delivery.via} (session)`,
						delivery.installedMs === undefined ? "NOT INSTALLED" : `${delivery.installedMs.toFixed(1)} ms`,
						delivery.via === delivery.device ? "—" : delivery.acknowledgedMs === undefined ? "never acknowledged" : `${delivery.acknowledgedMs.toFixed(1)} ms`,
					]),
					[false, false, true, true],
				).replaceAll("\n", "\n  "),
		);
		console.log(`  unreached by any carrier: ${list(revocation.unreached)}; refused: ${list(revocation.refused.map((refusal) => `${refusal.device} (${refusal.reason})`))}`);
		console.log("");
	}
	console.log("Devices");
	console.log(
		table(
			["device", "role", "groups", "epoch", "received", "decrypted", "acted", "relayed", "commands", "dropped", "flash writes"],
			summary.deviceReports.map((device) => [
				device.name,
				device.role,
				device.groups.join("+") || "—",
				String(device.epoch),
				String(device.received),
				String(device.decrypted),
				String(device.acted),
				String(device.relayed),
				String(device.commandsReceived),
				Object.entries({ ...device.dropped, ...Object.fromEntries(Object.entries(device.sessionRejects).map(([reason, count]) => [`session ${reason}`, count])) })
					.map(([reason, count]) => `${reason} ${count}`)
					.join(", ") || "—",
				String(device.storageWrites),
			]),
			[false, false, false, true, true, true, true, true, true, false, true],
		),
	);
	console.log("");
	const medium = summary.medium;
	const losses = Object.entries(medium.losses)
		.filter(([, count]) => count > 0)
		.map(([reason, count]) => `${reason} ${count}`)
		.join(", ");
	console.log(
		`On air: ${medium.transmissions} transmissions, ${medium.payloadBytesOnAir} B of Picket frames (${medium.bytesOnAir} B with ESP-NOW framing), ${medium.airtimeMs.toFixed(1)} ms airtime; ${medium.deliveries} deliveries; lost: ${losses || "none"}`,
	);
	console.log(`Frames by kind: ${Object.entries(summary.frames).map(([kind, count]) => `${kind} ${count.frames} (${count.bytes} B)`).join(", ")}`);
	console.log(`Nonce reuses: ${summary.nonceReuses}.`);
	console.log(`Digest: ${summary.digest}`);
}

/** Above this many attacker frames (a standing attack), only the per-attack costs are printed. */
const ATTACK_ROWS_MAX = 40;

/** Per attack: what it cost the attacker (frames sent) and the defenders (receptions judged, re-broadcasts), and whether anything was accepted or missed. */
function printAttackCosts(summary: SimulationSummary): void {
	const kinds = [...new Set(summary.attacks.map((attack) => attack.kind))];
	const missed = summary.alerts.filter((alert) => alert.missed.length > 0).map((alert) => alert.id);
	console.log("Attacks: cost and outcome");
	const rows = kinds.map((kind) => {
		const attacks = summary.attacks.filter((attack) => attack.kind === kind);
		const count = (pick: (attack: SimulationSummary["attacks"][number]) => number) => String(attacks.reduce((sum, attack) => sum + pick(attack), 0));
		return [
			kind,
			String(attacks.length),
			count((attack) => attack.rejections.length),
			count((attack) => attack.relaysCaused),
			count((attack) => attack.acceptedForgery.length),
			count((attack) => attack.acceptedLateCopy.length),
			count((attack) => attack.acceptedFromInsider.length),
		];
	});
	console.log(table(["attack", "frames sent", "rejections", "re-broadcasts by defenders", "forgeries accepted", "genuine copies accepted", "insider frames read"], rows, [false, true, true, true, true, true, true]));
	console.log(`Alerts missed by an authorised, reachable device: ${missed.length === 0 ? "none" : missed.join(", ")}\n`);
	const listener = summary.listener;
	if (listener !== undefined) {
		console.log(`Passive listener (no keys): ${listener.alertsHeard} alerts heard; their headers named the true source in ${listener.sourceRead}, sequence in ${listener.sequenceRead}, group in ${listener.groupRead}`);
		console.log(`  alerts of one source heard in turn: ${listener.sameSourcePairs}, of which ${listener.pairsLinked} showed the same source field (linkable)\n`);
	}
}

/**
 * A scenario file, or a suite: `{ "suite", "description", "scenarios": [file, …] }` whose
 * files (relative to the suite) run one after the other, each in its own domain.
 */
function loadScenarios(file: string): Scenario[] | undefined {
	let text: string;
	let parsed: unknown;
	try {
		text = readFileSync(file, "utf8");
	} catch (error) {
		console.error(`cannot read ${file}: ${(error as Error).message}`);
		return undefined;
	}
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		console.error(`${file}: ${(error as Error).message}`);
		return undefined;
	}
	const suite = parsed as { scenarios?: unknown };
	if (typeof parsed === "object" && parsed !== null && "scenarios" in suite) {
		if (!Array.isArray(suite.scenarios) || suite.scenarios.length === 0 || !suite.scenarios.every((entry) => typeof entry === "string")) {
			console.error(`${file}: "scenarios" must list scenario files`);
			return undefined;
		}
		const scenarios: Scenario[] = [];
		for (const entry of suite.scenarios as string[]) {
			const loaded = loadScenarios(resolve(dirname(file), entry));
			if (loaded === undefined) return undefined;
			scenarios.push(...loaded);
		}
		return scenarios;
	}
	try {
		return [validateScenario(parsed)];
	} catch (error) {
		if (isPicketError(error, "bad-scenario")) {
			console.error(`${file}: ${error.message}`);
			return undefined;
		}
		throw error;
	}
}

function main(): number {
	let options: CliOptions;
	try {
		options = parseArguments(process.argv.slice(2));
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		(error.exitCode === 0 ? console.log : console.error)(error.message);
		return error.exitCode;
	}
	if (options.post) {
		if (options.file !== undefined) console.error("--post runs the default scenario; the file is ignored");
		void runPostDemo({ seed: options.seed, speed: options.speed, lingerMs: options.lingerMs, database: options.database, ...(options.rollout ? { rolloutAtMs: DEMO_ROLLOUT_AT_MS } : {}) }).then((code) => (process.exitCode = code));
		return 0;
	}
	const scenarios = options.file === undefined ? [defaultScenario] : loadScenarios(options.file);
	if (scenarios === undefined) return 1;
	let status = 0;
	for (const scenario of scenarios) {
		if (scenarios.length > 1 && !options.json) console.log(`\n######## ${scenario.name} ########\n`);
		status = Math.max(status, runScenario(scenario, options));
	}
	return status;
}

function runScenario(scenario: Scenario, options: CliOptions): number {
	const started = performance.now();
	const long = scenario.devices.length > 200;
	const simulation = new DomainSimulation(scenario, {
		seed: options.seed,
		timeline: !options.quiet && !options.json && !long,
		deviceLogs: options.logs,
		// OpenSSL under the same contract: the same run as the portable suite (test/sim-engines.test.ts), faster.
		crypto: createNodeCryptoSuite,
		onProgress: (progress) => process.stderr.write(`\r  ${((100 * progress.time) / progress.durationMs).toFixed(0)}% of ${progress.durationMs} ms virtual, ${progress.events} events`),
	});
	const summary = simulation.run();
	if (long) process.stderr.write("\n");
	if (options.json) {
		console.log(JSON.stringify(summary, null, 2));
		return 0;
	}
	if (simulation.timeline.length > 0) printTimeline(simulation.timeline);
	printSummary(summary);
	console.error(`(simulated in ${((performance.now() - started) / 1000).toFixed(2)} s of wall time)`);
	const failed = summary.nonceReuses > 0 || summary.attacks.some((attack) => attack.acceptedForgery.length > 0) || summary.alerts.some((alert) => alert.unauthorisedReaders.length > 0);
	return failed ? 3 : 0;
}

process.exitCode = main();
