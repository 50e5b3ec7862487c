/**
 * A domain on disk: one folder the operator keeps offline.
 *
 * | path                                   | contents                                  | mode |
 * |----------------------------------------|-------------------------------------------|------|
 * | `domain.picket`                        | the sealed authority state (domain-seal)  | 0600 |
 * | `roster.bin`                           | the current signed roster (public)        | 0644 |
 * | `devices/device-<id>.bundle`           | a member's provisioning bundle (secret)   | 0600 |
 * | `devices/device-<id>.json`             | its JSON view, secrets redacted           | 0644 |
 * | `epochs/epoch-<n>/device-<id>.delivery`| key-epoch delivery for a remaining member | 0600 |
 * | `epochs/epoch-<n>/roster.bin`          | the roster of epoch n                     | 0644 |
 *
 * Every file is written aside and renamed into place (tools/cli/write-atomically.ts), and
 * `domain.picket` is written last: it is the commit point. A run that dies before it
 * leaves the domain as it was (a bundle it wrote is then of an epoch nobody was issued,
 * and is replaced or removed by the next run).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PicketError } from "picket/core/picket-error";
import { bundleView, decodeBundle } from "picket/provisioning/bundle";
import type { CommandErrorCode } from "picket/tools/cli/command-group";
import { writeFileAtomically } from "picket/tools/cli/write-atomically";
import { DEFAULT_SCRYPT_COST, type KdfPolicy, openDomain, sealDomain, type ScryptCost } from "picket/tools/provisioning/domain-seal";
import type { Domain, Revocation } from "picket/tools/provisioning/domain-store";

export const DOMAIN_FILE = "domain.picket";

export function domainFilePath(folder: string): string {
	return join(folder, DOMAIN_FILE);
}

export function bundlePath(folder: string, id: number): string {
	return join(folder, "devices", `device-${id}.bundle`);
}

/**
 * The passphrase: from `--passphrase-file` (first line) or the PICKET_PASSPHRASE
 * environment variable. Never from the command line, where `ps` and shell history see it.
 */
export function readPassphrase(passphraseFile: string | undefined, environment: NodeJS.ProcessEnv = process.env): string {
	let passphrase: string | undefined;
	if (passphraseFile !== undefined) {
		try {
			passphrase = readFileSync(passphraseFile, "utf8").split(/\r?\n/)[0];
		} catch (error) {
			throw new PicketError<CommandErrorCode>("not-found", `cannot read passphrase file ${passphraseFile}: ${(error as Error).message}`);
		}
	} else {
		passphrase = environment.PICKET_PASSPHRASE;
	}
	if (passphrase === undefined || passphrase.length === 0) {
		throw new PicketError<CommandErrorCode>("bad-usage", "no passphrase: give --passphrase-file <file> or set PICKET_PASSPHRASE");
	}
	return passphrase;
}

/**
 * The scrypt cost for sealing: the default, unless PICKET_SCRYPT_LOG_N raises N. Lowering it
 * (tests use 10) also needs PICKET_INSECURE_TEST_KDF=1, or sealing fails with
 * "insecure-kdf-cost" before anything is written (domain-seal.ts): an environment variable
 * left set must never silently weaken a real domain file.
 */
export function sealCost(environment: NodeJS.ProcessEnv = process.env): ScryptCost {
	const logN = environment.PICKET_SCRYPT_LOG_N;
	if (logN === undefined || logN === "") return DEFAULT_SCRYPT_COST;
	return { ...DEFAULT_SCRYPT_COST, logN: Number(logN) };
}

/** PICKET_INSECURE_TEST_KDF=1: tests and simulations may seal and open domain files below the default scrypt cost. */
export function kdfPolicy(environment: NodeJS.ProcessEnv = process.env): KdfPolicy {
	return { insecureTestKdf: environment.PICKET_INSECURE_TEST_KDF === "1" };
}

/** `policy`: from the environment unless the caller holds another (a test's own environment). */
export function loadDomain(folder: string, passphrase: string, policy: KdfPolicy = kdfPolicy()): Domain {
	const path = domainFilePath(folder);
	if (!existsSync(path)) throw new PicketError<CommandErrorCode>("not-found", `no domain at ${folder} (${DOMAIN_FILE} missing; run \`picket domain init\`)`);
	return openDomain(new Uint8Array(readFileSync(path)), passphrase, policy);
}

/**
 * Writes the roster and the bundles issued by this run (`Domain.issueBundle`, once per
 * device and epoch), then commits the domain file. No other member's bundle is written:
 * re-writing one of an epoch its board may already have run would let an erased board
 * repeat its nonces (issue 12, item 5). A bundle file whose epoch is no longer the one its
 * device was last issued (a delivery moved it on) or of a revoked device is removed.
 */
export function saveDomain(folder: string, domain: Domain, passphrase: string, cost: ScryptCost, options: { exclusive?: boolean; bundles?: ReadonlyMap<number, Uint8Array> } = {}): void {
	const sealed = sealDomain(domain, passphrase, cost, kdfPolicy()); // before any write: a bad cost or passphrase writes nothing
	mkdirSync(folder, { recursive: true, mode: 0o700 });
	mkdirSync(join(folder, "devices"), { recursive: true, mode: 0o700 });
	writeFileAtomically(join(folder, "roster.bin"), domain.roster());
	const roster = domain.verifiedRoster();
	for (const [id, bundle] of options.bundles ?? []) {
		writeFileAtomically(bundlePath(folder, id), bundle, { mode: 0o600 });
		writeFileAtomically(join(folder, "devices", `device-${id}.json`), `${JSON.stringify(bundleView(decodeBundle(bundle, domain.crypto), roster), null, 2)}\n`);
	}
	writeFileAtomically(domainFilePath(folder), sealed, { mode: 0o600, exclusive: options.exclusive === true });
	for (const device of domain.devices()) {
		if (device.revokedAtEpoch === undefined && bundleEpoch(folder, device.id, domain) === device.issuedEpoch) continue;
		rmSync(bundlePath(folder, device.id), { force: true });
		rmSync(join(folder, "devices", `device-${device.id}.json`), { force: true });
	}
}

/** The epoch of a device's bundle file, or undefined when there is none (or it is unreadable). */
function bundleEpoch(folder: string, id: number, domain: Domain): number | undefined {
	const path = bundlePath(folder, id);
	if (!existsSync(path)) return undefined;
	try {
		return decodeBundle(new Uint8Array(readFileSync(path)), domain.crypto).epoch;
	} catch {
		return undefined;
	}
}

/** Writes a revocation's outputs under epochs/epoch-<n>/; returns the folder. */
export function writeRevocation(folder: string, revocation: Pick<Revocation, "epoch" | "roster" | "deliveries">): string {
	const epochFolder = join(folder, "epochs", `epoch-${revocation.epoch}`);
	mkdirSync(epochFolder, { recursive: true });
	for (const stale of readdirSync(epochFolder)) if (stale.endsWith(".delivery")) rmSync(join(epochFolder, stale), { force: true });
	writeFileAtomically(join(epochFolder, "roster.bin"), revocation.roster);
	for (const [id, delivery] of revocation.deliveries) writeFileAtomically(join(epochFolder, `device-${id}.delivery`), delivery, { mode: 0o600 });
	return epochFolder;
}
