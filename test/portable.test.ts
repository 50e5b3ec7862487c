/** Runs every portable case group under test/cases on Node, through ava. */
import test from "ava";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Assertions, CaseGroup } from "picket/test/harness/portable";

const casesFolder = fileURLToPath(new URL("./cases/", import.meta.url));
const caseFiles = readdirSync(casesFolder, { recursive: true, encoding: "utf8" })
	.filter((file) => file.endsWith(".cases.js"))
	.sort();

// Import every group before declaring any test: ava refuses tests declared after it started running.
const groups = await Promise.all(
	caseFiles.map(async (file) => ((await import(new URL(`./cases/${file}`, import.meta.url).href)) as { default: CaseGroup }).default),
);
for (const group of groups) {
	for (const portableCase of group.cases) {
		test(`${group.title} › ${portableCase.name}`, (t) => portableCase.body(t as unknown as Assertions));
	}
}
