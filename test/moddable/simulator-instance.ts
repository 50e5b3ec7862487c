/**
 * Moddable simulator instances run headless for `npm run test:moddable` and bench/device.
 *
 * - One Xvfb per run, on a display it picks itself (`-displayfd`), so parallel runs never
 *   share a display.
 * - One mcsim per instance, with its own xsbug listener (a port the system picks), its own
 *   XDG_CONFIG_HOME (mcsim copies the app's mc.so into $XDG_CONFIG_HOME/tech.moddable.mcsim
 *   and dlopens that copy, piu/PC/lin/piuMain.c PiuConfigPath: instances sharing it overwrite
 *   each other's library and die of SIGBUS), and Picket's PICKET_SIM_* variables
 *   (hosts/moddable-sim/instance.ts: station, UDP port, Preference folder, radio range).
 * Every process here is ended by its own pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ModdableSdk } from "picket/test/moddable/moddable-sdk";
import { type Breakpoint, XsbugListener } from "picket/test/moddable/xsbug-listener";

export interface VirtualDisplay {
	readonly display: string;
	stop(): Promise<void>;
}

function stopProcess(child: ChildProcess, graceMs = 3_000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
		child.once("exit", () => {
			clearTimeout(kill);
			resolve();
		});
		child.kill("SIGTERM");
	});
}

/** Starts Xvfb on a free display. Throws when Xvfb is missing (the SDK's install.sh installs it). */
export function startVirtualDisplay(): Promise<VirtualDisplay> {
	return new Promise((resolve, reject) => {
		const xvfb = spawn("Xvfb", ["-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1024x768x24"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
		let number = "";
		let errors = "";
		const timer = setTimeout(() => {
			xvfb.kill("SIGKILL");
			reject(new Error(`Xvfb did not report a display within 10 s: ${errors}`));
		}, 10_000);
		xvfb.once("error", (error) => {
			clearTimeout(timer);
			reject(new Error(`cannot start Xvfb (${error.message}); install it with apt-get install xvfb`));
		});
		xvfb.stderr!.on("data", (data: Buffer) => (errors += data.toString()));
		(xvfb.stdio[3] as NodeJS.ReadableStream).on("data", (data: Buffer) => {
			number += data.toString();
			if (!number.includes("\n")) return;
			clearTimeout(timer);
			resolve({ display: `:${number.trim()}`, stop: () => stopProcess(xvfb) });
		});
	});
}

/** A base port such that base … base + count − 1 are free UDP ports on 127.0.0.1 right now. */
export async function freeUdpPorts(count: number): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const base = 20_000 + Math.floor(Math.random() * 40_000);
		const sockets = [];
		let free = true;
		for (let port = base; port < base + count && free; port++) {
			const socket = createSocket("udp4");
			free = await new Promise<boolean>((resolve) => {
				socket.once("error", () => resolve(false));
				socket.bind(port, "127.0.0.1", () => resolve(true));
			});
			sockets.push(socket);
		}
		for (const socket of sockets) socket.close();
		if (free) return base;
	}
	throw new Error("no range of free UDP ports found");
}

export interface InstanceOptions {
	readonly sdk: ModdableSdk;
	/** A name for logs ("alarm", "relay", …). */
	readonly name: string;
	/** The simulator library of the build (mcconfig-builds.ts simulatorLibrary). */
	readonly library: string;
	readonly display: string;
	/** The instance's folder: Preference store (PICKET_SIM_HOME), mcsim's config, mcsim's output. */
	readonly home: string;
	readonly station: number;
	readonly basePort: number;
	/** Stations this instance hears; all when absent. */
	readonly inRange?: readonly number[];
	/** TEST ONLY: the simulator presses its button this long after boot. */
	readonly testPressMs?: number;
	/** A gateway's command post: TCP port on 127.0.0.1 (PICKET_SIM_POST_PORT). */
	readonly postPort?: number;
	readonly breakpoints?: readonly Breakpoint[];
}

export class SimulatorInstance {
	/** For logs; the caller may rename a restarted instance. */
	name: string;
	readonly listener: XsbugListener;
	readonly #process: ChildProcess;

	private constructor(name: string, listener: XsbugListener, child: ChildProcess) {
		this.name = name;
		this.listener = listener;
		this.#process = child;
	}

	static async start(options: InstanceOptions): Promise<SimulatorInstance> {
		const config = join(options.home, "mcsim-config");
		mkdirSync(config, { recursive: true });
		const listener = await XsbugListener.open(options.breakpoints);
		const env: NodeJS.ProcessEnv = {
			...options.sdk.env,
			DISPLAY: options.display,
			XDG_CONFIG_HOME: config,
			XSBUG_HOST: "127.0.0.1",
			XSBUG_PORT: String(listener.port),
			PICKET_SIM_HOME: options.home,
			PICKET_SIM_STATION: String(options.station),
			PICKET_SIM_PORT: String(options.basePort),
		};
		if (options.inRange !== undefined) env.PICKET_SIM_IN_RANGE = options.inRange.join(",");
		if (options.testPressMs !== undefined) env.PICKET_SIM_TEST_PRESS_MS = String(options.testPressMs);
		if (options.postPort !== undefined) env.PICKET_SIM_POST_PORT = String(options.postPort);
		const output = createWriteStream(join(options.home, "mcsim.out"));
		const child = spawn(join(options.sdk.root, "build", "bin", "lin", "release", "mcsim"), [join(options.sdk.root, "build", "simulators"), options.library], {
			env,
			stdio: ["ignore", "pipe", "pipe"],
		});
		child.stdout!.pipe(output);
		child.stderr!.pipe(output);
		return new SimulatorInstance(options.name, listener, child);
	}

	/** True while mcsim runs. */
	get running(): boolean {
		return this.#process.exitCode === null && this.#process.signalCode === null;
	}

	/** How mcsim ended, once it has. */
	get exit(): string | undefined {
		if (this.running) return undefined;
		return this.#process.signalCode ?? `exit ${this.#process.exitCode}`;
	}

	async stop(): Promise<void> {
		await stopProcess(this.#process);
		await this.listener.close();
	}
}
