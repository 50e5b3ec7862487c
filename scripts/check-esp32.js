#!/usr/bin/env node
// npm run check:esp32: every device C file (hosts/esp32/**/*.c, modules/**/native/*.c) compiled
// with the host's gcc (-fsyntax-only) against ESP-IDF v6.0's headers and the Moddable SDK, with
// the very include folders, defines and C dialect that Moddable's ESP32 make uses for this
// app, for every board and for release and debug builds. Warnings in Picket's own files are
// errors. Then the fixtures in test/fixtures/esp32-check/ prove the check can fail: each wrong
// ESP-NOW call there must be rejected with the error it names.
//
// Where the flags come from (nothing is copied by hand):
//   1. `mcconfig -p esp32:./hosts/esp32/<board>` (no -m: it only generates) writes the app's
//      makefile, mc.defines.h (the manifest's "defines") and mc.config.js. The makefile is
//      Moddable's tools/mcconfig/make.esp32.mk with the app's DIRECTORIES (the manifest's C
//      folders, including the ESP-IDF folders the esp32 platform adds) and C_FLAGS_SUBPLATFORM.
//   2. make itself prints C_DEFINES, C_FLAGS and C_INCLUDES from that makefile (make.esp32.mk:
//      INC_DIRS, XS_DIRS, C_DEFINES, C_COMMON_FLAGS, C_FLAGS), with IDF_PATH at the headers
//      and SDKCONFIG_H_DIR at hosts/esp32/compile-check/ (IDF generates sdkconfig.h per project;
//      Picket keeps a hand-written one, see that file).
//   3. mc.xs.h, which mcconfig's xsl generates from all modules, is generated here by the
//      SDK's own xsc, xsid and xsl from the native modules' JS halves and C files only: it then
//      declares the host functions those .js files bind (so a C signature that disagrees fails)
//      and defines the xsID_ of every identifier the C files use, as the full link would.
//   Kept from Moddable's flags: -D, -U, -I (as -isystem, so warnings inside ESP-IDF, FreeRTOS
//   and XS headers stay theirs) and -std. Dropped: code generation (-Os, -g, -mlongcalls,
//   -mtext-section-literals, -f...), dependency and link flags, -c, and Moddable's own -W
//   choices (-Wno-implicit-function-declaration would hide a missing prototype); Picket's
//   warnings below replace them.
//   The host compiler stands in for xtensa-esp32-elf-gcc: -m32 (ILP32, as Xtensa), the
//   __XTENSA__ macros that compiler predefines (IDF headers pick their Xtensa branches by
//   them), int32_t as long (the ESP-IDF >= 5.0 toolchains), and newlib's headers (Debian's
//   libnewlib-dev 3.3; IDF 6.0 ships newlib 4.x, hence one shim in compile-check/newlib-shim).
//
// Inputs, honoured in this order: $MODDABLE (an SDK installed by its own guide, tools on PATH
// or in $MODDABLE/build/bin/lin/release), else ../shared/moddable/install.sh; $IDF_PATH (a real
// ESP-IDF v6.0 checkout), else ../shared/esp-idf's header pack, unpacked once into build/. One
// "skipped" line when neither is there.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, "build", "esp32-check");
const checkDir = join(root, "hosts", "esp32", "compile-check");
const fixturesDir = join(root, "test", "fixtures", "esp32-check");
const shared = join(root, "..", "shared");

const TOOLCHAIN_FLAGS = [
	"-m32",
	"-D__XTENSA__=1",
	"-D__xtensa__=1",
	"-D__XTENSA_EL__=1",
	"-D__XTENSA_WINDOWED_ABI__=1",
	"-U__INT32_TYPE__",
	"-D__INT32_TYPE__=long int",
	"-U__UINT32_TYPE__",
	"-D__UINT32_TYPE__=long unsigned int",
	"-U__INT_LEAST32_TYPE__",
	"-D__INT_LEAST32_TYPE__=long int",
	"-U__UINT_LEAST32_TYPE__",
	"-D__UINT_LEAST32_TYPE__=long unsigned int",
];
/** Picket's own warnings: the set hosts/xs/Makefile uses for the host build, as errors. */
const WARNING_FLAGS = ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-Werror"];
const NEWLIB_INCLUDE = "/usr/include/newlib";

function say(line) {
	console.log(`check:esp32: ${line}`);
}

function skip(reason) {
	say(`skipped: ${reason}`);
	process.exit(0);
}

function fail(message) {
	console.error(`check:esp32: FAILED: ${message}`);
	process.exit(1);
}

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
	if (result.error) return { status: 127, stdout: "", stderr: String(result.error) };
	return result;
}

function runOrFail(command, args, options) {
	const result = run(command, args, options);
	if (result.status !== 0) fail(`${command} ${args.join(" ")}\n${result.stdout}${result.stderr}`);
	return result.stdout;
}

function filesUnder(folder, predicate) {
	if (!existsSync(folder)) return [];
	return readdirSync(folder, { recursive: true, encoding: "utf8" })
		.filter(predicate)
		.map((file) => join(folder, file))
		.sort();
}

/** The Moddable SDK: { moddable, bin } with xsc, xsid, xsl and mcconfig in bin. */
function findModdable() {
	if (process.env.MODDABLE) {
		const moddable = process.env.MODDABLE;
		if (!existsSync(join(moddable, "xs", "includes", "xsmc.h"))) skip(`$MODDABLE (${moddable}) holds no xs/includes/xsmc.h`);
		const built = join(moddable, "build", "bin", "lin", "release");
		return { moddable, bin: existsSync(join(built, "xsl")) ? built : undefined };
	}
	const installer = join(shared, "moddable", "install.sh");
	if (!existsSync(installer)) skip("no Moddable SDK ($MODDABLE unset and ../shared/moddable absent)");
	const exports = runOrFail("bash", [installer], { stdio: ["ignore", "pipe", "inherit"] });
	const moddable = (exports.match(/^export MODDABLE='([^']+)'/m) ?? [])[1];
	if (!moddable) fail(`install.sh printed no MODDABLE:\n${exports}`);
	return { moddable, bin: join(moddable, "build", "bin", "lin", "release") };
}

/** ESP-IDF's headers: $IDF_PATH, else the team's v6.0.0 header pack unpacked under build/. */
function findIdf() {
	const marker = ["components", "esp_wifi", "include", "esp_now.h"];
	if (process.env.IDF_PATH) {
		if (!existsSync(join(process.env.IDF_PATH, ...marker))) skip(`$IDF_PATH (${process.env.IDF_PATH}) holds no ESP-NOW header`);
		return process.env.IDF_PATH;
	}
	const pack = join(shared, "esp-idf", "esp-idf-6.0.0-headers.tar.gz");
	if (!existsSync(pack)) skip("no ESP-IDF headers ($IDF_PATH unset and ../shared/esp-idf absent)");
	const unpacked = join(work, "esp-idf");
	if (!existsSync(join(unpacked, ...marker))) {
		rmSync(unpacked, { recursive: true, force: true });
		mkdirSync(work, { recursive: true });
		runOrFail("tar", ["-xzf", pack, "-C", work]);
	}
	return unpacked;
}

function idfVersion(idfPath) {
	const header = readFileSync(join(idfPath, "components", "esp_common", "include", "esp_idf_version.h"), "utf8");
	const part = (name) => (header.match(new RegExp(`#define ESP_IDF_VERSION_${name}\\s+(\\d+)`)) ?? [])[1];
	return `${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}`;
}

/** gcc -m32 and newlib's headers, installed with apt-get when missing (as scripts/setup.sh does). */
function ensureHostCompiler() {
	const probe = () => run("gcc", ["-m32", "-fsyntax-only", "-x", "c", "-include", "stdint.h", "/dev/null"]).status === 0;
	const missing = [];
	if (!probe()) missing.push("gcc-multilib");
	if (!existsSync(join(NEWLIB_INCLUDE, "machine", "endian.h"))) missing.push("libnewlib-dev");
	if (missing.length === 0) return;
	say(`installing ${missing.join(" ")} with apt-get`);
	const command = process.getuid?.() === 0 ? ["apt-get"] : ["sudo", "apt-get"];
	const apt = (args) => run(command[0], [...command.slice(1), ...args], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
	apt(["update", "-qq"]);
	const installed = apt(["install", "-y", "-qq", ...missing]);
	if (installed.status !== 0 || !probe() || !existsSync(NEWLIB_INCLUDE)) {
		fail(`needs ${missing.join(" ")} (apt-get install ${missing.join(" ")}):\n${installed.stderr}`);
	}
}

/** The device C files and, beside them, the XS modules that bind their host functions. */
function deviceSources() {
	const c = [
		...filesUnder(join(root, "hosts", "esp32"), (file) => file.endsWith(".c") && !file.startsWith("compile-check/")),
		...filesUnder(join(root, "modules"), (file) => /(^|\/)native\/[^/]+\.c$/.test(file)),
	];
	const folders = [...new Set(c.map((file) => dirname(file)))];
	const js = folders.flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith(".js")).map((name) => join(folder, name)));
	const h = folders.flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith(".h")).map((name) => join(folder, name)));
	return { c, js, h };
}

/** mcconfig (generate only) for one board and build; returns the folder with the makefile and mc.defines.h. */
function generate(sdk, env, board, debug) {
	const out = join(work, "mc");
	mkdirSync(out, { recursive: true });
	runOrFail("mcconfig", [...(debug ? ["-d"] : []), "-p", `esp32:./hosts/esp32/${board}`, "-o", out, "./manifest.json"], { cwd: root, env });
	const buildFolder = join(out, "tmp", "esp32", board, debug ? "debug" : "release");
	const app = readdirSync(buildFolder).find((name) => existsSync(join(buildFolder, name, "makefile")));
	if (!app) fail(`mcconfig wrote no makefile under ${buildFolder}`);
	return join(buildFolder, app);
}

/** Values of make variables, as make.esp32.mk computes them for this app. */
function makeVariables(tmpDir, env, idfPath, names) {
	const args = [
		"-s",
		"--no-print-directory",
		"-f",
		"makefile",
		`IDF_PATH=${idfPath}`,
		"IDF_VERSION=v6.0", // make.esp32.mk asks git for it; the header pack is no git checkout
		`SDKCONFIG_H_DIR=${checkDir}`,
		"--eval",
		"picket-print-%: ; @echo $($*)",
		...names.map((name) => `picket-print-${name}`),
	];
	const { MAKEFLAGS, MFLAGS, MAKELEVEL, ...cleanEnv } = env;
	const lines = runOrFail("make", args, { cwd: tmpDir, env: cleanEnv }).split("\n");
	return Object.fromEntries(names.map((name, index) => [name, lines[index] ?? ""]));
}

/** Moddable's flags for the host compiler (see the header of this file for what is kept). */
function hostFlags(variables) {
	const tokens = `${variables.C_DEFINES} ${variables.C_FLAGS}`.split(/\s+/).filter(Boolean);
	const flags = [];
	for (let index = 0; index < tokens.length; index++) {
		const token = tokens[index];
		if (token === "-D" || token === "-U") flags.push(token + tokens[++index]);
		else if (/^-[DU]./.test(token) || token.startsWith("-std=")) flags.push(token);
	}
	for (const token of variables.C_INCLUDES.split(/\s+/).filter((token) => token.startsWith("-I"))) {
		const folder = token.slice(2).replace(/\/$/, "");
		if (!existsSync(folder)) continue; // e.g. managed_components of ESP-IDF components Picket does not use
		const own = folder.startsWith(root) && !folder.startsWith(join(root, "build"));
		flags.push(...(own ? [`-I${folder}`] : ["-isystem", folder]));
	}
	return flags;
}

/** mc.xs.h from the SDK's xsc/xsid/xsl over the native modules (flags as mcconfig's makefile rules). */
function generateXsHeader(tmpDir, env, sources) {
	const modules = join(tmpDir, "picket-check-modules");
	rmSync(modules, { recursive: true, force: true });
	mkdirSync(modules, { recursive: true });
	const linked = [];
	for (const source of sources.js) {
		const name = basename(source, ".js");
		runOrFail("xsc", [source, "-c", "-e", "-o", modules, "-r", name], { env });
		linked.push(join(modules, `${name}.xsb`));
	}
	for (const source of [...sources.c, ...sources.h]) {
		runOrFail("xsid", [source, "-o", tmpDir], { env });
		linked.push(join(tmpDir, `${basename(source)}.xsi`));
	}
	runOrFail("xsl", ["-b", modules, "-o", tmpDir, ...linked], { env });
}

let gccInclude;

function compile(file, flags) {
	gccInclude ??= run("gcc", ["-m32", "-print-file-name=include"]).stdout.trim();
	const args = [
		"-fsyntax-only",
		"-nostdinc",
		...TOOLCHAIN_FLAGS,
		...flags,
		"-isystem",
		join(checkDir, "newlib-shim"),
		"-isystem",
		gccInclude,
		"-isystem",
		NEWLIB_INCLUDE,
		...WARNING_FLAGS,
		file,
	];
	return run("gcc", args, { cwd: root, env: { ...process.env, LC_ALL: "C" } }); // ASCII quotes in messages
}

/** A fixture's first line names what it must produce: "expect: clean" or "expect: <text of an error>". */
function fixtureExpectation(file) {
	const first = readFileSync(file, "utf8").split("\n", 1)[0];
	const match = first.match(/expect:\s*(.+?)\s*(\*\/)?$/);
	if (!match) fail(`${relative(root, file)}: first line must say "expect: clean" or "expect: <error text>"`);
	return match[1];
}

function main() {
	const sdk = findModdable();
	const idfPath = findIdf();
	const version = idfVersion(idfPath);
	if (!version.startsWith("6.0.")) fail(`ESP-IDF at ${idfPath} is ${version}; the Moddable SDK 8.2.3 builds with 6.0`);
	ensureHostCompiler();

	const env = { ...process.env, MODDABLE: sdk.moddable, IDF_PATH: idfPath };
	if (sdk.bin) env.PATH = `${sdk.bin}:${env.PATH}`;
	env.PATH = `${join(root, "node_modules", ".bin")}:${env.PATH}`;
	const sources = deviceSources();
	const boards = readdirSync(join(root, "hosts", "esp32")).filter((name) => existsSync(join(root, "hosts", "esp32", name, "manifest.json")));
	say(`ESP-IDF ${version} headers at ${idfPath}; Moddable SDK at ${sdk.moddable}`);

	let firstFlags;
	let compiled = 0;
	for (const board of boards) {
		for (const debug of [false, true]) {
			const tmpDir = generate(sdk, env, board, debug);
			const variables = makeVariables(tmpDir, env, idfPath, ["C_DEFINES", "C_FLAGS", "C_INCLUDES"]);
			generateXsHeader(tmpDir, env, sources);
			const flags = hostFlags(variables);
			firstFlags ??= flags;
			for (const file of sources.c) {
				const result = compile(file, flags);
				if (result.status !== 0) {
					fail(`${relative(root, file)} for ${board} (${debug ? "debug" : "release"}):\n${result.stderr}${result.stdout}`);
				}
				compiled++;
			}
			say(`${board} ${debug ? "debug  " : "release"}: ${sources.c.map((file) => relative(root, file)).join(", ")}: clean`);
		}
	}

	// The check must be able to fail: every fixture must give exactly the outcome it names.
	const fixtures = filesUnder(fixturesDir, (file) => file.endsWith(".c"));
	for (const fixture of fixtures) {
		const expected = fixtureExpectation(fixture);
		const result = compile(fixture, firstFlags);
		const output = `${result.stderr}${result.stdout}`;
		const name = relative(root, fixture);
		if (expected === "clean") {
			if (result.status !== 0) fail(`${name} should compile clean:\n${output}`);
			say(`fixture ${name}: clean, as expected`);
			continue;
		}
		if (result.status === 0) fail(`${name} compiled, but it must fail with "${expected}": the check no longer catches it`);
		const line = output.split("\n").find((text) => text.includes(expected));
		if (!line) fail(`${name} failed, but not with "${expected}":\n${output}`);
		say(`fixture ${name}: rejected, as expected: ${line.replace(`${root}/`, "")}`);
	}
	say(`passed: ${compiled} compilations (${sources.c.length} files x ${boards.length} boards x release/debug), ${fixtures.length} fixtures`);
}

main();
