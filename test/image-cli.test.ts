/**
 * `picket image …` as an operator runs it: exit codes, messages, and files that are either
 * complete or absent (written aside, then renamed).
 */
import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MCUBOOT_FIXTURES, mcubootFixture, mcubootFixtureText } from "picket/test/support/mcuboot-fixtures";

const PICKET = fileURLToPath(new URL("../tools/picket.js", import.meta.url));

function picket(...args: string[]): { status: number | null; stdout: string; stderr: string } {
	return picketWith({}, ...args);
}

/** Runs picket with extra environment variables (PICKET_IMAGE_PASSWORD). */
function picketWith(env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
	const result = spawnSync(process.execPath, [PICKET, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
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
	t.regex(group.stdout, /keygen[\s\S]*getpubhash[\s\S]*sign[\s\S]*verify[\s\S]*dump/);
	for (const command of ["keygen", "getpub", "getpubhash", "sign", "verify", "dump"]) {
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

// Intel HEX outputs of imgtool 2.4.0 for the same commands (test/fixtures/mcuboot/README.md):
// app.hex is app.bin at 0x10020, so --pad-header puts the image at 0x10000 (image.py:380-392
// load()); save() (:420-451) writes the image at the base and, with --pad, only the trailer.
const hexOptions = ["-k", fixture("ed25519.pem"), "-H", "0x20", "--pad-header", "--align", "4", "-v", "1.2.3+45"];
const sha256File = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

test("sign reads and writes Intel HEX byte for byte as imgtool does", (t) => {
	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	const run = (out: string, ...args: string[]) => {
		const result = picket("image", "sign", ...hexOptions, ...args, join(folder, out));
		t.is(result.status, 0, result.stderr);
		return join(folder, out);
	};
	t.is(readFileSync(run("a.hex", "-S", "0x10000", fixture("app.hex")), "utf8"), mcubootFixtureText("ed25519-h32.hex"));
	t.deepEqual(new Uint8Array(readFileSync(run("b.bin", "-S", "0x10000", fixture("app.hex")))), mcubootFixture("ed25519-h32.bin"));
	t.is(readFileSync(run("c.hex", "-S", "0x8000", "--align", "16", "--max-align", "32", "--confirm", fixture("app.hex")), "utf8"), mcubootFixtureText("ed25519-confirm-a32.hex"));
	// -x 0xfc00 on a binary input: the image crosses the 64 KiB boundary (records split, a second 04 record)
	t.is(sha256File(run("d.hex", "-S", "0x10000", "-x", "0xfc00", fixture("app.bin"))), "4855b03a8a95ceee59513f6edffb0aeae17caea18e5da5e6154a643d2b5ddd96");
	// --test writes image_ok's max-align unit erased, next to the magic
	t.is(sha256File(run("e.hex", "-S", "0x4000", "--test", fixture("app.hex"))), "48917e0565b7bb32569486d060867b98a08e97d48cd97949cb714cdf4b1ed044");
	// a gap in the input is signed as 0xff bytes
	t.is(sha256File(run("f.hex", "-S", "0x10000", fixture("app-gap.hex"))), "ea68f97fa35d6364c7e9957fd8025a62af6aea815fe13eb0e36f1d6d6dd79f0b");
});

test("verify and dump read .hex images; bad Intel HEX and a .hex output without an address are refused, nothing written", (t) => {
	const verify = picket("image", "verify", "-k", fixture("ed25519.pem"), fixture("ed25519-h32.hex"));
	t.is(verify.status, 0, verify.stderr);
	t.regex(verify.stdout, /Image digest: f6882a8d9d26b80e9b9c62536d2bf94c0f0c2edd9fc234df8bd9268c5b165704/);
	const dump = picket("image", "dump", fixture("ed25519-confirm-a32.hex"));
	t.is(dump.status, 0, dump.stderr);
	t.regex(dump.stdout, /magic: set\n\s+imageOk: 1\n\s+maxAlign: 32/);

	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	const corrupt = join(folder, "corrupt.hex");
	writeFileSync(corrupt, mcubootFixtureText("app.hex").replace(/^(:10\w{38})\w\w$/m, "$100"));
	const cases: { args: string[]; message: RegExp }[] = [
		{ args: ["image", "sign", ...hexOptions, "-S", "0x10000", fixture("app.bin"), join(folder, "out.hex")], message: /bad-option: a \.hex output needs an address/ },
		{ args: ["image", "sign", ...hexOptions, "-S", "0x10000", corrupt, join(folder, "out.bin")], message: /bad-hex-checksum: line 2/ },
		{ args: ["image", "verify", corrupt], message: /bad-hex-checksum/ },
		{ args: ["image", "sign", ...hexOptions, "-S", "0x400", fixture("app.hex"), join(folder, "out.bin")], message: /too-large/ },
	];
	for (const { args, message } of cases) {
		const result = picket(...args);
		t.is(result.status, 1, args.join(" "));
		t.regex(result.stderr, message, args.join(" "));
	}
	t.deepEqual(readdirSync(folder), ["corrupt.hex"]);
});

test("verify and dump handle --pad-sig, --sha 512, --pure and encrypted images as imgtool does", (t) => {
	const padded = picket("image", "verify", "-k", fixture("p256.pem"), fixture("p256-padsig3-h32.bin"));
	t.is(padded.status, 0, padded.stderr);
	t.regex(padded.stdout, /Image digest: 6bebefaca77d87fbe8cc50dd1cbded76ed9a4ace5d586ef05d44f3c12ee60123/);
	const sha512 = picket("image", "verify", "-k", fixture("ed25519.pem"), fixture("ed25519-sha512-h32.bin"));
	t.regex(sha512.stdout, /Image digest: 713dc7a0721fcedd/);
	const pure = picket("image", "verify", "-k", fixture("ed25519.pem"), fixture("ed25519-pure-h32.bin"));
	t.regex(pure.stdout, /\(ed25519, pure\)[\s\S]*Image signature over image: a17409322963d9a1/);
	t.regex(picket("image", "dump", fixture("ed25519-pure-h32.bin")).stdout, /SIG_PURE\s+@0x450 len 1: 01[\s\S]*hash: SHA512 valid\ndigest: 713dc7a0/);
	const dumped = picket("image", "dump", fixture("ed25519-enc-x25519-h32.bin"));
	t.is(dumped.status, 0, dumped.stderr);
	t.regex(dumped.stdout, /flags: 0x4 \(encryptedAes128\)[\s\S]*ENCX25519 @0x4a0 len 80[\s\S]*hash: SHA256 not checked: the body is encrypted/);
	const encrypted = picket("image", "verify", "-k", fixture("ed25519.pem"), fixture("ed25519-enc-x25519-h32.bin"));
	t.is(encrypted.status, 1);
	t.regex(encrypted.stderr, /^picket: encrypted: /);
});

test("sign passes --sha, --pure, --public-key-format and --pad-sig through, and refuses what imgtool refuses", (t) => {
	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	const sign = (...args: string[]) => picket("image", "sign", "-H", "0x20", "--pad-header", "--align", "4", "-S", "0x10000", ...args, fixture("app.bin"), join(folder, "out.bin"));
	t.is(sign("-k", fixture("ed25519.pem"), "-v", "1.2.3+45", "--pure").status, 0);
	t.deepEqual(new Uint8Array(readFileSync(join(folder, "out.bin"))), mcubootFixture("ed25519-pure-h32.bin"));
	t.is(sign("-k", fixture("ed25519.pem"), "-v", "1.2.3+45", "--sha", "512").status, 0);
	t.deepEqual(new Uint8Array(readFileSync(join(folder, "out.bin"))), mcubootFixture("ed25519-sha512-h32.bin"));
	t.is(sign("-k", fixture("ed25519.pem"), "-v", "1.2.3+45", "--public-key-format", "hash", "--sha", "auto").status, 0);
	t.deepEqual(new Uint8Array(readFileSync(join(folder, "out.bin"))), mcubootFixture("ed25519-h32.bin"));
	t.is(sign("-k", fixture("p256.pem"), "-v", "1", "--pad-sig", "--public-key-format", "full").status, 0);
	t.regex(picket("image", "dump", join(folder, "out.bin")).stdout, /PUBKEY\s+@0x430 len 91[\s\S]*ECDSASIG\s+@0x48f len 72/);
	t.regex(sign("-k", fixture("p256.pem"), "-v", "1", "--sha", "512").stderr, /bad-option: a ecdsa-p256 key cannot be used with --sha 512/);
	t.regex(sign("-k", fixture("p256.pem"), "-v", "1", "--pure").stderr, /bad-option: --pure signs with an Ed25519 key only/);
	t.regex(sign("-v", "1", "--sha", "1024").stderr, /bad-option: --sha must be one of auto, 256, 384, 512/);
	t.regex(sign("-v", "1", "--public-key-format", "pem").stderr, /bad-option: --public-key-format must be one of hash, full/);
});

test("getpub prints imgtool's C array by default; -e lang-rust|pem|raw, -o; getpubhash; -e with -l is a usage error", (t) => {
	t.is(picket("image", "getpub", "-k", fixture("ed25519.pem")).stdout, picket("image", "getpub", "-k", fixture("ed25519.pem"), "-e", "lang-c").stdout);
	t.regex(picket("image", "getpub", "-k", fixture("p256.pem")).stdout, /^\/\* Autogenerated by imgtool\.py, do not edit\. \*\/\nconst unsigned char ecdsa_pub_key\[\] = \{\n/);
	t.regex(picket("image", "getpub", "-k", fixture("ed25519.pem"), "-l", "rust").stdout, /^static ED25519_PUB_KEY/m);
	t.regex(picket("image", "getpub", "-k", fixture("ed25519.pem"), "-e", "pem").stdout, /^-----BEGIN PUBLIC KEY-----\n/);
	const raw = spawnSync(process.execPath, [PICKET, "image", "getpub", "-k", fixture("p256.pem"), "-e", "raw"]);
	t.is(raw.status, 0);
	t.is(raw.stdout.toString("hex").slice(0, 52), "3059301306072a8648ce3d020106082a8648ce3d030107034200"); // DER bytes, not text
	t.is(raw.stdout.length, 91);
	const hash = spawnSync(process.execPath, [PICKET, "image", "getpubhash", "-k", fixture("p256.pem"), "-e", "raw"]);
	t.is(hash.stdout.toString("hex"), "e2f21cd5be5999031910a9e6c10a81b908abe182a55699c7cde354990f586418");
	t.regex(picket("image", "getpubhash", "-k", fixture("ed25519.pem")).stdout, /ed25519_pub_key_hash_len = 32;\n$/);
	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	t.is(picket("image", "getpub", "-k", fixture("ed25519.pem"), "-e", "pem", "-o", join(folder, "pub.pem")).status, 0);
	t.regex(readFileSync(join(folder, "pub.pem"), "utf8"), /^-----BEGIN PUBLIC KEY-----/);
	const both = picket("image", "getpub", "-k", fixture("ed25519.pem"), "-e", "pem", "-l", "c");
	t.is(both.status, 1);
	t.regex(both.stderr, /bad-usage: use only one of --encoding\/-e or --lang\/-l/);
	t.regex(picket("image", "getpubhash", "-k", fixture("ed25519.pem"), "-e", "pem").stderr, /bad-option: --encoding must be one of lang-c, raw/);
});

test("a password-protected key: key-locked without PICKET_IMAGE_PASSWORD, bad-password when wrong, usable when right; keygen -p", (t) => {
	const locked = picket("image", "getpub", "-k", fixture("p256-password.pem"));
	t.is(locked.status, 1);
	t.regex(locked.stderr, /^picket: key-locked: the private key is password-protected: set PICKET_IMAGE_PASSWORD/);
	t.notRegex(locked.stderr, /interrupted or cancelled/);
	t.regex(picketWith({ PICKET_IMAGE_PASSWORD: "nope" }, "image", "getpub", "-k", fixture("p256-password.pem")).stderr, /^picket: bad-password: /);
	const opened = picketWith({ PICKET_IMAGE_PASSWORD: "picket-test" }, "image", "getpub", "-e", "pem", "-k", fixture("p256-password.pem"));
	t.is(opened.stdout, mcubootFixtureText("p256-password.pub.pem"));

	const folder = mkdtempSync(join(tmpdir(), "picket-image-"));
	const key = join(folder, "locked.pem");
	t.regex(picket("image", "keygen", "-t", "ed25519", "-k", key, "-p").stderr, /bad-option: --password takes the password from PICKET_IMAGE_PASSWORD, which is not set/);
	t.deepEqual(readdirSync(folder), []);
	t.is(picketWith({ PICKET_IMAGE_PASSWORD: "pw" }, "image", "keygen", "-t", "ed25519", "-k", key, "-p").status, 0);
	t.regex(readFileSync(key, "utf8"), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
	const signed = join(folder, "signed.bin");
	t.regex(picket("image", "sign", "-k", key, "-H", "0x20", "--pad-header", "-S", "0x10000", "-v", "1", fixture("app.bin"), signed).stderr, /key-locked/);
	t.is(picketWith({ PICKET_IMAGE_PASSWORD: "pw" }, "image", "sign", "-k", key, "-H", "0x20", "--pad-header", "-S", "0x10000", "-v", "1", fixture("app.bin"), signed).status, 0);
	t.is(picketWith({ PICKET_IMAGE_PASSWORD: "pw" }, "image", "verify", "-k", key, signed).status, 0);
});
