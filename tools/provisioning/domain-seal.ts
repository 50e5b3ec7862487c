/**
 * The domain file at rest: the authority's state (domain-store.ts) encrypted under a
 * passphrase, never written in clear.
 *
 *   key        = scrypt(passphrase, salt 16 B, N = 2^logN, r, p) → 32 B   (RFC 7914, node:crypto)
 *   ciphertext = AES-256-GCM(key, iv 12 B, AAD = the envelope header, JSON state) ‖ tag 16 B
 *
 * The file is JSON, so an operator can see what protects it:
 *
 *   { "format": "picket-domain", "version": 1,
 *     "kdf": { "name": "scrypt", "logN": 17, "r": 8, "p": 1, "salt": "<base64>" },
 *     "cipher": "aes-256-gcm", "iv": "<base64>", "ciphertext": "<base64>", "tag": "<base64>" }
 *
 * The header fields (format, version, kdf, cipher, iv) are the GCM associated data, so
 * lowering the scrypt cost in the file or swapping the salt makes decryption fail, not
 * succeed more cheaply. A wrong passphrase and a tampered file are the same failure to
 * GCM; the error says so.
 *
 * Cost: DEFAULT_SCRYPT_COST (N = 2^17, r = 8, p = 1: 128 MiB, a fraction of a second) is
 * OWASP's scrypt recommendation, and also the floor: a cost below it is "insecure-kdf-cost"
 * on sealing and on opening, unless the caller passes `{ insecureTestKdf: true }` (the CLI
 * does only when PICKET_INSECURE_TEST_KDF=1, domain-folder.ts). TEST_SCRYPT_COST (N = 2^10)
 * exists so tests can seal domains quickly; a file sealed with it is as weak as its number
 * says, and nothing treats it as a real domain without the switch.
 *
 * Bounds on reading (issue 12, item 11): the KDF parameters come from the file, so a
 * crafted file could otherwise ask for N = 2^22, r = 32, p = 16 — 16 GiB and minutes of
 * work — before the passphrase is even checked. A file is refused with "bad-kdf-cost"
 * unless 2^10 ≤ N ≤ 2^20, 1 ≤ r ≤ 16, 1 ≤ p ≤ 4, scrypt's memory 128·N·r ≤ 1 GiB and its
 * work N·r·p ≤ 2^24 (16 times the default).
 */
import * as nodeCrypto from "node:crypto";
import { PicketError } from "picket/core/picket-error";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { Domain, type AuthoritySignerFactory, type DomainStateJson } from "picket/tools/provisioning/domain-store";
import { nodeAuthoritySigner } from "picket/tools/provisioning/node-signer";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

export interface ScryptCost {
	readonly logN: number;
	readonly r: number;
	readonly p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { logN: 17, r: 8, p: 1 };
/** For tests and simulations only: about 1 ms instead of a few hundred. */
export const TEST_SCRYPT_COST: ScryptCost = { logN: 10, r: 8, p: 1 };
const MIN_LOG_N = 10;
const MAX_LOG_N = 20;
const MAX_R = 16;
const MAX_P = 4;
/** scrypt's V array, 128·N·r bytes. */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;
/** N·r·p: 16 times the default's. */
const MAX_SCRYPT_WORK = 2 ** 24;

/** How a caller treats costs below DEFAULT_SCRYPT_COST. */
export interface KdfPolicy {
	/** Accept a cost below the default: tests and simulations only (PICKET_INSECURE_TEST_KDF=1). */
	readonly insecureTestKdf?: boolean;
}

export type DomainSealErrorCode = "wrong-passphrase" | "corrupt-domain-file" | "bad-passphrase" | "bad-kdf-cost" | "insecure-kdf-cost";

function fail(code: DomainSealErrorCode, message?: string): never {
	throw new PicketError<DomainSealErrorCode>(code, message);
}

interface Envelope {
	format: "picket-domain";
	version: 1;
	kdf: { name: "scrypt"; logN: number; r: number; p: number; salt: string };
	cipher: "aes-256-gcm";
	iv: string;
	ciphertext: string;
	tag: string;
}

/** The bounds above, then the floor unless the policy waives it: before any scrypt work. */
export function checkCost(cost: ScryptCost, policy: KdfPolicy = {}): void {
	const { logN, r, p } = cost;
	if (!Number.isInteger(logN) || logN < MIN_LOG_N || logN > MAX_LOG_N || !Number.isInteger(r) || r < 1 || r > MAX_R || !Number.isInteger(p) || p < 1 || p > MAX_P) {
		fail("bad-kdf-cost", `scrypt logN ${logN} (${MIN_LOG_N}..${MAX_LOG_N}), r ${r} (1..${MAX_R}), p ${p} (1..${MAX_P})`);
	}
	if (128 * 2 ** logN * r > MAX_SCRYPT_MEMORY) fail("bad-kdf-cost", `scrypt memory 128·N·r = ${(128 * 2 ** logN * r) / 2 ** 20} MiB is over ${MAX_SCRYPT_MEMORY / 2 ** 20} MiB`);
	if (2 ** logN * r * p > MAX_SCRYPT_WORK) fail("bad-kdf-cost", `scrypt work N·r·p = 2^${Math.log2(2 ** logN * r * p).toFixed(1)} is over 2^24`);
	const secure = logN >= DEFAULT_SCRYPT_COST.logN && r >= DEFAULT_SCRYPT_COST.r && p >= DEFAULT_SCRYPT_COST.p;
	if (!secure && policy.insecureTestKdf !== true) {
		fail("insecure-kdf-cost", `scrypt logN ${logN}, r ${r}, p ${p} is below the default (logN ${DEFAULT_SCRYPT_COST.logN}, r ${DEFAULT_SCRYPT_COST.r}, p ${DEFAULT_SCRYPT_COST.p}): only tests may use it (PICKET_INSECURE_TEST_KDF=1)`);
	}
}

function deriveKey(passphrase: string, salt: Uint8Array, cost: ScryptCost, policy: KdfPolicy): Buffer {
	checkCost(cost, policy);
	const N = 2 ** cost.logN;
	// maxmem must exceed 128·N·r (scrypt's V array) plus its other buffers.
	return nodeCrypto.scryptSync(passphrase.normalize("NFC"), salt, 32, { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 16 * 1024 * 1024 });
}

function associatedData(envelope: Envelope): Buffer {
	const { format, version, kdf, cipher, iv } = envelope;
	return Buffer.from(JSON.stringify({ format, version, kdf, cipher, iv }), "utf8");
}

/** Encrypts the domain's state under `passphrase`; returns the file's bytes. */
export function sealDomain(domain: Domain, passphrase: string, cost: ScryptCost = DEFAULT_SCRYPT_COST, policy: KdfPolicy = {}): Uint8Array {
	if (passphrase.length === 0) fail("bad-passphrase", "the passphrase is empty");
	const salt = nodeCrypto.randomBytes(16);
	const iv = nodeCrypto.randomBytes(12);
	const envelope: Envelope = {
		format: "picket-domain",
		version: 1,
		kdf: { name: "scrypt", logN: cost.logN, r: cost.r, p: cost.p, salt: salt.toString("base64") },
		cipher: "aes-256-gcm",
		iv: iv.toString("base64"),
		ciphertext: "",
		tag: "",
	};
	const key = deriveKey(passphrase, salt, cost, policy);
	const cipher = nodeCrypto.createCipheriv("aes-256-gcm", key, iv);
	cipher.setAAD(associatedData(envelope));
	const state = Buffer.from(JSON.stringify(domain.toJson()), "utf8");
	envelope.ciphertext = Buffer.concat([cipher.update(state), cipher.final()]).toString("base64");
	envelope.tag = cipher.getAuthTag().toString("base64");
	state.fill(0);
	key.fill(0);
	return new Uint8Array(Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`, "utf8"));
}

/** Decrypts a domain file; throws "wrong-passphrase", "corrupt-domain-file", "bad-kdf-cost" or "insecure-kdf-cost". */
export function openDomain(file: Uint8Array, passphrase: string, policy: KdfPolicy = {}, crypto: CryptoSuite = createNodeCryptoSuite(), signer: AuthoritySignerFactory = nodeAuthoritySigner): Domain {
	let envelope: Envelope;
	try {
		envelope = JSON.parse(Buffer.from(file).toString("utf8")) as Envelope;
	} catch {
		return fail("corrupt-domain-file", "not a Picket domain file (not JSON)");
	}
	if (typeof envelope !== "object" || envelope === null || envelope.format !== "picket-domain") fail("corrupt-domain-file", "not a Picket domain file");
	if (envelope.version !== 1 || envelope.cipher !== "aes-256-gcm" || envelope.kdf?.name !== "scrypt") fail("corrupt-domain-file", "unsupported domain file version, cipher or KDF");
	const salt = Buffer.from(String(envelope.kdf.salt), "base64");
	const iv = Buffer.from(String(envelope.iv), "base64");
	const tag = Buffer.from(String(envelope.tag), "base64");
	if (salt.length !== 16 || iv.length !== 12 || tag.length !== 16) fail("corrupt-domain-file", "salt, iv or tag of the wrong length");
	const kdf = envelope.kdf;
	const key = deriveKey(passphrase, salt, { logN: kdf.logN, r: kdf.r, p: kdf.p }, policy); // checkCost refuses anything but bounded integers
	const decipher = nodeCrypto.createDecipheriv("aes-256-gcm", key, iv);
	decipher.setAAD(associatedData(envelope));
	decipher.setAuthTag(tag);
	let state: Buffer;
	try {
		state = Buffer.concat([decipher.update(Buffer.from(String(envelope.ciphertext), "base64")), decipher.final()]);
	} catch {
		return fail("wrong-passphrase", "wrong passphrase, or the domain file was altered");
	} finally {
		key.fill(0);
	}
	let json: DomainStateJson;
	try {
		json = JSON.parse(state.toString("utf8")) as DomainStateJson;
	} catch {
		return fail("corrupt-domain-file", "decrypted state is not JSON");
	} finally {
		state.fill(0);
	}
	return Domain.fromJson(json, crypto, signer);
}
