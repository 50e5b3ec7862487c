/**
 * `npm run test:moddable`: the firmware under the real Moddable SDK.
 *
 *   1. mcconfig builds the Moddable simulator (lin) for every role, each into its own folder;
 *   2. mcconfig builds every ESP32 board (hosts/esp32/<board>) through manifest, tsc, xsc and
 *      xsl, and stops there (no ESP-IDF here: mcconfig-builds.ts);
 *   3. the README's provisioning commands make a domain and write each device's bundle into
 *      its simulator instance's Preference store (`picket target sim`), and an NVS image for
 *      each board (`picket target nvs`), read back with an independent NVS reader;
 *   4. four instances run headless under Xvfb (alarm-scenario.ts): a panic press on the alarm
 *      is read by a responder, relayed by a relay that cannot read it, and acknowledged over a
 *      Noise session; a fifth, unprovisioned, instance must warn and keep running; the alarm
 *      boots a second time from its store.
 * The checks read what each instance logs through its xsbug connection. Ends with
 * `N passed, N failed`; exits 1 on any failure. Without an SDK it prints one "skipped: …"
 * line and exits 0 (moddable-sdk.ts).
 */
import { eventually, startGatewayWithPost } from "picket/test/moddable/gateway-post";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { PowerSafeStorage } from "picket/core/power-safe-storage";
import { FrameKind, frameByte0 } from "picket/link/frame-kind";
import { DEVICE_ROLES, type DeviceRole } from "picket/device/device-settings";
import { loadCredentials } from "picket/provisioning/keystore";
import {
	BOOT_LINE,
	DOMAIN_MEMBERS,
	SCENARIO_DEVICES,
	type ScenarioOptions,
	bundlePath,
	instanceHome,
	picketCommand,
	provisionScenario,
	provisioningEnvironment,
	FAR_ACKNOWLEDGEMENT,
	runAlarmScenario,
	startDevice,
} from "picket/test/moddable/alarm-scenario";
import { type BoardSeed, MODDABLE_WORK, buildBoardThroughXsl, buildSimulators } from "picket/test/moddable/mcconfig-builds";
import { findEspIdf, moddableSdkOrSkip } from "picket/test/moddable/moddable-sdk";
import { SimulatorInstance, freeUdpPorts, startVirtualDisplay } from "picket/test/moddable/simulator-instance";
import type { XsbugListener } from "picket/test/moddable/xsbug-listener";
import { readNvsPartition, readOnlyPreference } from "picket/test/support/nvs-reader";
import { projectRoot } from "picket/test/support/xs-runner";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { MODDABLE_NVS_OFFSET, MODDABLE_NVS_SIZE } from "picket/tools/target/nvs-image";

let passed = 0;
let failed = 0;

function check(ok: boolean, name: string, detail?: string): boolean {
	if (ok) passed++;
	else failed++;
	console.log(`${ok ? "ok" : "not ok"} ${passed + failed} - ${name}`);
	if (!ok && detail !== undefined && detail !== "") console.log(detail.replace(/^/gm, "#   "));
	return ok;
}

function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function transcript(listener: XsbugListener, lines = 12): string {
	return listener.logs
		.filter((line) => !line.text.startsWith("# Exception"))
		.slice(-lines)
		.map((line) => line.text)
		.join("\n");
}

const FINGERPRINT = /^random: first draw fingerprint ([0-9a-f]{16})$/;

function fingerprint(listener: XsbugListener): string | undefined {
	return FINGERPRINT.exec(listener.find(FINGERPRINT)?.text ?? "")?.[1];
}

function boards(): string[] {
	const folder = join(projectRoot, "hosts", "esp32");
	return readdirSync(folder, { withFileTypes: true })
		.filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, "manifest.json")))
		.map((entry) => entry.name)
		.sort();
}

async function main(): Promise<void> {
	const sdk = moddableSdkOrSkip();
	if (sdk === undefined) return;
	console.log(`# Moddable SDK ${sdk.root} (found through ${sdk.origin})`);
	const work = MODDABLE_WORK;
	const stageTimes: string[] = [];

	let started = Date.now();
	const { results, libraries } = buildSimulators(sdk, DEVICE_ROLES);
	for (const build of results) check(build.ok, `${build.name}: ${build.command} (${build.seconds.toFixed(1)} s)`, `stopped at ${build.stage}\n${build.tail}`);
	stageTimes.push(`lin builds ${seconds(started)}`);

	started = Date.now();
	let boardSeed: BoardSeed | undefined;
	const idf = findEspIdf();
	const idfPath = "path" in idf ? idf.path : undefined;
	if ("skipped" in idf) console.log(`skipped: esp32 builds (the manifest's esp32 platform names ESP-IDF's include folders): ${idf.skipped}`);
	for (const board of idfPath === undefined ? [] : boards()) {
		const folder = join(work, `esp32-${board}`);
		const build = buildBoardThroughXsl(sdk, idfPath!, board, folder, boardSeed);
		if (build.ok) boardSeed ??= { board, folder };
		check(
			build.ok && build.stage === "xsl",
			`esp32 ${board}: manifest, tsc, xsc and xsl pass; stopped after ${build.stage} (mc.xs.c written; ESP-IDF's C build is not run here) (${build.seconds.toFixed(1)} s)`,
			build.tail,
		);
	}
	stageTimes.push(`esp32 builds ${seconds(started)}`);
	if (idfPath !== undefined) checkCreation(sdk.root, work);
	checkNvsPartition(sdk.root);

	started = Date.now();
	const provisioning = provisionScenario(work);
	for (const run of provisioning) check(run.ok, run.command.split(work).join("<work>"), run.output);
	if (provisioning.every((run) => run.ok)) provisionBoards(work);
	stageTimes.push(`provisioning ${seconds(started)}`);

	if (DEVICE_ROLES.some((role) => libraries[role] === undefined) || provisioning.some((run) => !run.ok)) {
		check(false, "simulator instances: not run, a build or a provisioning command failed");
	} else {
		started = Date.now();
		await runSimulators(sdk, work, libraries as Record<DeviceRole, string>);
		stageTimes.push(`simulators ${seconds(started)}`);
	}
	console.log(`# stage times: ${stageTimes.join(", ")}`);
}

/** `-c chunk,chunk increment,slots,slot increment,stack,…` as the generated makefile passes it to xsl. */
function creationOf(makefile: string): number[] | undefined {
	if (!existsSync(makefile)) return undefined;
	return /^CREATION = -c ([0-9,]+),/m.exec(readFileSync(makefile, "utf8"))?.[1]?.split(",").slice(0, 5).map(Number);
}

function checkCreation(sdkRoot: string, work: string): void {
	const lin = creationOf(join(work, "lin-alarm", "tmp", "lin", "nodemcu", "debug", "picket", "makefile"));
	const board = boards()[0];
	const esp32 = board === undefined ? undefined : creationOf(join(work, `esp32-${board}`, "tmp", "esp32", board, "debug", "picket", "makefile"));
	// Moddable's default ESP32 target (build/devices/esp32/targets/nodemcu/manifest.json).
	const defaults = JSON.parse(readFileSync(join(sdkRoot, "build", "devices", "esp32", "targets", "nodemcu", "manifest.json"), "utf8")) as { creation: { chunk: { initial: number }; heap: { initial: number }; stack: number } };
	const [chunk, chunkIncrement, slots, slotIncrement, stack] = lin ?? [];
	check(
		lin !== undefined && esp32 !== undefined && lin.join() === esp32.join() && chunkIncrement === 0 && slotIncrement === 0 && chunk! <= defaults.creation.chunk.initial && slots! <= defaults.creation.heap.initial && stack! <= defaults.creation.stack,
		`creation: lin runs with the ESP32's (${chunk} B chunk, ${slots} slots, ${stack} stack, no growth), within Moddable's ESP32 defaults (${defaults.creation.chunk.initial} B, ${defaults.creation.heap.initial} slots, ${defaults.creation.stack})`,
		`lin ${lin?.join(",")}, esp32 ${esp32?.join(",")}`,
	);
}

function checkNvsPartition(sdkRoot: string): void {
	const table = readFileSync(join(sdkRoot, "build", "devices", "esp32", "xsProj-esp32", "partitions.csv"), "utf8");
	const nvs = /^nvs,\s*data,\s*nvs,\s*(0x[0-9a-fA-F]+),\s*(0x[0-9a-fA-F]+)/m.exec(table);
	check(
		nvs !== null && Number(nvs[1]) === MODDABLE_NVS_OFFSET && Number(nvs[2]) === MODDABLE_NVS_SIZE,
		`picket target nvs: its default offset and size are the nvs partition of the SDK's partitions.csv (${nvs?.[1]}, ${nvs?.[2]})`,
	);
}

/** `picket target nvs` for each board, with the bundle of a device of its role; the image read back and loaded as the device would. */
function provisionBoards(work: string): void {
	const crypto = createNodeCryptoSuite();
	for (const board of boards()) {
		const config = JSON.parse(readFileSync(join(projectRoot, "hosts", "esp32", board, "manifest.json"), "utf8")) as { config: { picket: { role: DeviceRole } } };
		const role = config.config.picket.role;
		const member = DOMAIN_MEMBERS.find((candidate) => candidate.role === role);
		if (member === undefined) {
			check(false, `esp32 ${board}: no member of role ${role} in the test's domain`);
			continue;
		}
		const image = join(work, `esp32-${board}`, "nvs.bin");
		mkdirSync(dirname(image), { recursive: true });
		const run = picketCommand(["target", "nvs", "--bundle", bundlePath(work, member.member), "--role", role, "-o", image], provisioningEnvironment());
		if (!check(run.ok && run.output.includes("write_flash 0x9000 "), run.command.split(work).join("<work>"), run.output)) continue;
		let loaded: string;
		try {
			const credentials = loadCredentials(new PowerSafeStorage(readOnlyPreference(readNvsPartition(new Uint8Array(readFileSync(image))).namespaces)), crypto);
			loaded = `device ${credentials.deviceId} as ${credentials.self.role}`;
		} catch (error) {
			loaded = String(error);
		}
		check(loaded === `device ${member.member} as ${role}`, `esp32 ${board}: the NVS image, read back by an independent NVS reader, holds the bundle the keystore loads (${loaded})`);
	}
}

/** Sends `count` forged frames (alert, handshake message 1, session, in turn; random bodies) to station `station`, as from station 1. */
async function flood(basePort: number, station: number, count: number): Promise<void> {
	const socket = createSocket("udp4");
	const kinds = [frameByte0(FrameKind.Alert, 4), frameByte0(FrameKind.Handshake, 1), frameByte0(FrameKind.Session, 0)];
	for (let i = 0; i < count; i++) {
		const frame = randomBytes(20 + ((i * 37) % 200));
		frame[0] = kinds[i % kinds.length]!;
		await new Promise((resolve) => socket.send(Buffer.concat([Buffer.of(2, 0, 0, 0, 0, 1), frame]), basePort + station, "127.0.0.1", resolve));
	}
	socket.close();
}

async function runSimulators(sdk: ScenarioOptions["sdk"], work: string, libraries: Record<DeviceRole, string>): Promise<void> {
	const display = await startVirtualDisplay();
	const basePort = await freeUdpPorts(8);
	console.log(`# simulators on display ${display.display}, UDP ports ${basePort}..${basePort + 7}`);
	const options: ScenarioOptions = { sdk, work, display: display.display, basePort, libraries };
	const everyone: SimulatorInstance[] = [];
	let closeGateway: (() => Promise<void>) | undefined;
	try {
		const unprovisionedHome = instanceHome(work, "unprovisioned");
		rmSync(unprovisionedHome, { recursive: true, force: true });
		const unprovisioned = await SimulatorInstance.start({ sdk, name: "unprovisioned", library: libraries.alarm, display: display.display, home: unprovisionedHome, station: 5, basePort, inRange: [] });
		everyone.push(unprovisioned);
		// The gateway listens before the alarm presses, so it reads the panic and reports it to a real post.
		const gateway = await startGatewayWithPost(options);
		closeGateway = gateway.close;
		check(gateway.provisioning.ok, gateway.provisioning.command.split(work).join("<work>"), gateway.provisioning.output);
		if (gateway.instance !== undefined) everyone.push(gateway.instance);
		const run = await runAlarmScenario(options);
		everyone.push(...run.instances.values());
		if (gateway.instance !== undefined) {
			const listener = gateway.instance.listener;
			const up = await listener.waitFor(() => listener.logged(/^post link up \(post 7\)$/), 10_000);
			check(up && gateway.post.log.events("link-up").length > 0, "gateway instance: authenticated to the command post over TCP (Noise KKpsk0, keys from the roster)", transcript(listener));
			const stored = await eventually(() => gateway.post.log.alerts().some((alert) => alert.source === 1 && alert.event === "panic"), 10_000);
			check(stored, `command post: stored the alarm's panic, read and reported by the gateway instance (${gateway.post.log.count("alerts")} alerts in its log)`, transcript(listener));
		}
		check(run.settled, "the alarm logged an acknowledgement and received the far responder's through the relay, within 30 s");

		const log = (name: string): XsbugListener => run.instances.get(name)!.listener;
		const alarm = log("alarm");
		for (const device of SCENARIO_DEVICES) {
			const listener = log(device.name);
			check(
				listener.logged(new RegExp(`^picket moddable-sim/${device.station}: member ${device.member} as ${device.role}, `)),
				`${device.name}: booted from its own store as member ${device.member} (${device.role}), station ${device.station}`,
				transcript(listener),
			);
		}
		const incident = /^policy raise: panic incident (\d+) severity \d$/.exec(alarm.find(/^policy raise: panic /)?.text ?? "")?.[1];
		check(incident !== undefined, `alarm: the test press raised a panic incident (${incident ?? "none"})`, transcript(alarm));
		const relay = log("relay");
		check(relay.logged(/^air: alert from 1 group 1 relay-only \(no group key\), relaying$/), "relay: relayed the alarm's alert without a key to read it", transcript(relay));
		check(!relay.logged(/^policy alert/), "relay: never read an alert", transcript(relay));
		const near = log("near-responder");
		check(near.logged(new RegExp(`^policy alert: panic incident ${incident} severity \\d from 1$`)), "near responder: decrypted the alert and sounded", transcript(near));
		check(near.logged(/^session: acknowledge for 1$/), "near responder: acknowledged to the alarm", transcript(near));
		check(alarm.logged(/^air: session frame from 020000000002: handled$/), "alarm: answered the near responder's Noise handshake", transcript(alarm));
		check(alarm.logged(new RegExp(`^policy acknowledge: incident ${incident} by 3$`)), "alarm: the acknowledgement arrived over the Noise session and ended its incident", transcript(alarm));
		const far = log("far-responder");
		check(far.logged(new RegExp(`^policy alert: panic incident ${incident} severity \\d from 1$`)), "far responder (hears only the relay): decrypted the relayed alert and sounded", transcript(far));
		check(far.logged(/^session: acknowledge for 1$/) && !far.logged(/not-neighbour/), "far responder: acknowledged to the alarm, out of its range", transcript(far));
		check(relay.logged(/^air: envelope for another member, relaying$/), "relay: carried the far responder's session frames in mesh envelopes without reading them", transcript(relay));
		check(alarm.logged(FAR_ACKNOWLEDGEMENT), "alarm: the far responder's acknowledgement arrived through the relay, over their Noise session", transcript(alarm));

		// An attacker on the loopback "air": forged frames of every kind, claiming the relay's MAC,
		// in one burst at the near responder. It must drop them (8 queued, the rest counted by its
		// radio), log the rejections and keep running within the ESP32's fixed heap and stack.
		await flood(basePort, 2, 300);
		await near.waitFor(() => near.logged(/^air: (alert rejected|session frame from 020000000001: rejected)/), 5_000);
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		check(
			near.logged(/^air: alert rejected \(/) && near.logged(/^air: session frame from 020000000001: rejected \(/) && !near.logged(/XS abort/) && run.instances.get("near-responder")!.running,
			"near responder: a burst of 300 forged alert, handshake and session frames is rejected, and it keeps running",
			transcript(near),
		);

		check(
			unprovisioned.listener.logged(/^warning: not provisioned \(no-bundle\): write this device's bundle with `npm run picket -- target sim`/),
			"unprovisioned instance: warned with the provisioning command (a PicketError works in the linked image)",
			transcript(unprovisioned.listener),
		);

		// Second boot of the alarm: same store, new draw.
		const firstBoot = fingerprint(alarm);
		const alarmInstance = run.instances.get("alarm")!;
		await alarmInstance.stop();
		const again = await startDevice(options, SCENARIO_DEVICES[0]!);
		again.name = "alarm (second boot)";
		everyone.push(again);
		const rebooted = await again.listener.waitFor(() => again.listener.logged(BOOT_LINE), 20_000);
		check(rebooted, "alarm: a second boot loads the bundle its store kept", transcript(again.listener));

		const prints = [...run.instances.values()].map((instance) => (instance === alarmInstance ? firstBoot : fingerprint(instance.listener)));
		const distinct = new Set(prints.filter((print) => print !== undefined));
		check(distinct.size === SCENARIO_DEVICES.length, `random: the ${SCENARIO_DEVICES.length} instances drew different first values (${prints.join(" ")})`);
		const secondBoot = fingerprint(again.listener);
		check(secondBoot !== undefined && firstBoot !== undefined && secondBoot !== firstBoot, `random: the alarm's two boots drew different first values (${firstBoot} then ${secondBoot})`);

		for (const instance of everyone) {
			const listener = instance.listener;
			const fatal = listener.find(/XS abort|stack overflow|memory full|# Break/);
			check(fatal === undefined && listener.breaks.length === 0 && (instance.running || instance === alarmInstance), `${instance.name}: no abort, no break, still running at the end (ESP32 creation: 64 KB chunk, 4,096 slots, 512 stack)`, fatal?.text ?? instance.exit ?? transcript(listener));
		}
		for (const instance of [...run.instances.values(), unprovisioned]) {
			console.log(`# ${instance.name}:`);
			for (const line of instance.listener.logs.filter((entry) => !entry.text.startsWith("# Exception")).slice(0, 14)) console.log(`#   ${line.text}`);
		}
	} finally {
		await Promise.all(everyone.map((instance) => instance.stop()));
		await closeGateway?.();
		await display.stop();
	}
}

try {
	await main();
} catch (error) {
	check(false, `test:moddable stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
if (passed + failed > 0) console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
