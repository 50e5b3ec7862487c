/**
 * `picket image …` as an operator runs it: exit codes, messages, and files that are either
 * complete or absent (written aside, then renamed).
 */
import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MCUBOOT_FIXTURES, mcubootFixture } from "picket/test/support/mcuboot-fixtures";

const PICKET = fileURLToPath(new URL("../tools/picket.js", import.meta.url));

function picket(...args: string[]): { status: number | null; stdout: string; stderr: string } {
	const result = spawnSync(process.execPath, [PICKET, ...args], { encoding: "utf8" });
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs picket with its standard output read by nobody: the pipe is closed before it writes. */
function picketIntoClosedPipe(...args: string[]): Promise<{ status: number | null; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [PICKET, ...args], { stdio: ["ignore", "pipe", "pipe"] });
		child.stdout.destroy();
		let stderr = "";
		child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
		child.on("error", reject);
		child.on("close", (status) => resolve({ status, stderr }));
	});
}

const fixture = (name: string) => join(MCUBOOT_FIXTURES, name);
const vectorOptions = ["--header-size", "0x20", "--pad-header", "--align", "4", "--slot-size", "0x10000"];

test("--help at every level, exit 0", (t) => {
	const top = picket("--help");
	t.is(top.status, 0);
	t.regex(top.stdout, /image\s+MCUboot/);
	const group = picket("image", "--help");
	t.is(group.status, 0);
	t.regex(group.stdout, /keygen[\s\S]*sign[\s\S]*verify[\s\S]*dump/);
	for (const command of ["keygen", "getpub", "sign", "verify", "dump"]) {
		const help = picket("image", command, "--help");
		t.is(help.status, 0, command);
		t.regex(help.stdout, new RegExp(`Usage: picket image ${command}`));
	}
});

test("sign reproduces ed25519-h32.bin; verify prints imgtool's digest; dump shows the TLVs", (t) => {
	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	const out = join(folder, "signed.bin");
	const sign = picket("image", "sign", "-k", fixture("ed25519.pem"), ...vectorOptions, "--version", "1.2.3+45", fixture("app.bin"), out);
	t.is(sign.status, 0, sign.stderr);
	t.deepEqual(new Uint8Array(readFileSync(out)), mcubootFixture("ed25519-h32.bin"));
	const verify = picket("image", "verify", "-k", fixture("ed25519.pem"), out);
	t.is(verify.status, 0);
	t.regex(verify.stdout, /Image version: 1\.2\.3\+45\nImage digest: f6882a8d9d26b80e9b9c62536d2bf94c0f0c2edd9fc234df8bd9268c5b165704/);
	const p256 = picket("image", "verify", "-k", fixture("p256.pem"), fixture("p256-h32.bin"));
	t.regex(p256.stdout, /Image digest: 6bebefaca77d87fbe8cc50dd1cbded76ed9a4ace5d586ef05d44f3c12ee60123/);
	const dump = picket("image", "dump", "--json", fixture("p256-h32.bin"));
	t.is(dump.status, 0);
	const view = JSON.parse(dump.stdout) as { header: { imageSize: number }; tlvs: { type: string }[] };
	t.is(view.header.imageSize, 1000);
	t.deepEqual(view.tlvs.map((tlv) => tlv.type), ["SHA256", "KEYHASH", "ECDSASIG"]);
	t.is(picket("image", "dump", out).status, 0);
});

test("keygen writes a 0600 PKCS#8 key, refuses to overwrite it, and the key signs with --confirm and a security counter", (t) => {
	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	const key = join(folder, "signing.pem");
	t.is(picket("image", "keygen", "-t", "ecdsa-p256", "-k", key).status, 0);
	t.is(statSync(key).mode & 0o777, 0o600);
	const original = readFileSync(key, "utf8");
	const again = picket("image", "keygen", "-t", "ed25519", "-k", key);
	t.is(again.status, 1);
	t.regex(again.stderr, /exists/);
	t.is(readFileSync(key, "utf8"), original);
	const image = join(folder, "image.bin");
	const sign = picket("image", "sign", "-k", key, "-H", "0x200", "--pad-header", "-v", "2.0.1", "-S", "0x20000", "--confirm", "-s", "auto", fixture("app.bin"), image);
	t.is(sign.status, 0, sign.stderr);
	t.is(statSync(image).size, 0x20000);
	t.is(picket("image", "verify", "-k", key, image).status, 0);
	t.regex(picket("image", "dump", image).stdout, /SEC_CNT[\s\S]*magic: set[\s\S]*imageOk: 1/);
});

test("bad input: a clear message, exit 1, and nothing half-written", (t) => {
	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	const cases: { args: string[]; message: RegExp }[] = [
		{ args: ["image", "verify", "-k", fixture("p256.pem"), fixture("ed25519-h32.bin")], message: /wrong-key/ },
		{ args: ["image", "verify", fixture("app.bin")], message: /bad-magic/ },
		{ args: ["image", "verify", join(folder, "missing.bin")], message: /not-found/ },
		{ args: ["image", "sign", "-k", fixture("ed25519.pem"), ...vectorOptions, "-v", "1.x", fixture("app.bin"), join(folder, "a.bin")], message: /bad-option: invalid version/ },
		{ args: ["image", "sign", "-k", fixture("app.bin"), ...vectorOptions, "-v", "1", fixture("app.bin"), join(folder, "a.bin")], message: /bad-key/ },
		{ args: ["image", "sign", "-k", fixture("ed25519.pem"), "-H", "0x20", "--pad-header", "-S", "0x400", "-v", "1", fixture("app.bin"), join(folder, "a.bin")], message: /too-large/ },
		{ args: ["image", "sign", "-k", fixture("ed25519.pem"), "-H", "0x20", "-S", "0x10000", "-v", "1", fixture("app.bin"), join(folder, "a.bin")], message: /header padding was not requested/ },
		{ args: ["image", "sign", fixture("app.bin")], message: /bad-usage/ },
		{ args: ["image", "frobnicate"], message: /unknown image command/ },
		{ args: ["image", "verify", "--bogus", "x"], message: /bad-usage/ },
		{ args: ["nothing"], message: /unknown group "nothing"/ },
	];
	for (const { args, message } of cases) {
		const result = picket(...args);
		t.is(result.status, 1, args.join(" "));
		t.regex(result.stderr, message, args.join(" "));
		t.notRegex(result.stderr, /at .*\.js:\d+/, "no stack traces for bad input");
	}
	t.deepEqual(readdirSync(folder), [], "no output and no temporary file left behind");

	// A truncated image is refused; a failed sign leaves the previous output untouched.
	const truncated = join(folder, "truncated.bin");
	writeFileSync(truncated, mcubootFixture("ed25519-h32.bin").subarray(0, 1100));
	const verify = picket("image", "verify", "-k", fixture("ed25519.pem"), truncated);
	t.is(verify.status, 1);
	t.regex(verify.stderr, /truncated/);
	const previous = join(folder, "previous.bin");
	writeFileSync(previous, "previous");
	t.is(picket("image", "sign", "-k", fixture("ed25519.pem"), "-H", "0x20", "--pad-header", "-S", "0x400", "-v", "1", fixture("app.bin"), previous).status, 1);
	t.is(readFileSync(previous, "utf8"), "previous");
	t.deepEqual(readdirSync(folder).sort(), ["previous.bin", "truncated.bin"]);
});

test("a reader that stops early (| head -1) ends the command with its own status, silently: no EPIPE crash", async (t) => {
	const runs: string[][] = [
		["image", "verify", "-k", fixture("p256.pem"), fixture("p256-h32.bin")],
		["image", "dump", fixture("ed25519-h32.bin")],
		["image", "dump", "--json", fixture("p256-h32.bin")],
		["image", "getpub", "-k", fixture("ed25519.pem")],
		["image", "--help"],
		["--help"],
		["domain", "--help"],
	];
	for (const args of runs) {
		const result = await picketIntoClosedPipe(...args);
		t.is(result.status, 0, args.join(" "));
		t.is(result.stderr, "", args.join(" "));
	}
	const failing = await picketIntoClosedPipe("image", "verify", "-k", fixture("p256.pem"), fixture("ed25519-h32.bin"));
	t.is(failing.status, 1);
	t.regex(failing.stderr, /^picket: wrong-key: /);
});
