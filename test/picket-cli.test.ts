/** The `picket` entry point finds command groups by file name, so groups are added as files. */
import test from "ava";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findCommandGroups, runPicket } from "picket/tools/picket";

test("groups are discovered from <area>/*-command.js files; other files are ignored", async (t) => {
	const folder = mkdtempSync(join(tmpdir(), "picket-groups-"));
	mkdirSync(join(folder, "provisioning"));
	mkdirSync(join(folder, "image"));
	const group = (name: string) => `export default { name: "${name}", summary: "${name} things", async run(args, io) { io.stdout("${name} " + args.join(" ")); } };\n`;
	writeFileSync(join(folder, "provisioning", "roster-command.js"), group("roster"));
	writeFileSync(join(folder, "provisioning", "domain-command.js"), group("domain"));
	writeFileSync(join(folder, "provisioning", "roster.js"), "export default 1;\n");
	writeFileSync(join(folder, "image", "image-command.js"), group("image"));
	const groups = await findCommandGroups(folder);
	t.deepEqual(groups.map((g) => g.name), ["domain", "image", "roster"]);
	writeFileSync(join(folder, "image", "roster-command.js"), group("roster"));
	await t.throwsAsync(findCommandGroups(folder), { message: /two command groups are named "roster"/ });
});

test("the built CLI offers the image group and reports unknown groups with exit code 1", async (t) => {
	const out: string[] = [];
	const err: string[] = [];
	const io = { stdout: (text: string) => void out.push(text), stderr: (text: string) => void err.push(text) };
	t.is(await runPicket(["--help"], io), 0);
	t.regex(out.join(""), /image/);
	t.is(await runPicket(["nope"], io), 1);
	t.regex(err.join(""), /unknown group "nope"/);
	t.is(await runPicket([], io), 2);
});
