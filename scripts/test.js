#!/usr/bin/env node
// `npm test` after the build: ava on Node, then every portable case on the XS engine
// (test/cases and the XS-only test/xs-cases), then the native crypto's C harness without
// XS, plain and under ASan/UBSan. Ends with one line totalling the cases of both engines
// (a failing C harness counts as one failure).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, runXsCases } from "../build/test/support/xs-runner.js";

const ava = spawnSync(process.execPath, [join(projectRoot, "node_modules", "ava", "entrypoints", "cli.mjs"), "--tap"], {
	cwd: projectRoot,
	encoding: "utf8",
	maxBuffer: 256 * 1024 * 1024,
	stdio: ["ignore", "pipe", "inherit"],
});
process.stdout.write(ava.stdout);
const tapCount = (label) => Number((ava.stdout.match(new RegExp(`^# ${label} (\\d+)$`, "m")) ?? [])[1] ?? 0);
const nodePassed = tapCount("pass");
let nodeFailed = tapCount("fail");
if (ava.status !== 0 || !/^# pass \d+$/m.test(ava.stdout)) nodeFailed = Math.max(nodeFailed, 1);

const caseModules = ["cases", "xs-cases"]
	.map((folder) => join(projectRoot, "build", "test", folder))
	.filter((folder) => existsSync(folder))
	.flatMap((folder) =>
		readdirSync(folder, { recursive: true, encoding: "utf8" })
			.filter((file) => file.endsWith(".cases.js"))
			.sort()
			.map((file) => join(folder, file)),
	);
const xs = runXsCases(caseModules);
console.log("# XS engine (picket-xs)");
for (const line of xs.lines) console.log(line);
if (xs.stderr) process.stderr.write(xs.stderr);
const harness = spawnSync("make", ["-s", "-C", join(projectRoot, "hosts", "xs", "native-tests"), "test", "sanitize"], { encoding: "utf8" });
const harnessLines = `${harness.stdout}${harness.stderr}`.split("\n").filter((line) => line.trim() !== "");
console.log("# native crypto C harness (plain, then ASan/UBSan)");
for (const line of harnessLines.slice(-6)) console.log(`# ${line}`);
const harnessFailed = harness.status === 0 ? 0 : 1;
console.log(`# node: ${nodePassed} passed, ${nodeFailed} failed; xs: ${xs.passed} passed, ${xs.failed} failed; C harness: ${harnessFailed ? "failed" : "ok"}`);
const passed = nodePassed + xs.passed;
const failed = nodeFailed + xs.failed + harnessFailed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
