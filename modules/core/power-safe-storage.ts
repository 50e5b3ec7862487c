/**
 * Storage (host-contracts.ts) that survives a power cut at any instant, over a key-value
 * store with the shape and the erase-then-write semantics of Moddable's Preference.
 *
 * Why: the Storage contract promises a write atomic per key, and Moddable's ESP32
 * Preference.set erases the key before it writes it. In Moddable SDK 8.2.3,
 * modules/files/preference/esp32/modPreference.c, lines 27–33 define `ERASE_KEY` (a
 * work-around for an ESP-IDF bug when a key changes type) and lines 77–85 store an
 * ArrayBuffer as `ERASE_KEY(handle, key); err = nvs_set_blob(handle, key, data, length);`.
 * ESP-IDF's NVS puts each of the two in flash as it is called (the `nvs_commit` of line 98
 * adds nothing), so a power cut between them leaves the key absent: the sequence counter
 * would start again at 0 and reuse nonces, a replay window would forget what it saw.
 *
 * How: each key of the contract (a logical key) is two Preference entries, its slots
 * `<key>~a` and `<key>~b` (so a logical key has at most 15 − 2 = 13 characters), each
 * holding one record:
 *
 * | record byte | field      | content                                                |
 * |-------------|------------|--------------------------------------------------------|
 * | 0           | format     | 1                                                      |
 * | 1..4        | generation | u32 big-endian; each write is one more, modulo 2^32    |
 * | 5..n+4      | value      | the n bytes written, n ≤ 3,991 (4,000 − 9)             |
 * | n+5..n+8    | check      | CRC-32 (crc32.ts) of bytes 0..n+4, u32 big-endian      |
 *
 * A record is intact when it is an ArrayBuffer of at least 9 bytes, of format 1, whose
 * check matches. Then:
 * - read: the intact record of the newer generation; of equal generations (which this
 *   module never writes), slot a.
 * - write: generation + 1 into the slot read did NOT pick (slot a when none is intact).
 *   A cut anywhere in that write (after the erase, part-way through the data) spoils only
 *   that slot: the key reads as the old value until the new record is whole, then as the
 *   new one.
 * - delete: the slot read did not pick first, then the other, so a cut in between leaves
 *   the last value, never an older one.
 * - keys: the logical keys with at least one slot present, intact or not, so that a caller
 *   can delete what it finds.
 *
 * Generations compare modulo 2^32 (RFC 1982 serial-number arithmetic): the two slots are
 * always one write apart, so the wrap after 2^32 writes to one key (far beyond what flash
 * survives) needs nothing more.
 *
 * Why CRC-32 and not a truncated SHA-256: the check guards against accidents, not an
 * attacker (who, holding the flash, could write a valid record under either check; NVS
 * encryption and the bundle's signature are the defences there). The accidents are a
 * write torn part-way, an erased or half-erased slot, a bit flipped in flash: CRC-32
 * catches every error of up to 3 bits and every burst of up to 32 bits in records this
 * size, and misses anything else with probability 2^-32. It needs no crypto provider in
 * core/ and 64 bytes of table.
 *
 * How sure a read is (StoredValue in host-contracts.ts):
 * - two intact records one generation apart → "latest" (a later write would have
 *   replaced the older one);
 * - one intact record, or two not one apart → "latest-or-previous": the other slot is
 *   absent or spoilt, which a cut during a write leaves (the intact record is then the
 *   last complete write), but so would damage to the newer record after it was written
 *   (the intact one is then a write behind);
 * - one slot present, not intact, the other absent → "first-value-lost": slot a is written
 *   again and again only while no write to the empty key completes (each cut), and slot b
 *   is written once one has; so the lost value is a write to an empty key (its last one,
 *   completed then damaged) or nothing;
 * - two slots present, none intact → "damaged": cuts alone never leave this (a write
 *   always goes to the slot that is not the only intact one).
 * NVS drops an entry whose own CRC fails, so on a device damage mostly shows as a missing
 * slot; a key whose two slots NVS dropped looks never written, which no layer over NVS
 * can tell apart.
 *
 * Cost: one Preference write per write (value + 9 bytes), two Preference reads before it
 * to find the slot; nothing is read back. No state is kept between calls: no cache to go
 * stale, no RAM per key.
 */
import { STORAGE_DOMAIN_MAX, STORAGE_KEY_MAX, STORAGE_VALUE_MAX, type Storage, type StoredValue } from "picket/core/host-contracts";
import { crc32 } from "picket/core/crc32";
import { readU32, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";

/**
 * The raw store, shaped as Moddable's `Preference` class so that a host passes Preference
 * itself: a value written is an ArrayBuffer; what comes back may be anything Preference
 * holds (a field tool may have written a number or a string).
 */
export interface PreferenceStore {
	get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined;
	set(domain: string, key: string, value: ArrayBuffer): void;
	delete(domain: string, key: string): void;
	keys(domain: string): string[];
}

/** Preference's own limits on the ESP32 (NVS): names ≤ 15 characters, values ≤ 4,000 bytes (Moddable's documentation/files/files.md). */
export const PREFERENCE_NAME_MAX = 15;
export const PREFERENCE_VALUE_MAX = 4000;

export const RECORD_FORMAT = 1;
const HEADER_LENGTH = 5;
const CHECK_LENGTH = 4;
/** Bytes a record adds to its value. */
export const RECORD_OVERHEAD = HEADER_LENGTH + CHECK_LENGTH;
/** The two slots of a logical key: its Preference names are the key followed by one of these. */
export const SLOT_SUFFIXES = ["~a", "~b"] as const;

export type PowerSafeStorageErrorCode = "bad-name" | "value-too-long";

/** The Preference name of slot `slot` (0 or 1) of logical key `key`. */
export function slotName(key: string, slot: number): string {
	return key + SLOT_SUFFIXES[slot];
}

/** A record of `value` at `generation` (the table above). */
export function encodeRecord(value: Uint8Array, generation: number): Uint8Array {
	const record = new Uint8Array(value.length + RECORD_OVERHEAD);
	record[0] = RECORD_FORMAT;
	writeU32(record, 1, generation >>> 0);
	record.set(value, HEADER_LENGTH);
	writeU32(record, HEADER_LENGTH + value.length, crc32(record, 0, HEADER_LENGTH + value.length));
	return record;
}

export interface DecodedRecord {
	readonly generation: number;
	readonly value: Uint8Array;
}

/** The record's generation and value, or undefined when it is not intact (torn, erased, flipped, or not a record at all). */
export function decodeRecord(raw: string | boolean | number | ArrayBuffer | undefined): DecodedRecord | undefined {
	if (!(raw instanceof ArrayBuffer) || raw.byteLength < RECORD_OVERHEAD) return undefined;
	const record = new Uint8Array(raw);
	const end = record.length - CHECK_LENGTH;
	if (record[0] !== RECORD_FORMAT || readU32(record, end) !== crc32(record, 0, end)) return undefined;
	return { generation: readU32(record, 1), value: record.slice(HEADER_LENGTH, end) };
}

/** True when generation `a` is newer than `b`, modulo 2^32 (RFC 1982 §3.2). */
function newer(a: number, b: number): boolean {
	const distance = (a - b) >>> 0;
	return distance !== 0 && distance < 0x80000000;
}

/** What the two slots of a key hold: which one read picks, and how sure that is. */
interface SlotPair {
	readonly stored: StoredValue;
	/** The slot read picked (its record is intact), or undefined when none is intact. */
	readonly picked: number | undefined;
	readonly generation: number;
	readonly present: readonly [boolean, boolean];
}

function checkName(kind: "domain" | "key", name: string, max: number): void {
	if (name.length === 0 || name.length > max) throw new PicketError<PowerSafeStorageErrorCode>("bad-name", `${kind} "${name}" must be 1..${max} characters`);
}

export class PowerSafeStorage implements Storage {
	readonly #preference: PreferenceStore;

	constructor(preference: PreferenceStore) {
		this.#preference = preference;
	}

	read(domain: string, key: string): Uint8Array | undefined {
		const stored = this.inspect(domain, key);
		return stored.state === "latest" || stored.state === "latest-or-previous" ? stored.value : undefined;
	}

	inspect(domain: string, key: string): StoredValue {
		return this.#slots(domain, key).stored;
	}

	write(domain: string, key: string, value: Uint8Array): void {
		if (value.length > STORAGE_VALUE_MAX) throw new PicketError<PowerSafeStorageErrorCode>("value-too-long", `${value.length} > ${STORAGE_VALUE_MAX} bytes`);
		const slots = this.#slots(domain, key);
		const target = slots.picked === undefined ? 0 : 1 - slots.picked;
		const generation = slots.picked === undefined ? 0 : (slots.generation + 1) >>> 0;
		this.#preference.set(domain, slotName(key, target), encodeRecord(value, generation).buffer as ArrayBuffer);
	}

	delete(domain: string, key: string): void {
		const slots = this.#slots(domain, key);
		const first = slots.picked === undefined ? 0 : 1 - slots.picked;
		for (const slot of [first, 1 - first]) if (slots.present[slot]) this.#preference.delete(domain, slotName(key, slot));
	}

	keys(domain: string): string[] {
		checkName("domain", domain, STORAGE_DOMAIN_MAX);
		const keys: string[] = [];
		for (const name of this.#preference.keys(domain)) {
			const suffix = name.slice(-2);
			if (name.length <= 2 || (suffix !== SLOT_SUFFIXES[0] && suffix !== SLOT_SUFFIXES[1])) continue; // not written by this module
			const key = name.slice(0, -2);
			if (!keys.includes(key)) keys.push(key);
		}
		return keys;
	}

	#slots(domain: string, key: string): SlotPair {
		checkName("domain", domain, STORAGE_DOMAIN_MAX);
		checkName("key", key, STORAGE_KEY_MAX);
		const raw = [this.#preference.get(domain, slotName(key, 0)), this.#preference.get(domain, slotName(key, 1))];
		const present: [boolean, boolean] = [raw[0] !== undefined, raw[1] !== undefined];
		const [a, b] = raw.map(decodeRecord);
		if (a === undefined && b === undefined) {
			const state = present[0] && present[1] ? "damaged" : present[0] || present[1] ? "first-value-lost" : "absent";
			return { stored: { state }, picked: undefined, generation: 0, present };
		}
		if (a === undefined || b === undefined) {
			const only = a ?? (b as DecodedRecord);
			return { stored: { state: "latest-or-previous", value: only.value }, picked: a === undefined ? 1 : 0, generation: only.generation, present };
		}
		const picked = newer(b.generation, a.generation) ? 1 : 0;
		const [current, other] = picked === 0 ? [a, b] : [b, a];
		const certain = ((current.generation - other.generation) >>> 0) === 1;
		return { stored: { state: certain ? "latest" : "latest-or-previous", value: current.value }, picked, generation: current.generation, present };
	}
}

/** One Preference entry: what a provisioning tool writes into a device's store. */
export interface PreferenceEntry {
	readonly domain: string;
	readonly key: string;
	readonly value: Uint8Array;
}

/** Refuses what Preference on the ESP32 refuses: names of 0 or more than 15 characters, values over 4,000 bytes. */
export function checkPreferenceEntry(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void {
	checkName("domain", domain, PREFERENCE_NAME_MAX);
	checkName("key", key, PREFERENCE_NAME_MAX);
	if (value instanceof ArrayBuffer && value.byteLength > PREFERENCE_VALUE_MAX) {
		throw new PicketError<PowerSafeStorageErrorCode>("value-too-long", `${value.byteLength} > ${PREFERENCE_VALUE_MAX} bytes`);
	}
}

/**
 * Preference in memory, set and delete atomic, with no power cuts: the store behind
 * `preferenceEntries`, and the base of the host simulator's flash model.
 */
export class MemoryPreference implements PreferenceStore {
	readonly #domains = new Map<string, Map<string, string | boolean | number | ArrayBuffer>>();

	get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined {
		const value = this.#domains.get(domain)?.get(key);
		return value instanceof ArrayBuffer ? value.slice(0) : value;
	}

	set(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void {
		checkPreferenceEntry(domain, key, value);
		let entries = this.#domains.get(domain);
		if (entries === undefined) this.#domains.set(domain, (entries = new Map()));
		entries.set(key, value instanceof ArrayBuffer ? value.slice(0) : value);
	}

	delete(domain: string, key: string): void {
		const entries = this.#domains.get(domain);
		entries?.delete(key);
		if (entries?.size === 0) this.#domains.delete(domain);
	}

	keys(domain: string): string[] {
		return Array.from(this.#domains.get(domain)?.keys() ?? []);
	}

	/** Every ArrayBuffer entry, domain by domain, in the order written. */
	entries(): PreferenceEntry[] {
		const entries: PreferenceEntry[] = [];
		for (const [domain, values] of this.#domains) {
			for (const [key, value] of values) if (value instanceof ArrayBuffer) entries.push({ domain, key, value: new Uint8Array(value.slice(0)) });
		}
		return entries;
	}
}

/**
 * The Preference entries a device's store holds after `fill` wrote through this module:
 * for provisioning tools that build a store off the device (an NVS partition image, the
 * Moddable simulator's preference file). For example
 * `preferenceEntries((storage) => storeBundle(storage, bundle, crypto))` gives the
 * keystore's records, `bundle.a.0~a`, …, `bundle.commit~a`, each a record of the table above.
 */
export function preferenceEntries(fill: (storage: Storage) => void): PreferenceEntry[] {
	const preference = new MemoryPreference();
	fill(new PowerSafeStorage(preference));
	return preference.entries();
}
