/**
 * The alarm scenario on Moddable simulator instances, with the commands the README's
 * simulator section gives (`npm run picket -- …`), for `npm run test:moddable` and
 * bench/device:
 *
 *   station 0  alarm           hears 1, 2      presses its panic button (test press)
 *   station 1  relay           hears 0, 2, 3   holds no group key: relays what it cannot read
 *   station 2  near responder  hears 0, 1      reads the alert, acknowledges over a Noise session
 *   station 3  far responder   hears 1         reads the relayed copy; acknowledges through the
 *                                              relay in mesh envelopes (README, "Session traffic
 *                                              across the mesh")
 *
 * The domain has groups intrusion=0 and panic=1; the alarm sends on panic (a settings
 * override written with its bundle, `--setting alertGroup=1`). A fifth member, a motion
 * sensor, has no instance: its bundle is for the motion-sensor board's NVS image.
 */
import type { MemberRole } from "picket/link/membership";
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DeviceRole } from "picket/device/device-settings";
import type { ModdableSdk } from "picket/test/moddable/moddable-sdk";
import { type InstanceOptions, SimulatorInstance } from "picket/test/moddable/simulator-instance";
import type { Breakpoint } from "picket/test/moddable/xsbug-listener";
import { projectRoot } from "picket/test/support/xs-runner";

export interface ScenarioDevice {
	readonly name: string;
	readonly role: DeviceRole;
	/** Member id: the order of `picket device add`. */
	readonly member: number;
	readonly groups?: string;
	readonly station: number;
	readonly inRange: readonly number[];
	readonly settings?: readonly string[];
}

export const SCENARIO_DEVICES: readonly ScenarioDevice[] = [
	{ name: "alarm", role: "alarm", member: 1, groups: "panic", station: 0, inRange: [1, 2], settings: ["alertGroup=1"] },
	{ name: "relay", role: "relay", member: 2, station: 1, inRange: [0, 2, 3] },
	{ name: "near-responder", role: "responder", member: 3, groups: "panic", station: 2, inRange: [0, 1] },
	{ name: "far-responder", role: "responder", member: 4, groups: "panic", station: 3, inRange: [1] },
];

/** The domain's members: the instances above, and a motion sensor (5), a gateway (6) and the command post (7) whose bundles only go to boards. */
export const DOMAIN_MEMBERS: readonly { readonly role: MemberRole; readonly member: number; readonly groups?: string }[] = [
	...SCENARIO_DEVICES,
	{ role: "sensor", member: 5, groups: "intrusion" },
	{ role: "gateway", member: 6, groups: "intrusion,panic" },
	{ role: "post", member: 7 },
];

export function bundlePath(work: string, member: number): string {
	return join(work, "site-a", "devices", `device-${member}.bundle`);
}

export interface CommandRun {
	readonly command: string;
	readonly ok: boolean;
	readonly output: string;
}

/** Runs `npm run -s picket -- <args>` as a user would; the passphrase and a light scrypt cost come from the environment. */
export function picketCommand(args: readonly string[], env: NodeJS.ProcessEnv): CommandRun {
	const result = spawnSync("npm", ["run", "-s", "picket", "--", ...args], { cwd: projectRoot, env, encoding: "utf8" });
	return { command: `npm run picket -- ${args.join(" ")}`, ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** The environment of the provisioning commands: a test passphrase, scrypt cost 2^10 (the default is for real domains). */
export function provisioningEnvironment(): NodeJS.ProcessEnv {
	return { ...process.env, PICKET_PASSPHRASE: "picket-simulator-test", PICKET_SCRYPT_LOG_N: "10", PICKET_INSECURE_TEST_KDF: "1" };
}

/** The domain folder and one instance folder per device: `picket domain init`, `device add`, `target sim`. */
export function provisionScenario(work: string): CommandRun[] {
	const env = provisioningEnvironment();
	const domain = join(work, "site-a");
	rmSync(domain, { recursive: true, force: true });
	const runs = [picketCommand(["domain", "init", "-d", domain, "-g", "intrusion=0", "-g", "panic=1"], env)];
	// The whole site in one epoch: enrol everyone, then issue each bundle (a bundle written at
	// each add would close the epoch to the next enrolment: issue 12, item 5).
	for (const device of DOMAIN_MEMBERS) runs.push(picketCommand(["device", "add", "-d", domain, "--role", device.role, ...(device.groups === undefined ? [] : ["--groups", device.groups]), "--no-bundle"], env));
	for (const device of DOMAIN_MEMBERS) runs.push(picketCommand(["device", "issue", String(device.member), "-d", domain], env));
	for (const device of SCENARIO_DEVICES) {
		const home = instanceHome(work, device.name);
		rmSync(home, { recursive: true, force: true });
		const bundle = bundlePath(work, device.member);
		runs.push(picketCommand(["target", "sim", "--bundle", bundle, "--role", device.role, "--home", home, ...(device.settings ?? []).flatMap((setting) => ["--setting", setting])], env));
	}
	return runs;
}

export function instanceHome(work: string, name: string): string {
	return join(work, "instances", name);
}

export interface ScenarioRun {
	readonly instances: ReadonlyMap<string, SimulatorInstance>;
	/** True once the alarm logged an acknowledgement and the far responder its dropped acknowledgement. */
	readonly settled: boolean;
}

export interface ScenarioOptions {
	readonly sdk: ModdableSdk;
	readonly work: string;
	readonly display: string;
	readonly basePort: number;
	/** The simulator library per role. */
	readonly libraries: Readonly<Record<DeviceRole, string>>;
	/** When the alarm presses its button, after its boot. */
	readonly pressAfterMs?: number;
	readonly breakpoints?: readonly Breakpoint[];
	readonly timeoutMs?: number;
	/** Called with each instance's log lines as they arrive. */
	readonly transcript?: (name: string, text: string) => void;
}

export const BOOT_LINE = /^picket moddable-sim\/\d+: member \d+ as /;

export function startDevice(options: ScenarioOptions, device: ScenarioDevice, extra: Partial<InstanceOptions> = {}): Promise<SimulatorInstance> {
	return SimulatorInstance.start({
		sdk: options.sdk,
		name: device.name,
		library: options.libraries[device.role],
		display: options.display,
		home: instanceHome(options.work, device.name),
		station: device.station,
		basePort: options.basePort,
		inRange: device.inRange,
		...(options.breakpoints === undefined ? {} : { breakpoints: options.breakpoints }),
		...extra,
	}).then((instance) => {
		const transcript = options.transcript;
		if (transcript !== undefined) instance.listener.onLine = (line) => transcript(device.name, line.text);
		return instance;
	});
}

/** Boots the devices, presses the alarm's button, and waits for the acknowledgement. The caller stops the instances. */
/** The far responder (member 4) reached the alarm through the relay: its session frame, at its mesh address (picket/link/mesh-envelope). */
export const FAR_ACKNOWLEDGEMENT = /^air: session frame from 03504b4d0004: command$/;

export async function runAlarmScenario(options: ScenarioOptions): Promise<ScenarioRun> {
	const instances = new Map<string, SimulatorInstance>();
	for (const device of SCENARIO_DEVICES) {
		if (!existsSync(instanceHome(options.work, device.name))) throw new Error(`instance ${device.name} is not provisioned`);
	}
	// The alarm starts last, once the others listen, and presses its button soon after its boot.
	for (const device of SCENARIO_DEVICES.filter((candidate) => candidate.role !== "alarm")) instances.set(device.name, await startDevice(options, device));
	const timeoutMs = options.timeoutMs ?? 30_000;
	await Promise.all([...instances.values()].map((instance) => instance.listener.waitFor(() => instance.listener.logged(BOOT_LINE), timeoutMs)));
	const alarm = await startDevice(options, SCENARIO_DEVICES.find((device) => device.role === "alarm")!, { testPressMs: options.pressAfterMs ?? 2_000 });
	instances.set("alarm", alarm);
	const far = instances.get("far-responder");
	const settled = await alarm.listener.waitFor(() => alarm.listener.logged(/^policy acknowledge: /) && (far === undefined || alarm.listener.logged(FAR_ACKNOWLEDGEMENT)), timeoutMs);
	return { instances, settled };
}
