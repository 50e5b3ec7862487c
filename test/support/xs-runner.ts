/**
 * Runs modules on picket-xs, the host build of the XS engine (hosts/xs), resolving
 * imports with the same table Node uses: package.json "exports", plus node_modules for
 * third-party packages. Used by scripts/test.js, by tests that generate case modules,
 * and by benchmarks that measure on XS.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const xsRuntimePath = `${projectRoot}build/xs/picket-xs`;
const harnessPath = `${projectRoot}build/test/harness/xs-main.js`;

/** `--map` arguments for picket-xs, derived from package.json "exports". */
export function xsModuleMaps(): string[] {
	const manifest = JSON.parse(readFileSync(`${projectRoot}package.json`, "utf8")) as { name: string; exports: Record<string, string> };
	const maps: string[] = [];
	for (const [key, target] of Object.entries(manifest.exports)) {
		const specifier = `${manifest.name}${key.slice(1)}`;
		const path = `${projectRoot}${target.slice(2)}`;
		if (key.endsWith("*")) maps.push(`${specifier.slice(0, -1)}=${path.slice(0, path.indexOf("*"))}`);
		else maps.push(`${specifier}=${path.replace(/\.js$/, "")}`);
	}
	// The noble packages keep their ES modules under esm/ (their "exports" import condition).
	for (const name of ["ciphers", "curves", "hashes"]) maps.push(`@noble/${name}/=${projectRoot}node_modules/@noble/${name}/esm/`);
	return maps.flatMap((map) => ["--map", map]);
}

export interface XsProcessResult {
	readonly status: number;
	readonly stdout: string;
	readonly stderr: string;
}

export function runXsModule(modulePath: string, args: readonly string[] = []): XsProcessResult {
	if (!existsSync(xsRuntimePath)) throw new Error(`${xsRuntimePath} is missing: run \`npm run build:xs\``);
	const result = spawnSync(xsRuntimePath, [...xsModuleMaps(), modulePath, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
	return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? String(result.error ?? "") };
}

export interface XsCaseReport {
	readonly passed: number;
	readonly failed: number;
	/** TAP lines, one per case. */
	readonly lines: readonly string[];
	readonly status: number;
	readonly stderr: string;
}

/** Runs portable case modules (default export: CaseGroup) through the XS harness. */
export function runXsCases(caseModulePaths: readonly string[]): XsCaseReport {
	const run = runXsModule(harnessPath, caseModulePaths);
	const lines = run.stdout.split("\n").filter((line) => /^(not )?ok \d+ /.test(line));
	const passed = lines.filter((line) => line.startsWith("ok ")).length;
	let failed = lines.length - passed;
	// A crash or a missing summary means cases never ran: count it as a failure.
	if (run.status !== 0 || !/^# xs: \d+ passed, \d+ failed$/m.test(run.stdout)) failed = Math.max(failed, 1);
	return { passed, failed, lines, status: run.status, stderr: run.stderr };
}
