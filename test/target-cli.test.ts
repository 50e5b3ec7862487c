/**
 * `picket target sim | nvs` as an operator runs them (child processes): what they write is
 * read back the way the device reads it (a Preference store in the simulator's JSON layout;
 * an NVS image through an independent reader written from ESP-IDF's documentation,
 * test/support/nvs-reader.ts), and the keystore loads the bundle from it. Bad input is a
 * typed error and leaves nothing behind.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Storage } from "picket/core/host-contracts";
import { PowerSafeStorage } from "picket/core/power-safe-storage";
import { SETTINGS_DOMAIN } from "picket/device/device-settings";
import { ANCHOR_STORAGE_DOMAIN, PROVISIONING_STORAGE_DOMAIN, loadCredentials } from "picket/provisioning/keystore";
import { FixtureDomain } from "picket/test/support/provisioning-fixture";
import { type NvsValue, readNvsPartition, readOnlyPreference } from "picket/test/support/nvs-reader";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { MODDABLE_NVS_SIZE } from "picket/tools/target/nvs-image";

const cli = fileURLToPath(new URL("../tools/picket.js", import.meta.url));
const crypto = createNodeCryptoSuite();

function picket(args: string[]) {
	const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { PATH: process.env.PATH, PICKET_SCRYPT_LOG_N: "10", PICKET_INSECURE_TEST_KDF: "1", PICKET_PASSPHRASE: "target tests" } });
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A domain with an alarm (device 1, group panic) and a relay (device 2). */
function domain(): { folder: string; work: string } {
	const work = mkdtempSync(join(tmpdir(), "picket-target-"));
	const folder = join(work, "site");
	for (const args of [
		["domain", "init", "-d", folder, "-g", "intrusion=0", "-g", "panic=1"],
		["device", "add", "-d", folder, "--role", "alarm", "--groups", "panic", "--no-bundle"],
		["device", "add", "-d", folder, "--role", "relay", "--no-bundle"],
		["device", "issue", "1", "-d", folder],
		["device", "issue", "2", "-d", folder],
	]) {
		const result = picket(args);
		if (result.code !== 0) throw new Error(result.stderr);
	}
	return { folder, work };
}

/** The device's Storage over what a target holds: the power-safe layer over Preference. */
function storageOver(values: ReadonlyMap<string, ReadonlyMap<string, NvsValue>>): Storage {
	return new PowerSafeStorage(readOnlyPreference(values));
}

function simStore(home: string): Map<string, Map<string, Uint8Array | number>> {
	const json = JSON.parse(readFileSync(join(home, "preferences.json"), "utf8")) as Record<string, Record<string, number | { buffer: string }>>;
	return new Map(
		Object.entries(json).map(([domain, keys]) => [
			domain,
			new Map(Object.entries(keys).map(([key, stored]) => [key, typeof stored === "number" ? stored : Uint8Array.from(stored.buffer.split(","), Number)])),
		]),
	);
}

test("target sim: the device's keystore entries and settings land in the instance's store, which the keystore loads; other domains stay", (t) => {
	const { folder, work } = domain();
	const home = join(work, "alarm");
	mkdirSync(home);
	writeFileSync(join(home, "preferences.json"), JSON.stringify({ link: { "seq.0~a": { buffer: "1,2,3" } } }));
	const result = picket(["target", "sim", "--bundle", join(folder, "devices", "device-1.bundle"), "--role", "alarm", "--home", home, "--setting", "alertGroup=1"]);
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /PICKET_SIM_HOME=/);
	t.is(statSync(join(home, "preferences.json")).mode & 0o777, 0o600);
	const store = simStore(home);
	t.is(store.get(SETTINGS_DOMAIN)?.get("alertGroup"), 1);
	t.deepEqual(store.get("link")?.get("seq.0~a"), Uint8Array.of(1, 2, 3), "a domain the device wrote itself (its sequence counter) is kept");
	t.deepEqual([...store.get(PROVISIONING_STORAGE_DOMAIN)!.keys()].sort(), ["bundle.a.0~a", "bundle.commit~a"], "the keystore's writes, as the power-safe layer's records");
	const credentials = loadCredentials(storageOver(store), crypto);
	t.is(credentials.deviceId, 1);
	t.is(credentials.self.role, "alarm");
});

test("target sim: a wrong role, a missing bundle, a bad setting: typed errors, nothing written", (t) => {
	const { folder, work } = domain();
	const home = join(work, "relay");
	const cases: [string[], RegExp][] = [
		[["--bundle", join(folder, "devices", "device-2.bundle"), "--role", "alarm"], /picket: wrong-role: the bundle is for device 2 as relay, the target is built as alarm/],
		[["--bundle", join(folder, "devices", "device-9.bundle"), "--role", "relay"], /picket: not-found: /],
		[["--bundle", join(folder, "devices", "device-2.bundle"), "--role", "relay", "--setting", "alertGroup=1.5"], /picket: bad-setting: /],
		[["--bundle", join(folder, "devices", "device-2.bundle"), "--role", "relay", "--setting", "sirenMinutes=3"], /picket: bad-setting: .*sirenMinutes/],
		[["--bundle", join(folder, "devices", "device-2.json"), "--role", "relay"], /picket: bad-magic/],
	];
	for (const [args, message] of cases) {
		const result = picket(["target", "sim", ...args, "--home", home]);
		t.is(result.code, 1, args.join(" "));
		t.regex(result.stderr, message);
		t.false(existsSync(home), `${args.join(" ")}: nothing written`);
	}
	mkdirSync(home);
	const before = JSON.stringify({ provisioning: { "bundle.commit": { buffer: "9" } } });
	writeFileSync(join(home, "preferences.json"), before);
	t.is(picket(["target", "sim", "--bundle", join(folder, "devices", "device-2.bundle"), "--role", "sensor", "--home", home]).code, 1);
	t.is(readFileSync(join(home, "preferences.json"), "utf8"), before, "an existing store is left as it was");
});

test("target nvs: an NVS v2 image whose pages, namespaces and blobs an independent reader finds, and from which the keystore loads the bundle", (t) => {
	const { folder, work } = domain();
	const image = join(work, "nvs.bin");
	const result = picket(["target", "nvs", "--bundle", join(folder, "devices", "device-1.bundle"), "--role", "alarm", "--setting", "alertGroup=1", "-o", image]);
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /esptool\.py --chip esp32 --port <PORT> write_flash 0x9000 /);
	t.regex(result.stdout, /offset 0x9000, size 0x6000/);
	t.is(statSync(image).mode & 0o777, 0o600);
	const bytes = new Uint8Array(readFileSync(image));
	t.is(bytes.length, MODDABLE_NVS_SIZE);
	const contents = readNvsPartition(bytes);
	t.deepEqual(
		contents.pages.map((page) => [page.state, page.sequence, page.version]),
		[...[0, 1, 2, 3, 4].map((sequence) => ["full", sequence, 0xfe]), ["empty", undefined, undefined]],
		"five pages with headers (version 2), the last one erased for NVS's own use",
	);
	t.deepEqual([...contents.namespaces.keys()].sort(), [ANCHOR_STORAGE_DOMAIN, PROVISIONING_STORAGE_DOMAIN, SETTINGS_DOMAIN].sort(), "the trust anchor is pinned in the image, beside the bundle");
	t.is(contents.namespaces.get(SETTINGS_DOMAIN)?.get("alertGroup"), 1);
	const credentials = loadCredentials(storageOver(contents.namespaces), crypto);
	t.is(credentials.deviceId, 1);
});

test("target nvs: a bundle too big for the partition, a bad partition size, a wrong role: typed errors, no image", (t) => {
	const { folder, work } = domain();
	// 600 members: a roster of ~23 KB, more than the 5 usable pages of Moddable's 24 KB nvs partition.
	const fixture = new FixtureDomain(7);
	for (let id = 1; id <= 600; id++) fixture.add(id, id === 1 ? "alarm" : "relay", id === 1 ? 2 : 0);
	const big = join(work, "big.bundle");
	writeFileSync(big, fixture.bundle(fixture.devices[0]!, 0));
	const image = join(work, "nvs.bin");
	const cases: [string[], RegExp][] = [
		[["--bundle", big, "--role", "alarm"], /picket: nvs-too-large: .* do not fit a 24576-byte NVS partition/],
		[["--bundle", join(folder, "devices", "device-1.bundle"), "--role", "alarm", "--size", "0x2000"], /picket: nvs-bad-size: /],
		[["--bundle", join(folder, "devices", "device-1.bundle"), "--role", "alarm", "--size", "0x6100"], /picket: nvs-bad-size: /],
		[["--bundle", join(folder, "devices", "device-1.bundle"), "--role", "relay"], /picket: wrong-role: /],
	];
	for (const [args, message] of cases) {
		const result = picket(["target", "nvs", ...args, "-o", image]);
		t.is(result.code, 1, args.join(" "));
		t.regex(result.stderr, message);
		t.false(existsSync(image), `${args.join(" ")}: no image`);
	}
	const fits = picket(["target", "nvs", "--bundle", big, "--role", "alarm", "--size", "0x10000", "-o", image]);
	t.is(fits.code, 0, `the same bundle fits a 64 KB partition: ${fits.stderr}`);
	t.is(loadCredentials(storageOver(readNvsPartition(new Uint8Array(readFileSync(image))).namespaces), crypto).roster.size, 600);
});
