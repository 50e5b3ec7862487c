/**
 * The operator's path, through the real CLI: `picket image sign` with the update key,
 * `picket update offer`, and `picket target sim --update-key` pinning the anchor; a board
 * provisioned that way accepts the offer, and refuses one made with another key.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PowerSafeStorage } from "picket/core/power-safe-storage";
import { isPicketError } from "picket/core/picket-error";
import { loadUpdateAnchor } from "picket/update/update-anchor";
import { UpdateInstaller } from "picket/update/update-installer";
import { MemoryFirmwareSlot } from "picket/hosts/sim/firmware-slot-memory";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { signedImage } from "picket/test/support/update-fixture";

const cli = fileURLToPath(new URL("../tools/picket.js", import.meta.url));

function picket(args: string[], cwd: string) {
	const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH, PICKET_SCRYPT_LOG_N: "10", PICKET_INSECURE_TEST_KDF: "1", PICKET_PASSPHRASE: "update tests" } });
	if (result.status !== 0) throw new Error(`picket ${args.join(" ")}: ${result.stderr}`);
	return result.stdout;
}

/** The Preference store of a simulator instance, as the power-safe layer reads it. */
function simStorage(home: string): PowerSafeStorage {
	const json = JSON.parse(readFileSync(join(home, "preferences.json"), "utf8")) as Record<string, Record<string, number | { buffer: string }>>;
	const value = (domain: string, key: string) => {
		const stored = json[domain]?.[key];
		return stored === undefined || typeof stored === "number" ? stored : Uint8Array.from(stored.buffer.split(","), Number).buffer;
	};
	return new PowerSafeStorage({ get: value, set: () => undefined, delete: () => undefined, keys: (domain) => Object.keys(json[domain] ?? {}) });
}

test("update offer and target sim --update-key: a board pins the key and accepts the offer; another key's offer is refused", (t) => {
	const work = mkdtempSync(join(tmpdir(), "picket-update-"));
	picket(["image", "keygen", "-t", "ecdsa-p256", "-k", "update.pem"], work);
	picket(["image", "keygen", "-t", "ecdsa-p256", "-k", "other.pem"], work);
	writeFileSync(join(work, "app.bin"), new Uint8Array(70_000).map((_, i) => (i * 13) & 255));
	picket(["image", "sign", "-k", "update.pem", "--header-size", "0x1000", "--pad-header", "--version", "1.1.0", "--slot-size", "0x200000", "--security-counter", "2", "app.bin", "app.signed.bin"], work);
	t.regex(picket(["update", "offer", "-k", "update.pem", "--rollout", "5", "-o", "r5", "app.signed.bin"], work), /rollout 5: version 1\.1\.0\+0, security counter 2/);
	picket(["update", "offer", "-k", "other.pem", "--rollout", "6", "-o", "r6", "app.signed.bin"], work);
	picket(["domain", "init", "-d", "site", "-g", "intrusion=0"], work);
	picket(["device", "add", "-d", "site", "--role", "relay"], work);
	picket(["target", "sim", "--bundle", "site/devices/device-1.bundle", "--role", "relay", "--home", "board", "--update-key", "update.pem"], work);

	const storage = simStorage(join(work, "board"));
	const anchor = loadUpdateAnchor(storage);
	t.deepEqual(anchor, new Uint8Array(Buffer.from(picket(["update", "anchor", "-k", "update.pem"], work).trim(), "hex")));
	const installer = new UpdateInstaller({
		crypto: createNodeCryptoSuite(),
		storage: new MemoryStorage(),
		slot: new MemoryFirmwareSlot(0x200000, signedImage({ major: 1, minor: 0, revision: 0, build: 0 }, 1, 1000)),
		anchor,
		running: { version: { major: 1, minor: 0, revision: 0, build: 0 }, securityCounter: 1 },
	});
	t.is(installer.considerOffer(new Uint8Array(readFileSync(join(work, "r5.offer")))), "accepted");
	const refused = t.throws(() => installer.considerOffer(new Uint8Array(readFileSync(join(work, "r6.offer")))));
	t.true(isPicketError(refused, "bad-offer-signature"));
});
