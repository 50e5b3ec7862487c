/**
 * An ESP-IDF NVS partition image (format version 2, multi-page blobs) holding Preference
 * entries, for Moddable's ESP32 Preference (modules/files/preference/esp32/modPreference.c:
 * a domain is an NVS namespace, an ArrayBuffer a blob, a number an i32). Written from
 * ESP-IDF's NVS documentation (components/nvs_flash/README.rst, "Internals"), placing
 * entries by the rules of ESP-IDF's own generator (nvs_partition_gen.py) so that the image is
 * the one that tool writes for the same entries in the same order.
 *
 * Page: one 4,096-byte flash sector.
 *
 * | offset | bytes    | field                                                              |
 * |--------|----------|--------------------------------------------------------------------|
 * | 0      | 4        | state, u32 LE: 0xFFFFFFFE active, 0xFFFFFFFC full                  |
 * | 4      | 4        | sequence number, u32 LE: 0, 1, 2, …                                |
 * | 8      | 1        | format version: 0xFE (version 2; 0xFF was version 1)               |
 * | 9      | 19       | unused, 0xFF                                                       |
 * | 28     | 4        | CRC32 of bytes 4..27                                               |
 * | 32     | 32       | entry state bitmap: 2 bits per entry, LSB first; 11 empty, 10 written |
 * | 64     | 126 × 32 | entries                                                            |
 *
 * Entry: 32 bytes.
 *
 * | offset | bytes | field                                                                   |
 * |--------|-------|-------------------------------------------------------------------------|
 * | 0      | 1     | namespace index; 0 for the entries that name namespaces                 |
 * | 1      | 1     | type: 0x01 u8, 0x14 i32, 0x42 blob data, 0x48 blob index                 |
 * | 2      | 1     | span: entries used, this one included                                    |
 * | 3      | 1     | chunk index of a blob data entry; 0xFF otherwise                         |
 * | 4      | 4     | CRC32 of bytes 0..3 and 8..31                                            |
 * | 8      | 16    | key, NUL-padded, ≤ 15 characters                                         |
 * | 24     | 8     | u8/i32: the value, LE, then 0xFF; blob data: size u16 LE, 0xFFFF, CRC32 of the chunk; blob index: total size u32 LE, chunk count u8, first chunk index u8, 0xFFFF |
 *
 * A namespace is an u8 entry in namespace 0 whose key is its name and whose value is its
 * index (1, 2, …), written before its first key. A blob is one or more blob data entries
 * (chunks 0, 1, …; each followed by its bytes in the next entries, the last one padded with
 * 0xFF), a chunk filling what its page has left but one entry, then its blob index entry. CRC32 is
 * zlib's crc32(data, 0xFFFFFFFF) (ESP-IDF: esp_rom_crc32_le(0xFFFFFFFF, …)). Every page the
 * entries leave empty still gets a header; every page with a header ends full; the
 * partition's last page stays erased (0xFF), the one NVS needs free to work.
 */
import { crc32 } from "node:zlib";
import { PicketError } from "picket/core/picket-error";
import type { TargetEntry } from "picket/tools/target/device-preferences";

export const NVS_PAGE_SIZE = 4096;
const ENTRY_SIZE = 32;
const ENTRIES_PER_PAGE = 126;
const FIRST_ENTRY_OFFSET = 64;
const BITMAP_OFFSET = 32;
const STATE_ACTIVE = 0xfffffffe;
const STATE_FULL = 0xfffffffc;
const VERSION_2 = 0xfe;
const CHUNK_ANY = 0xff;
const NAME_MAX = 15;

export const NvsType = { U8: 0x01, I32: 0x14, BLOB_DATA: 0x42, BLOB_INDEX: 0x48 } as const;

/**
 * Moddable's ESP32 partition table (Moddable SDK 8.2.3,
 * build/devices/esp32/xsProj-esp32/partitions.csv: `nvs, data, nvs, 0x9000, 0x006000`).
 */
export const MODDABLE_NVS_OFFSET = 0x9000;
export const MODDABLE_NVS_SIZE = 0x6000;

export type NvsImageErrorCode = "nvs-bad-size" | "nvs-bad-name" | "nvs-bad-value" | "nvs-too-large";

function fail(code: NvsImageErrorCode, message: string): never {
	throw new PicketError<NvsImageErrorCode>(code, message);
}

function nvsCrc(bytes: Uint8Array): number {
	// The CRC of nothing is the value it continues from; Node's zlib.crc32 answers 0 for an empty
	// buffer (zlib's crc32 with a null buffer returns its initial value, 0), ESP-IDF 0xFFFFFFFF.
	return bytes.length === 0 ? 0xffffffff : crc32(bytes, 0xffffffff) >>> 0;
}

class Page {
	readonly bytes = new Uint8Array(NVS_PAGE_SIZE).fill(0xff);
	entries = 0;

	constructor(sequence: number) {
		const view = new DataView(this.bytes.buffer);
		view.setUint32(0, STATE_ACTIVE, true);
		view.setUint32(4, sequence, true);
		this.bytes[8] = VERSION_2;
		view.setUint32(28, nvsCrc(this.bytes.subarray(4, 28)), true);
	}

	markFull(): void {
		new DataView(this.bytes.buffer).setUint32(0, STATE_FULL, true);
	}

	/** Writes `data` (a 32-byte entry, or value bytes) at the next entry and marks the `count` entries it covers written. */
	write(data: Uint8Array, count: number): void {
		this.bytes.set(data, FIRST_ENTRY_OFFSET + this.entries * ENTRY_SIZE);
		for (let i = 0; i < count; i++, this.entries++) this.bytes[BITMAP_OFFSET + ((this.entries * 2) >> 3)] &= ~(1 << ((this.entries * 2) & 7));
	}
}

/** Thrown inside the writer when the partition has no page left. */
class PartitionFull extends Error {}

class NvsWriter {
	readonly #pages: Page[] = [];
	/** Pages still allowed, the reserved last one excluded. */
	#pagesLeft: number;

	constructor(partitionSize: number) {
		this.#pagesLeft = partitionSize / NVS_PAGE_SIZE - 1;
		this.newPage();
	}

	get page(): Page {
		return this.#pages[this.#pages.length - 1]!;
	}

	newPage(): Page {
		if (this.#pages.length > 0) this.page.markFull();
		if (this.#pagesLeft === 0) throw new PartitionFull();
		this.#pagesLeft--;
		this.#pages.push(new Page(this.#pages.length));
		return this.page;
	}

	/** The image: every page, those left with headers, and the erased reserved page. */
	finish(): Uint8Array {
		for (;;) {
			try {
				this.newPage();
			} catch (error) {
				if (!(error instanceof PartitionFull)) throw error;
				break;
			}
		}
		this.page.markFull();
		const image = new Uint8Array((this.#pages.length + 1) * NVS_PAGE_SIZE).fill(0xff);
		this.#pages.forEach((page, index) => image.set(page.bytes, index * NVS_PAGE_SIZE));
		return image;
	}

	/** An u8 or i32 entry, on a new page when this one is full. */
	primitive(namespace: number, key: string, type: number, value: number): void {
		if (this.page.entries >= ENTRIES_PER_PAGE) this.newPage();
		const entry = header(namespace, type, 1, CHUNK_ANY, key);
		const view = new DataView(entry.buffer);
		if (type === NvsType.U8) view.setUint8(24, value);
		else view.setInt32(24, value, true);
		sealEntry(entry);
		this.page.write(entry, 1);
	}

	/** A blob: data chunks filling each page but its last entry, then the blob index. */
	blob(namespace: number, key: string, data: Uint8Array): void {
		if (this.page.entries >= ENTRIES_PER_PAGE) this.newPage();
		let offset = 0;
		let chunks = 0;
		for (;;) {
			const tailroom = (ENTRIES_PER_PAGE - this.page.entries - 1) * ENTRY_SIZE;
			const size = Math.min(tailroom, data.length - offset);
			const dataEntries = Math.ceil(size / ENTRY_SIZE);
			const entry = header(namespace, NvsType.BLOB_DATA, dataEntries + 1, chunks, key);
			const view = new DataView(entry.buffer);
			const chunk = data.subarray(offset, offset + size);
			view.setUint16(24, size, true);
			view.setUint32(28, nvsCrc(chunk), true);
			sealEntry(entry);
			this.page.write(entry, 1);
			this.page.write(chunk, dataEntries);
			chunks++;
			offset += size;
			if (chunks > 0xff) fail("nvs-bad-value", `${key}: more than 255 chunks`);
			if (offset < data.length || tailroom - size < ENTRY_SIZE) this.newPage();
			if (offset === data.length) break;
		}
		const index = header(namespace, NvsType.BLOB_INDEX, 1, CHUNK_ANY, key);
		const view = new DataView(index.buffer);
		view.setUint32(24, data.length, true);
		view.setUint8(28, chunks);
		view.setUint8(29, 0);
		sealEntry(index);
		this.page.write(index, 1);
	}
}

function header(namespace: number, type: number, span: number, chunkIndex: number, key: string): Uint8Array {
	const entry = new Uint8Array(ENTRY_SIZE).fill(0xff);
	entry[0] = namespace;
	entry[1] = type;
	entry[2] = span;
	entry[3] = chunkIndex;
	entry.fill(0, 8, 24);
	for (let i = 0; i < key.length; i++) entry[8 + i] = key.charCodeAt(i);
	return entry;
}

function sealEntry(entry: Uint8Array): void {
	const covered = new Uint8Array(28);
	covered.set(entry.subarray(0, 4), 0);
	covered.set(entry.subarray(8, 32), 4);
	new DataView(entry.buffer).setUint32(4, nvsCrc(covered), true);
}

function checkName(what: string, name: string): void {
	if (name.length === 0 || name.length > NAME_MAX || !/^[\x20-\x7e]+$/.test(name)) fail("nvs-bad-name", `${what} "${name}": 1..${NAME_MAX} printable ASCII characters`);
}

/**
 * The NVS partition image of `entries` for a partition of `partitionSize` bytes (a multiple
 * of 4,096, at least 3 pages). Throws "nvs-too-large" when they do not fit, "nvs-bad-name",
 * "nvs-bad-size", "nvs-bad-value"; the caller writes nothing then.
 */
export function nvsImage(entries: readonly TargetEntry[], partitionSize: number = MODDABLE_NVS_SIZE): Uint8Array {
	if (!Number.isInteger(partitionSize) || partitionSize % NVS_PAGE_SIZE !== 0 || partitionSize < 3 * NVS_PAGE_SIZE) {
		fail("nvs-bad-size", `partition size ${partitionSize}: a multiple of ${NVS_PAGE_SIZE}, at least 3 pages (0x3000)`);
	}
	const writer = new NvsWriter(partitionSize);
	const namespaces = new Map<string, number>();
	try {
		for (const { domain, key, value } of entries) {
			checkName("namespace", domain);
			checkName("key", key);
			let namespace = namespaces.get(domain);
			if (namespace === undefined) {
				namespace = namespaces.size + 1;
				if (namespace > 254) fail("nvs-bad-value", "more than 254 namespaces");
				namespaces.set(domain, namespace);
				writer.primitive(0, domain, NvsType.U8, namespace);
			}
			if (typeof value === "number") {
				if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) fail("nvs-bad-value", `${domain}/${key} = ${value}: not a 32-bit integer`);
				writer.primitive(namespace, key, NvsType.I32, value);
			} else writer.blob(namespace, key, value);
		}
		return writer.finish();
	} catch (error) {
		if (error instanceof PartitionFull) {
			const bytes = entries.reduce((total, entry) => total + (typeof entry.value === "number" ? 4 : entry.value.length), 0);
			fail("nvs-too-large", `${entries.length} entries (${bytes} value bytes) do not fit a ${partitionSize}-byte NVS partition (${partitionSize / NVS_PAGE_SIZE - 1} usable pages)`);
		}
		throw error;
	}
}
