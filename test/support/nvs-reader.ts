/**
 * Reads an ESP-IDF NVS partition image back, for tests. Written from ESP-IDF's NVS
 * documentation alone (components/nvs_flash/README.rst, "Internals": pages of 4,096 bytes
 * with a 32-byte header whose CRC32 covers bytes 4..27, a 32-byte entry state bitmap of two
 * bits per entry, 126 entries of 32 bytes whose CRC32 covers all but itself, namespaces as
 * u8 entries of namespace 0, blobs as blob index + blob data chunks), and deliberately not
 * from tools/target/nvs-image.ts: nothing is shared with the writer, its CRC included.
 * Everything it does not expect is an error naming the page and entry.
 */

export type NvsValue = number | bigint | string | Uint8Array;

export interface NvsPageInfo {
	readonly index: number;
	readonly state: "empty" | "active" | "full" | "freeing" | "corrupt";
	readonly sequence?: number;
	readonly version?: number;
	readonly written: number;
}

export interface NvsContents {
	readonly pages: readonly NvsPageInfo[];
	/** namespace name → key → value. */
	readonly namespaces: ReadonlyMap<string, ReadonlyMap<string, NvsValue>>;
}

const PAGE = 4096;
const ENTRY = 32;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit, continuing from `previous` as zlib's crc32(data, previous) does. */
function crc32(bytes: Uint8Array, previous: number): number {
	let crc = ~previous >>> 0;
	for (const byte of bytes) {
		crc ^= byte;
		for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
	}
	return ~crc >>> 0;
}

const u32 = (bytes: Uint8Array, at: number): number => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
const u16 = (bytes: Uint8Array, at: number): number => bytes[at]! | (bytes[at + 1]! << 8);

function keyOf(entry: Uint8Array, where: string): string {
	const field = entry.subarray(8, 24);
	const end = field.indexOf(0);
	if (end < 0) throw new Error(`${where}: key not NUL-terminated within 16 bytes`);
	return String.fromCharCode(...field.subarray(0, end));
}

export function readNvsPartition(image: Uint8Array): NvsContents {
	if (image.length % PAGE !== 0) throw new Error(`image of ${image.length} bytes is not whole pages`);
	const pages: NvsPageInfo[] = [];
	const namespaceNames = new Map<number, string>();
	const values: { namespace: number; key: string; value: NvsValue }[] = [];
	const chunks = new Map<string, Uint8Array>(); // "ns/key/chunk"
	const indexes: { namespace: number; key: string; size: number; count: number; start: number; where: string }[] = [];

	for (let index = 0; index < image.length / PAGE; index++) {
		const page = image.subarray(index * PAGE, (index + 1) * PAGE);
		const stateWord = u32(page, 0);
		if (page.every((byte) => byte === 0xff)) {
			pages.push({ index, state: "empty", written: 0 });
			continue;
		}
		const state = stateWord === 0xfffffffe ? "active" : stateWord === 0xfffffffc ? "full" : stateWord === 0xfffffff8 ? "freeing" : "corrupt";
		if (state === "corrupt") throw new Error(`page ${index}: state 0x${stateWord.toString(16)}`);
		if (u32(page, 28) !== crc32(page.subarray(4, 28), 0xffffffff)) throw new Error(`page ${index}: header CRC mismatch`);
		const sequence = u32(page, 4);
		const version = page[8]!;
		let written = 0;
		for (let slot = 0; slot < 126; ) {
			const bits = (page[32 + (slot >> 2)]! >> ((slot & 3) * 2)) & 3;
			if (bits === 3) {
				slot++;
				continue; // empty
			}
			const where = `page ${index} entry ${slot}`;
			const entry = page.subarray(64 + slot * ENTRY, 64 + (slot + 1) * ENTRY);
			const span = entry[2]!;
			if (bits === 0) {
				slot += Math.max(1, span);
				continue; // erased
			}
			if (bits !== 2) throw new Error(`${where}: state bits ${bits}`);
			const covered = new Uint8Array(28);
			covered.set(entry.subarray(0, 4));
			covered.set(entry.subarray(8, 32), 4);
			if (u32(entry, 4) !== crc32(covered, 0xffffffff)) throw new Error(`${where}: entry CRC mismatch`);
			const namespace = entry[0]!;
			const type = entry[1]!;
			const chunkIndex = entry[3]!;
			const key = keyOf(entry, where);
			const data = entry.subarray(24, 32);
			switch (type) {
				case 0x01: // u8
				case 0x11: // i8
				case 0x02: // u16
				case 0x12: // i16
				case 0x04: // u32
				case 0x14: // i32
				case 0x08: // u64
				case 0x18: {
					// i64
					if (span !== 1) throw new Error(`${where}: an integer spans ${span} entries`);
					const view = new DataView(data.buffer, data.byteOffset, 8);
					const value =
						type === 0x01 ? view.getUint8(0) : type === 0x11 ? view.getInt8(0) : type === 0x02 ? view.getUint16(0, true) : type === 0x12 ? view.getInt16(0, true)
						: type === 0x04 ? view.getUint32(0, true) : type === 0x14 ? view.getInt32(0, true) : type === 0x08 ? view.getBigUint64(0, true) : view.getBigInt64(0, true);
					if (namespace === 0) {
						if (type !== 0x01) throw new Error(`${where}: a namespace entry of type 0x${type.toString(16)}`);
						namespaceNames.set(Number(value), key);
					} else values.push({ namespace, key, value });
					written++;
					slot++;
					break;
				}
				case 0x21: // string
				case 0x42: {
					// blob data
					const size = u16(data, 0);
					if (Math.ceil(size / ENTRY) + 1 !== span) throw new Error(`${where}: span ${span} for ${size} bytes`);
					const bytes = page.subarray(64 + (slot + 1) * ENTRY, 64 + (slot + 1) * ENTRY + size);
					if (bytes.length !== size) throw new Error(`${where}: data runs past the page`);
					if (u32(data, 4) !== crc32(bytes, 0xffffffff)) throw new Error(`${where}: data CRC mismatch`);
					for (let covered = 1; covered < span; covered++) {
						const coveredBits = (page[32 + ((slot + covered) >> 2)]! >> (((slot + covered) & 3) * 2)) & 3;
						if (coveredBits !== 2) throw new Error(`${where}: data entry ${slot + covered} not marked written`);
					}
					if (type === 0x21) {
						if (bytes[size - 1] !== 0) throw new Error(`${where}: string without its NUL`);
						values.push({ namespace, key, value: new TextDecoder().decode(bytes.subarray(0, size - 1)) });
					} else chunks.set(`${namespace}/${key}/${chunkIndex}`, bytes.slice());
					written += span;
					slot += span;
					break;
				}
				case 0x48: {
					// blob index
					if (span !== 1) throw new Error(`${where}: a blob index spans ${span} entries`);
					indexes.push({ namespace, key, size: u32(data, 0), count: data[4]!, start: data[5]!, where });
					written++;
					slot++;
					break;
				}
				default:
					throw new Error(`${where}: unknown type 0x${type.toString(16)}`);
			}
		}
		pages.push({ index, state, sequence, version, written });
	}

	for (const blob of indexes) {
		const parts: Uint8Array[] = [];
		for (let chunk = blob.start; chunk < blob.start + blob.count; chunk++) {
			const part = chunks.get(`${blob.namespace}/${blob.key}/${chunk}`);
			if (part === undefined) throw new Error(`${blob.where}: chunk ${chunk} of ${blob.key} missing`);
			parts.push(part);
		}
		const value = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
		let at = 0;
		for (const part of parts) {
			value.set(part, at);
			at += part.length;
		}
		if (value.length !== blob.size) throw new Error(`${blob.where}: ${blob.key} has ${value.length} bytes, its index says ${blob.size}`);
		values.push({ namespace: blob.namespace, key: blob.key, value });
	}

	const namespaces = new Map<string, Map<string, NvsValue>>();
	for (const { namespace, key, value } of values) {
		const name = namespaceNames.get(namespace);
		if (name === undefined) throw new Error(`key ${key} in namespace ${namespace}, which no entry names`);
		let keys = namespaces.get(name);
		if (keys === undefined) namespaces.set(name, (keys = new Map()));
		if (keys.has(key)) throw new Error(`${name}/${key} stored twice`);
		keys.set(key, value);
	}
	return { pages, namespaces };
}

/**
 * A read-only Moddable Preference over values by namespace and key, as the device reads
 * them: a blob comes back as an ArrayBuffer. For loading what a target holds through the
 * firmware's own storage layer.
 */
export function readOnlyPreference(values: ReadonlyMap<string, ReadonlyMap<string, NvsValue>>): {
	get(domain: string, key: string): string | number | ArrayBuffer | undefined;
	set(): never;
	delete(): never;
	keys(domain: string): string[];
} {
	const refuse = (): never => {
		throw new Error("read-only");
	};
	return {
		get: (domain, key) => {
			const stored = values.get(domain)?.get(key);
			return stored instanceof Uint8Array ? stored.slice().buffer : typeof stored === "bigint" ? Number(stored) : stored;
		},
		set: refuse,
		delete: refuse,
		keys: (domain) => [...(values.get(domain)?.keys() ?? [])],
	};
}
