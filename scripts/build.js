#!/usr/bin/env node
// Compiles the TypeScript for the host (build/), type-checks the firmware view, and copies
// the native modules' JS bindings (XS `@` syntax, which tsc cannot read) beside the output.
// With --xs it also builds picket-xs, the host XS engine with Picket's native C modules.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });

function filesUnder(folder, predicate) {
	return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
		.filter(predicate)
		.map((file) => join(folder, file));
}

run(process.execPath, [tsc, "-p", "tsconfig.node.json"]);
run(process.execPath, [tsc, "-p", "tsconfig.json"]);
for (const file of filesUnder("modules", (file) => file.endsWith(".js"))) cpSync(join(root, file), join(root, "build", file));

if (process.argv.includes("--xs")) {
	const nativeSources = filesUnder("modules", (file) => /(^|\/)native\/[^/]+\.c$/.test(file)).map((file) => join(root, file));
	run("make", [
		"-s",
		"-j2",
		"-C",
		join(root, "hosts", "xs"),
		`XS_DIR=${join(root, "node_modules", "@agoric", "xsnap", "moddable", "xs")}`,
		`BUILD_DIR=${join(root, "build", "xs")}`,
		`NATIVE_SOURCES=${nativeSources.join(" ")}`,
	]);
}
