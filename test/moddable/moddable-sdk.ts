/**
 * Finds the Moddable SDK for `npm run test:moddable` and `bench/device`, in this order:
 *   1. $MODDABLE, as the SDK's own getting-started guide sets it (its tools built under
 *      build/bin/lin/release);
 *   2. ../shared/moddable/install.sh beside the project (the team's and CI's copy: unpacks and
 *      builds the SDK once, then prints its exports);
 *   3. neither: the caller prints one "skipped: …" line and succeeds, so a user's fresh
 *      machine keeps its two README commands.
 * The environment it returns puts the project's node_modules/.bin first on PATH: mcconfig
 * type-checks .ts with the `tsc` on PATH, and the project pins TypeScript 6.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { projectRoot } from "picket/test/support/xs-runner";

export interface ModdableSdk {
	/** $MODDABLE: the SDK's folder. */
	readonly root: string;
	/** Where it came from, for the log. */
	readonly origin: string;
	/** The process environment for mcconfig, make, mcsim: MODDABLE set, PATH with the project's tsc and the SDK's tools. */
	readonly env: NodeJS.ProcessEnv;
}

export type SdkLookup = { readonly sdk: ModdableSdk } | { readonly skipped: string };

const TOOLS = join("build", "bin", "lin", "release");

function sdkAt(root: string, origin: string): ModdableSdk {
	const path = [join(projectRoot, "node_modules", ".bin"), join(root, TOOLS), process.env.PATH ?? ""].join(":");
	return { root, origin, env: { ...process.env, MODDABLE: root, PATH: path } };
}

export function findModdableSdk(): SdkLookup {
	const fromEnvironment = process.env.MODDABLE;
	if (fromEnvironment !== undefined && fromEnvironment !== "") {
		if (!existsSync(join(fromEnvironment, TOOLS, "mcconfig"))) {
			return { skipped: `$MODDABLE is ${fromEnvironment}, but its Linux tools are not built (${join(fromEnvironment, TOOLS, "mcconfig")} is missing)` };
		}
		return { sdk: sdkAt(fromEnvironment, "$MODDABLE") };
	}
	const installer = resolve(projectRoot, "..", "shared", "moddable", "install.sh");
	if (!existsSync(installer)) return { skipped: `no Moddable SDK: $MODDABLE is unset and ${installer} is absent` };
	// The installer prints `export MODDABLE='…'` and `export PATH=…`; progress goes to stderr.
	const exports = execFileSync("bash", [installer], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
	const root = /^export MODDABLE='([^']+)'$/m.exec(exports)?.[1];
	if (root === undefined) throw new Error(`${installer} printed no MODDABLE export:\n${exports}`);
	return { sdk: sdkAt(root, installer) };
}

/** The SDK, or undefined after printing the one "skipped: …" line a caller without it ends with. */
export function moddableSdkOrSkip(): ModdableSdk | undefined {
	const lookup = findModdableSdk();
	if ("sdk" in lookup) return lookup.sdk;
	console.log(`skipped: ${lookup.skipped}`);
	return undefined;
}

/**
 * ESP-IDF's folders, which the manifest's esp32 platform names (its C include folders), so
 * mcconfig needs them to write an esp32 makefile at all: $IDF_PATH, else the team's v6.0.0
 * header pack (../shared/esp-idf) unpacked where `npm run check:esp32` unpacks it.
 */
export function findEspIdf(): { readonly path: string } | { readonly skipped: string } {
	const marker = join("components", "esp_wifi", "include", "esp_now.h");
	const fromEnvironment = process.env.IDF_PATH;
	if (fromEnvironment !== undefined && fromEnvironment !== "") {
		return existsSync(join(fromEnvironment, marker)) ? { path: fromEnvironment } : { skipped: `$IDF_PATH (${fromEnvironment}) holds no ${marker}` };
	}
	const pack = resolve(projectRoot, "..", "shared", "esp-idf", "esp-idf-6.0.0-headers.tar.gz");
	if (!existsSync(pack)) return { skipped: `no ESP-IDF: $IDF_PATH is unset and ${pack} is absent` };
	const work = join(projectRoot, "build", "esp32-check");
	const unpacked = join(work, "esp-idf");
	if (!existsSync(join(unpacked, marker))) {
		rmSync(unpacked, { recursive: true, force: true });
		mkdirSync(work, { recursive: true });
		execFileSync("tar", ["-xzf", pack, "-C", work]);
	}
	return { path: unpacked };
}
