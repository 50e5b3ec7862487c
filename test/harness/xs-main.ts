/**
 * Entry point the host XS runtime runs: imports every case module named on the command
 * line and reports each case as a TAP line, so scripts/test.js can count them.
 */
import type { CaseGroup } from "picket/test/harness/portable";
import { createXsAssertions } from "picket/test/harness/xs-assertions";

declare const scriptArgs: readonly string[];
declare function print(...text: unknown[]): void;

let passed = 0;
let failed = 0;

async function runGroup(specifier: string): Promise<void> {
	let group: CaseGroup;
	try {
		group = ((await import(specifier)) as { default: CaseGroup }).default;
	} catch (error) {
		failed++;
		print(`not ok ${passed + failed} - ${specifier} failed to load # ${String(error)}`);
		return;
	}
	for (const portableCase of group.cases) {
		const t = createXsAssertions();
		const title = `${group.title} › ${portableCase.name}`;
		try {
			await portableCase.body(t);
			if (t.count === 0) throw new Error("the case made no assertion");
			passed++;
			print(`ok ${passed + failed} - ${title}`);
		} catch (error) {
			failed++;
			const stack = error instanceof Error && error.stack ? ` ${error.stack.split("\n").slice(0, 3).join(" | ")}` : "";
			print(`not ok ${passed + failed} - ${title} # ${String(error)}${stack}`);
		}
	}
}

for (const specifier of scriptArgs) await runGroup(specifier);
print(`1..${passed + failed}`);
print(`# xs: ${passed} passed, ${failed} failed`);
