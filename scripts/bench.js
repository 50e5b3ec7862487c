#!/usr/bin/env node
// `npm run bench [name…]`: runs each compiled benchmark in build/bench (crypto, device, link, ota, sim,
// storage), or only those named. Each prints its own table.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const benchFolder = fileURLToPath(new URL("../build/bench/", import.meta.url));
const wanted = process.argv.slice(2);
const available = existsSync(benchFolder)
	? readdirSync(benchFolder)
			.filter((file) => file.endsWith(".js") && !file.includes("-"))
			.map((file) => file.slice(0, -3))
			.sort()
	: [];
const selected = wanted.length ? wanted : available;
let status = 0;
for (const name of selected) {
	if (!available.includes(name)) {
		console.error(`bench: no benchmark named ${name} (have: ${available.join(", ")})`);
		status = 2;
		continue;
	}
	console.log(`\n=== bench/${name} ===`);
	const run = spawnSync(process.execPath, ["--expose-gc", join(benchFolder, `${name}.js`)], { stdio: "inherit" });
	if (run.status !== 0) status = run.status ?? 1;
}
process.exit(status);
