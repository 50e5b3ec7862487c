/**
 * The default scenario gives the same outcome on Node and on the XS engine for the same
 * seed: the summary digests (SHA-256 of the canonical summary) are equal.
 */
import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runScenario } from "picket/hosts/sim/domain-simulation";
import { validateScenario } from "picket/hosts/sim/scenario";
import { defaultScenario } from "picket/hosts/sim/scenarios/default-scenario";
import { runXsModule, xsRuntimePath } from "picket/test/support/xs-runner";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

test("the default scenario gives the same digest with node:crypto as with the software suite (the CLI's and bench's crypto)", (t) => {
	t.is(runScenario(defaultScenario, 1, { crypto: createNodeCryptoSuite }).digest, runScenario(defaultScenario, 1).digest);
});

test("scenarios/default.json and the default-scenario module are the same scenario", (t) => {
	const json = JSON.parse(readFileSync(fileURLToPath(new URL("../../hosts/sim/scenarios/default.json", import.meta.url)), "utf8")) as unknown;
	t.deepEqual(validateScenario(json), validateScenario(defaultScenario));
});

for (const seed of [1, 2]) {
	test(`the default scenario with seed ${seed}: same digest on Node and on XS`, (t) => {
		if (!existsSync(xsRuntimePath)) {
			t.fail(`${xsRuntimePath} missing: run \`npm run build:xs\``);
			return;
		}
		const node = runScenario(defaultScenario, seed);
		const run = runXsModule(fileURLToPath(new URL("./support/sim-xs-main.js", import.meta.url)), [String(seed)]);
		t.is(run.status, 0, run.stderr);
		const line = run.stdout.split("\n").find((text) => text.startsWith("{"));
		t.truthy(line, run.stdout + run.stderr);
		const xs = JSON.parse(line ?? "{}") as { digest: string; eventsRun: number; transmissions: number };
		t.is(xs.eventsRun, node.eventsRun);
		t.is(xs.transmissions, node.medium.transmissions);
		t.is(xs.digest, node.digest);
	});
}
