/**
 * The provisioning commands as an operator runs them: `node build/tools/picket.js …` in a
 * child process, checking exit codes, messages and what is (not) left on disk.
 * PICKET_SCRYPT_LOG_N=10 with PICKET_INSECURE_TEST_KDF=1 keeps the passphrase KDF cheap (domain-seal.ts TEST_SCRYPT_COST).
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openBundle } from "picket/provisioning/keystore";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { firstAlert, KNOWN_ALERT, SECRET_ALERT, twoTimePad } from "picket/test/support/two-time-pad";

const cli = fileURLToPath(new URL("../tools/picket.js", import.meta.url));
const PASSPHRASE = "correct horse battery staple";

function picket(args: string[], env: Record<string, string | undefined> = { PICKET_PASSPHRASE: PASSPHRASE }) {
	const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { PATH: process.env.PATH, PICKET_SCRYPT_LOG_N: "10", PICKET_INSECURE_TEST_KDF: "1", ...env } });
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function freshDomain(): string {
	const folder = join(mkdtempSync(join(tmpdir(), "picket-prov-")), "site");
	const init = picket(["domain", "init", "-d", folder, "-g", "motion=0", "-g", "panic=1"]);
	if (init.code !== 0) throw new Error(init.stderr);
	return folder;
}

function allFiles(folder: string): string[] {
	return readdirSync(folder, { recursive: true, encoding: "utf8" }).sort();
}

test("--help everywhere, exit 0", (t) => {
	for (const args of [["domain", "--help"], ["domain", "init", "--help"], ["domain", "show", "-h"], ["device", "--help"], ["device", "add", "--help"], ["device", "issue", "--help"], ["device", "revoke", "--help"], ["device", "inspect", "--help"], ["roster", "--help"], ["roster", "sign", "--help"], ["roster", "show", "--help"]]) {
		const result = picket(args);
		t.is(result.code, 0, args.join(" "));
		t.regex(result.stdout, /Usage: picket /, args.join(" "));
	}
	t.regex(picket(["--help"]).stdout, /domain .*\n.*device|device[\s\S]*domain/);
});

test("init, enrol, revoke, show: the operator's whole path", (t) => {
	const folder = freshDomain();
	t.is(statSync(join(folder, "domain.picket")).mode & 0o777, 0o600);
	t.false(readFileSync(join(folder, "domain.picket"), "utf8").includes("domainSecret"));
	// A whole site enrolled in one epoch before any board is flashed: --no-bundle, then issue.
	t.is(picket(["device", "add", "-d", folder, "--role", "sensor", "--groups", "motion", "--no-bundle"]).code, 0);
	t.is(picket(["device", "add", "-d", folder, "--role", "responder", "--groups", "motion,panic", "--no-bundle"]).code, 0);
	t.is(picket(["device", "add", "-d", folder, "--role", "relay", "--no-bundle"]).code, 0);
	t.false(existsSync(join(folder, "devices", "device-1.bundle")));
	for (const id of [1, 2, 3]) t.regex(picket(["device", "issue", String(id), "-d", folder]).stdout, new RegExp(`issued device ${id} in epoch 0`));
	t.regex(picket(["device", "issue", "1", "-d", folder]).stderr, /needs-reissue/, "once per epoch");
	t.is(picket(["roster", "sign", "-d", folder]).code, 0);
	t.is(statSync(join(folder, "devices", "device-1.bundle")).mode & 0o777, 0o600);
	const view = JSON.parse(readFileSync(join(folder, "devices", "device-2.json"), "utf8")) as { role: string; networkKey: string; roster: { members: unknown[] } };
	t.is(view.role, "responder");
	t.is(view.networkKey, "(redacted)");
	t.is(view.roster.members.length, 3);
	const inspect = picket(["device", "inspect", join(folder, "devices", "device-1.bundle")], {});
	t.is(inspect.code, 0, inspect.stderr);
	t.regex(inspect.stdout, /"role": "sensor"/);
	const revoke = picket(["device", "revoke", "1", "-d", folder]);
	t.is(revoke.code, 0, revoke.stderr);
	t.regex(revoke.stdout, /epoch 1/);
	t.true(existsSync(join(folder, "epochs", "epoch-1", "device-2.delivery")));
	t.true(existsSync(join(folder, "epochs", "epoch-1", "device-3.delivery")));
	t.false(existsSync(join(folder, "epochs", "epoch-1", "device-1.delivery")));
	t.false(existsSync(join(folder, "devices", "device-1.bundle")));
	const show = picket(["domain", "show", "-d", folder, "--json"]);
	t.is(show.code, 0);
	const summary = JSON.parse(show.stdout) as { epoch: number; members: number; authorityPublicKey: string };
	t.is(summary.epoch, 1);
	t.is(summary.members, 2);
	const roster = picket(["roster", "show", join(folder, "roster.bin"), "--authority", summary.authorityPublicKey], {});
	t.is(roster.code, 0, roster.stderr);
	t.regex(roster.stdout, /epoch 1: 2 members, signature valid/);
	t.false(allFiles(folder).some((file) => file.endsWith(".tmp")));
});

test("a passphrase file works; none at all is a usage error", (t) => {
	const folder = freshDomain();
	const file = join(folder, "..", "passphrase");
	writeFileSync(file, `${PASSPHRASE}\n`);
	t.is(picket(["domain", "show", "-d", folder, "--passphrase-file", file], {}).code, 0);
	const none = picket(["domain", "show", "-d", folder], {});
	t.is(none.code, 1);
	t.regex(none.stderr, /no passphrase/);
});

test("wrong passphrase, bad arguments and refused changes exit 1 and leave the domain as it was", (t) => {
	const folder = freshDomain();
	t.is(picket(["device", "add", "-d", folder, "--role", "sensor", "--groups", "motion"]).code, 0);
	const before = allFiles(folder).map((file) => [file, existsSync(join(folder, file)) && statSync(join(folder, file)).isFile() ? readFileSync(join(folder, file)).toString("hex") : "dir"]);
	const failures = [
		{ args: ["device", "add", "-d", folder, "--role", "sensor"], env: { PICKET_PASSPHRASE: "wrong" }, pattern: /wrong-passphrase/ },
		{ args: ["device", "add", "-d", folder, "--role", "relay", "--groups", "motion"], pattern: /relay holds no group key/ },
		{ args: ["device", "add", "-d", folder, "--role", "sensor", "--groups", "kitchen"], pattern: /unknown group "kitchen"/ },
		{ args: ["device", "add", "-d", folder, "--role", "wizard"], pattern: /--role must be one of/ },
		{ args: ["device", "add", "-d", folder], pattern: /--role is required/ },
		{ args: ["device", "add", "-d", folder, "--role", "sensor", "--frobnicate"], pattern: /Unknown option/ },
		{ args: ["device", "revoke", "9", "-d", folder], pattern: /unknown-device/ },
		{ args: ["device", "revoke", "x", "-d", folder], pattern: /not a number/ },
		{ args: ["device", "fly"], pattern: /unknown command "fly"/ },
		{ args: ["domain", "init", "-d", folder, "-g", "motion=0"], pattern: /already exists/ },
		{ args: ["domain", "init", "-d", folder, "-g", "motion=40", "--force"], pattern: /outside 0..31/ },
		{ args: ["domain", "show", "-d", join(folder, "nowhere")], pattern: /no domain at/ },
	];
	for (const failure of failures) {
		const result = picket(failure.args, failure.env);
		t.is(result.code, 1, failure.args.join(" "));
		t.regex(result.stderr, failure.pattern, failure.args.join(" "));
	}
	const after = allFiles(folder).map((file) => [file, existsSync(join(folder, file)) && statSync(join(folder, file)).isFile() ? readFileSync(join(folder, file)).toString("hex") : "dir"]);
	t.deepEqual(after, before);
});

test("a corrupt or tampered bundle is refused by inspect with the reason", (t) => {
	const folder = freshDomain();
	t.is(picket(["device", "add", "-d", folder, "--role", "sensor", "--groups", "motion"]).code, 0);
	const path = join(folder, "devices", "device-1.bundle");
	const bundle = readFileSync(path);
	const corrupt = Buffer.from(bundle);
	corrupt[60] ^= 1;
	writeFileSync(join(folder, "corrupt.bundle"), corrupt);
	const result = picket(["device", "inspect", join(folder, "corrupt.bundle")], {});
	t.is(result.code, 1);
	t.regex(result.stderr, /corrupt-bundle/);
	writeFileSync(join(folder, "short.bundle"), bundle.subarray(0, 100));
	t.regex(picket(["device", "inspect", join(folder, "short.bundle")], {}).stderr, /truncated/);
	t.regex(picket(["device", "inspect", join(folder, "missing.bundle")], {}).stderr, /cannot read/);
});

test("PICKET_SCRYPT_LOG_N alone never weakens a domain file: without PICKET_INSECURE_TEST_KDF=1 init and re-sealing refuse, writing nothing", (t) => {
	const folder = join(mkdtempSync(join(tmpdir(), "picket-prov-")), "site");
	const init = picket(["domain", "init", "-d", folder, "-g", "motion=0"], { PICKET_PASSPHRASE: PASSPHRASE, PICKET_INSECURE_TEST_KDF: undefined });
	t.not(init.code, 0);
	t.regex(init.stderr, /insecure-kdf-cost|below the default/);
	t.false(existsSync(join(folder, "domain.picket")));
	const real = freshDomain(); // sealed under the test switch: a weak file
	const before = readFileSync(join(real, "domain.picket"));
	const add = picket(["device", "add", "-d", real, "--role", "sensor", "--groups", "motion"], { PICKET_PASSPHRASE: PASSPHRASE, PICKET_INSECURE_TEST_KDF: undefined });
	t.not(add.code, 0);
	t.regex(add.stderr, /insecure-kdf-cost|below the default/);
	t.deepEqual(readFileSync(join(real, "domain.picket")), before);
});

test("device reissue: a new epoch for everyone, a new bundle for the device, deliveries for the others", (t) => {
	const folder = freshDomain();
	t.is(picket(["device", "add", "-d", folder, "--role", "sensor", "--groups", "motion", "--no-bundle"]).code, 0);
	t.is(picket(["device", "add", "-d", folder, "--role", "responder", "--groups", "motion", "--no-bundle"]).code, 0);
	for (const id of [1, 2]) t.is(picket(["device", "issue", String(id), "-d", folder]).code, 0);
	const before = readFileSync(join(folder, "devices", "device-1.bundle"));
	const result = picket(["device", "reissue", "1", "-d", folder]);
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /re-issued device 1 in epoch 1/);
	t.true(existsSync(join(folder, "epochs", "epoch-1", "device-2.delivery")));
	t.false(existsSync(join(folder, "epochs", "epoch-1", "device-1.delivery")));
	t.false(existsSync(join(folder, "devices", "device-2.bundle")), "device 2 moves by its delivery; its epoch-0 bundle is gone");
	t.notDeepEqual(readFileSync(join(folder, "devices", "device-1.bundle")), before);
	const inspect = picket(["device", "inspect", join(folder, "devices", "device-1.bundle")], {});
	t.regex(inspect.stdout, /"epoch": 1/);
	t.not(picket(["device", "reissue", "9", "-d", folder]).code, 0);
});

test("device add never re-writes another member's bundle: the erased board's XOR attack through `device add` recovers nothing", (t) => {
	const crypto = createNodeCryptoSuite();
	const folder = freshDomain();
	t.is(picket(["device", "add", "-d", folder, "--role", "sensor", "--groups", "motion"]).code, 0);
	const firstBoard = openBundle(new Uint8Array(readFileSync(join(folder, "devices", "device-1.bundle"))), crypto); // flashed, ran epoch 0
	const add = picket(["device", "add", "-d", folder, "--role", "responder", "--groups", "motion"]);
	t.is(add.code, 0, add.stderr);
	// The board is erased and the operator flashes whatever the folder holds for device 1.
	const device1Bundles = allFiles(folder).filter((file) => file.endsWith(".bundle")).map((file) => openBundle(new Uint8Array(readFileSync(join(folder, file))), crypto)).filter((bundle) => bundle.deviceId === 1);
	for (const erasedBoard of device1Bundles) {
		t.false(twoTimePad(firstAlert(crypto, firstBoard, KNOWN_ALERT), firstAlert(crypto, erasedBoard, SECRET_ALERT), KNOWN_ALERT, SECRET_ALERT), `epoch ${erasedBoard.epoch}: the XOR reveals nothing`);
	}
	t.is(device1Bundles.length, 0, "its superseded bundle is removed: it moves to epoch 1 by its delivery");
	t.regex(add.stdout, /flash its bundle: .*device-2\.bundle/);
	t.regex(add.stdout, /new epoch 1: hand these deliveries to carriers/);
	t.regex(add.stdout, /device 1: .*epoch-1.device-1\.delivery/);
	t.true(existsSync(join(folder, "epochs", "epoch-1", "device-1.delivery")));
	t.regex(picket(["device", "inspect", join(folder, "devices", "device-2.bundle")], {}).stdout, /"epoch": 1/);
	t.regex(picket(["device", "issue", "1", "-d", folder]).stderr, /needs-reissue/, "nor can it be issued again in epoch 1");
});
