/**
 * bench/storage: what the firmware's storage costs in flash, before and after the
 * power-safe layer (picket/core/power-safe-storage), counted on the simulator's model of
 * Preference on the ESP32 (hosts/sim/flash-preference.ts: a set is an erase then a
 * program). "Before" is the previous host binding, one Preference.set per Storage write,
 * which a cut between the erase and the program could lose. Run with
 * `node build/bench/storage.js` or `npm run bench -- storage`.
 *
 * Figures per Storage write, per alert sent (the sequence counter), per alert read (the
 * replay window), per boot, and per provisioning write (the keystore), on the real
 * SecureLink and keystore.
 */
import type { Storage, StoredValue } from "picket/core/host-contracts";
import { PowerSafeStorage, RECORD_OVERHEAD } from "picket/core/power-safe-storage";
import { FlashPreference } from "picket/hosts/sim/flash-preference";
import { SecureLink } from "picket/link/secure-link";
import { DEFAULT_SEQUENCE_BLOCK } from "picket/link/sequence-counter";
import { storeBundle } from "picket/provisioning/keystore";
import { FixedMembership, epochKeysFor, testMember } from "picket/test/support/link-fixtures";
import { FixtureDomain } from "picket/test/support/provisioning-fixture";
import { createSeededRandom } from "picket/test/support/seeded-random";
import { createSoftwareSuite } from "picket/crypto/software-suite";

/** The binding before this layer: each Storage write one Preference.set of the bare value. */
class DirectStorage implements Storage {
	constructor(readonly flash: FlashPreference) {}
	read(domain: string, key: string): Uint8Array | undefined {
		const value = this.flash.get(domain, key);
		return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
	}
	write(domain: string, key: string, value: Uint8Array): void {
		this.flash.set(domain, key, value.slice().buffer);
	}
	delete(domain: string, key: string): void {
		this.flash.delete(domain, key);
	}
	keys(domain: string): string[] {
		return this.flash.keys(domain);
	}
	inspect(domain: string, key: string): StoredValue {
		const value = this.read(domain, key);
		return value === undefined ? { state: "absent" } : { state: "latest", value };
	}
}

interface Wear {
	readonly programs: number;
	readonly bytes: number;
	/** 32-byte NVS entries those writes take. */
	readonly entries: number;
	readonly erases: number;
	readonly reads: number;
}

/**
 * NVS entries a blob of `length` bytes takes, by ESP-IDF's NVS format: 32-byte entries; a
 * blob is a BLOB_DATA item (one header entry, then its data in ceil(length / 32) entries)
 * and a BLOB_IDX entry (one chunk while the blob fits a page).
 */
const nvsEntries = (length: number) => 2 + Math.ceil(length / 32);

function wearOf(flash: FlashPreference, run: () => void): Wear {
	const before = { programs: flash.programs, bytes: flash.bytesProgrammed, steps: flash.steps, reads: flash.reads };
	let entries = 0;
	const set = flash.set.bind(flash);
	flash.set = (domain, key, value) => {
		set(domain, key, value);
		if (value instanceof ArrayBuffer) entries += nvsEntries(value.byteLength);
	};
	run();
	flash.set = set;
	const programs = flash.programs - before.programs;
	return { programs, bytes: flash.bytesProgrammed - before.bytes, entries, erases: flash.steps - before.steps - programs, reads: flash.reads - before.reads };
}

const LAYERS = {
	before: (flash: FlashPreference): Storage => new DirectStorage(flash),
	after: (flash: FlashPreference): Storage => new PowerSafeStorage(flash),
} as const;

const crypto = createSoftwareSuite(createSeededRandom(1));
const SENSOR = testMember(1, "sensor", [0]);
const RESPONDER = testMember(2, "responder", [0]);
const ROSTER = new FixedMembership([SENSOR, RESPONDER]);
const ALERTS = 10 * DEFAULT_SEQUENCE_BLOCK;

function link(storage: Storage, member: typeof SENSOR): SecureLink {
	const secureLink = new SecureLink({ crypto, storage, random: createSeededRandom(member.id), membership: ROSTER, self: member.id });
	secureLink.installEpoch(epochKeysFor(crypto, member, 1), { keepPrevious: false });
	return secureLink;
}

/** Alerts sent by one device and read by another, each on its own flash; then both reboot. */
function alertWear(layer: keyof typeof LAYERS) {
	const senderFlash = new FlashPreference();
	const readerFlash = new FlashPreference();
	const sender = link(LAYERS[layer](senderFlash), SENSOR);
	const reader = link(LAYERS[layer](readerFlash), RESPONDER);
	const frames: Uint8Array[] = [];
	const sent = wearOf(senderFlash, () => {
		for (let i = 0; i < ALERTS; i++) frames.push(sender.sendAlert(0, new Uint8Array(16)));
	});
	const read = wearOf(readerFlash, () => {
		for (const frame of frames) if (reader.receive(frame).kind !== "alert") throw new Error("an alert was not read");
	});
	const bootSender = wearOf(senderFlash, () => link(LAYERS[layer](senderFlash), SENSOR).sendAlert(0, new Uint8Array(16)));
	const bootReader = wearOf(readerFlash, () => link(LAYERS[layer](readerFlash), RESPONDER).receive(sender.sendAlert(0, new Uint8Array(16))));
	return { sent, read, bootSender, bootReader };
}

function provisioningWear(layer: keyof typeof LAYERS, members: number) {
	const domain = new FixtureDomain(0xbe7c);
	const devices = [];
	for (let id = 1; id <= members; id++) devices.push(domain.add(id, "sensor", 1));
	const first = domain.bundle(devices[0], 0);
	const second = domain.bundle(devices[0], 1, domain.roster(1));
	const flash = new FlashPreference();
	const storage = LAYERS[layer](flash);
	const initial = wearOf(flash, () => storeBundle(storage, first, domain.crypto));
	const update = wearOf(flash, () => storeBundle(storage, second, domain.crypto));
	return { bundleBytes: first.length, initial, update };
}

const WIDTHS = [50, 7, 7, 8, 9, 7, 6];
const row = (cells: readonly (string | number)[]) => cells.map((cell, i) => String(cell).padEnd(WIDTHS[i])).join("  ");
const figures = (label: string, wear: { readonly before: Wear; readonly after: Wear }, count: number) => {
	for (const layer of ["before", "after"] as const) {
		const w = wear[layer];
		const each = (value: number) => (Number.isInteger(value / count) ? String(value / count) : (value / count).toFixed(3));
		console.log(row([layer === "before" ? label : "", layer, each(w.programs), each(w.bytes), each(w.entries), each(w.erases), each(w.reads)]));
	}
};

console.log("bench/storage — flash cost, before and after the power-safe layer (picket/core/power-safe-storage)");
console.log("on the model of Preference on the ESP32 (hosts/sim/flash-preference.ts): a write is an erase then a program;");
console.log(`record overhead ${RECORD_OVERHEAD} B per value (format 1, generation 4, CRC-32 4); NVS entries of 32 B by ESP-IDF's blob format\n`);
console.log(row(["", "layer", "writes", "bytes", "NVS ent.", "erases", "reads"]));
const alerts = { before: alertWear("before"), after: alertWear("after") };
const pick = (name: keyof (typeof alerts)["after"]) => ({ before: alerts.before[name], after: alerts.after[name] });
figures(`per alert sent (counter, block of ${DEFAULT_SEQUENCE_BLOCK})`, pick("sent"), ALERTS);
figures("per alert read (replay window of its source)", pick("read"), ALERTS);
figures("per boot: the sender's first alert", pick("bootSender"), 1);
figures("per boot: the reader's first alert read", pick("bootReader"), 1);
for (const members of [12, 110]) {
	const before = provisioningWear("before", members);
	const after = provisioningWear("after", members);
	figures(`provisioning: first bundle (${members} members, ${after.bundleBytes} B)`, { before: before.initial, after: after.initial }, 1);
	figures(`provisioning: next bundle (${members} members)`, { before: before.update, after: after.update }, 1);
}
console.log("\nwrites, bytes, NVS entries: flash wear; erases: NVS marks an entry erased (2 bits); reads: Preference.get calls (time, no wear)");
