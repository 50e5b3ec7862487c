/**
 * The app built with the real mcconfig, as `npm run test:moddable` and bench/device need it:
 *
 * - the Moddable simulator (lin) for one role: `mcconfig -d -m -t build -p sim/nodemcu -o <out>
 *   ./manifest.json picketRole=<role>`, each role into its own folder. Never without `-t
 *   build`: the lin makefile's default rule runs `pkill mcsim` and `pkill serial2xsbug`. A
 *   role may start from a copy of an earlier role's folder (timestamps kept): the roles
 *   differ only in mc/config, so make redoes config, xsl, and the link, and not the ~50 tsc
 *   runs (mcconfig type-checks each .ts file in its own tsc process).
 * - an ESP32 board through manifest, tsc, xsc and xsl: `mcconfig -d -p esp32:./hosts/esp32/<b>
 *   -o <out> ./manifest.json` writes the makefile (without -m mcconfig does not run make; it
 *   needs IDF_PATH only to find the ESP-IDF include folders the manifest names), then `make`
 *   builds the makefile's own xsl target, $(TMP_DIR)/mc.xs.c. ESP-IDF's tools are not here:
 *   IDF_VERSION is given so the makefile parses, and its sdkconfig.h is declared old (`make
 *   -o`) so `idf.py reconfigure` never runs; the build stops after xsl, before the C
 *   compilation that needs the Xtensa toolchain. The boards, too, may start
 *   from a copy of an earlier board's build: their generated tsconfig-base.json is the same
 *   (the board folders differ only in config and in their IO provider, a .js module).
 * A folder that already exists is built incrementally, as make does; a seed is only copied
 * into a folder that does not exist yet.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DeviceRole } from "picket/device/device-settings";
import type { ModdableSdk } from "picket/test/moddable/moddable-sdk";
import { projectRoot } from "picket/test/support/xs-runner";

/** The app's NAME (manifest.json "build"), which names its output folders. */
const APP_NAME = "picket";

export interface BuildResult {
	readonly name: string;
	/** The mcconfig command line, for the report. */
	readonly command?: string;
	readonly ok: boolean;
	readonly seconds: number;
	/** The last stage the build's output announced ("tsc", "xsc", "xsl", "cc", "ld", …). */
	readonly stage: string;
	/** The end of the output, for a failure's report. */
	readonly tail: string;
}

interface Run {
	readonly ok: boolean;
	readonly output: string;
}

function run(env: NodeJS.ProcessEnv, command: string, args: readonly string[], cwd: string): Run {
	const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
	const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error === undefined ? "" : String(result.error)}`;
	return { ok: result.status === 0, output };
}

/** The last "# <tool> …" progress line of mcconfig's makefiles: which stage ran last. */
function lastStage(output: string): string {
	const stages = [...output.matchAll(/^# (tsc|xsc|xsid|xsl|mcrez|cc|ld)\b/gm)].map((match) => match[1]!);
	return stages.at(-1) ?? "manifest";
}

function tail(output: string, lines = 25): string {
	return output
		.split("\n")
		.filter((line) => !/not frozen|no const|^# (tsc|xsc|xsid|cc) /.test(line))
		.slice(-lines)
		.join("\n");
}

function result(name: string, started: number, outcome: Run, stage = lastStage(outcome.output)): BuildResult {
	return { name, ok: outcome.ok, seconds: (Date.now() - started) / 1000, stage, tail: tail(outcome.output) };
}

/** Copies `from` (timestamps kept, so make finds its outputs up to date) to `to` when `to` does not exist. */
function seed(from: string | undefined, to: string): void {
	if (from !== undefined && existsSync(from) && !existsSync(to)) cpSync(from, to, { recursive: true, preserveTimestamps: true });
	mkdirSync(to, { recursive: true });
}

/** Where a lin build puts the simulator's library. */
export function simulatorLibrary(outFolder: string): string {
	return join(outFolder, "bin", "lin", "nodemcu", "debug", APP_NAME, "mc.so");
}

/** Builds the Moddable simulator for `role` into `outFolder`, starting from a copy of `seedFolder` when given. */
export function buildSimulator(sdk: ModdableSdk, role: DeviceRole, outFolder: string, seedFolder?: string): BuildResult {
	const started = Date.now();
	seed(seedFolder, outFolder);
	const command = ["mcconfig", "-d", "-m", "-t", "build", "-p", "sim/nodemcu", "-o", outFolder, "./manifest.json", `picketRole=${role}`];
	const outcome = run(sdk.env, command[0]!, command.slice(1), projectRoot);
	const built = outcome.ok && existsSync(simulatorLibrary(outFolder));
	return { ...result(`lin ${role}`, started, { ok: built, output: outcome.output }), command: command.join(" ") };
}

/** Where test:moddable and bench/device build and run: build/moddable in the project. */
export const MODDABLE_WORK = join(projectRoot, "build", "moddable");

/** Builds the simulator for each role into MODDABLE_WORK/lin-<role>, the first successful one seeding the others. */
export function buildSimulators(sdk: ModdableSdk, roles: Iterable<DeviceRole>): { readonly results: BuildResult[]; readonly libraries: Partial<Record<DeviceRole, string>> } {
	const results: BuildResult[] = [];
	const libraries: Partial<Record<DeviceRole, string>> = {};
	let seedFolder: string | undefined;
	for (const role of roles) {
		const out = join(MODDABLE_WORK, `lin-${role}`);
		const build = buildSimulator(sdk, role, out, seedFolder);
		results.push(build);
		if (!build.ok) continue;
		libraries[role] = simulatorLibrary(out);
		seedFolder ??= out;
	}
	return { results, libraries };
}

/** An earlier board's build, to start from. */
export interface BoardSeed {
	readonly board: string;
	readonly folder: string;
}

/**
 * Builds the ESP32 board `board` (a folder of hosts/esp32) through xsl into `outFolder`,
 * starting from a copy of `from` when given; `idfPath` holds ESP-IDF's folders (moddable-sdk.ts findEspIdf).
 */
export function buildBoardThroughXsl(sdk: ModdableSdk, idfPath: string, board: string, outFolder: string, from?: BoardSeed): BuildResult {
	const env = { ...sdk.env, IDF_PATH: idfPath };
	const started = Date.now();
	const name = `esp32 ${board}`;
	if (!existsSync(outFolder) && from !== undefined) seed(join(from.folder, "tmp", "esp32", from.board), join(outFolder, "tmp", "esp32", board));
	mkdirSync(outFolder, { recursive: true });
	const manifest = run(env, "mcconfig", ["-d", "-p", `esp32:./hosts/esp32/${board}`, "-o", outFolder, "./manifest.json"], projectRoot);
	const tmp = join(outFolder, "tmp", "esp32", board, "debug", APP_NAME);
	const makefile = join(tmp, "makefile");
	if (!manifest.ok || !existsSync(makefile)) return result(name, started, { ok: false, output: manifest.output }, "manifest");
	// A value the makefile would get from an ESP-IDF checkout, and rules that must never run here.
	const overrides = [`IDF_PATH=${idfPath}`, "IDF_VERSION=v6.0", "KILL_SERIAL2XSBUG=", "KILL_SIMULATOR=", "START_XSBUG="];
	const printed = run(env, "make", ["-s", "-f", makefile, ...overrides, "--eval", "picket-print-%: ; @echo $($*)", "picket-print-SDKCONFIG_H"], tmp);
	const sdkconfig = printed.output.split("\n").find((line) => line.endsWith("sdkconfig.h"));
	if (!printed.ok || sdkconfig === undefined) return result(name, started, { ok: false, output: printed.output }, "manifest");
	const xsl = run(env, "make", ["-f", makefile, ...overrides, "-o", sdkconfig, join(tmp, "mc.xs.c")], tmp);
	const output = xsl.output
		.split("\n")
		.filter((line) => !line.startsWith("fatal: not a git repository")) // the makefile's `git describe` in a header pack
		.join("\n");
	const ok = xsl.ok && existsSync(join(tmp, "mc.xs.c"));
	// Up to date, make prints no stage; its target, the output of xsl, is there.
	return result(name, started, { ok, output }, ok ? "xsl" : lastStage(output));
}
