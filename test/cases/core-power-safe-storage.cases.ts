import { fromHex, toHex, utf8 } from "picket/core/bytes";
import { crc32 } from "picket/core/crc32";
import { STORAGE_DOMAIN_MAX, STORAGE_KEY_MAX, STORAGE_VALUE_MAX } from "picket/core/host-contracts";
import { isPicketError } from "picket/core/picket-error";
import {
	MemoryPreference,
	PREFERENCE_NAME_MAX,
	PREFERENCE_VALUE_MAX,
	PowerSafeStorage,
	RECORD_OVERHEAD,
	SLOT_SUFFIXES,
	decodeRecord,
	encodeRecord,
	preferenceEntries,
	slotName,
} from "picket/core/power-safe-storage";
import { CUT_EFFECTS } from "picket/hosts/sim/flash-preference";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { PROVISIONING_STORAGE_DOMAIN } from "picket/provisioning/keystore";
import { MAX_SOURCE_ID } from "picket/link/alert-frame";
import { portableCases } from "picket/test/harness/portable";

const DOMAIN = "picket-link";
const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

/** Writes `values` to one key in turn, each after the previous one landed. */
function writeAll(storage: MemoryStorage, key: string, values: readonly number[]): void {
	for (const value of values) storage.write(DOMAIN, key, Uint8Array.of(value));
}

export default portableCases("core/power-safe-storage", (test) => {
	test("CRC-32 is zlib's: the check value of \"123456789\" and of nothing", (t) => {
		t.is(crc32(utf8("123456789")), 0xcbf43926);
		t.is(crc32(new Uint8Array(0)), 0);
		t.is(crc32(utf8("The quick brown fox jumps over the lazy dog")), 0x414fa339);
		t.is(crc32(utf8("xx123456789xx"), 2, 11), 0xcbf43926, "a range");
	});

	test("a record is laid out as the table says: format, generation, value, CRC-32 of the rest", (t) => {
		const record = encodeRecord(Uint8Array.of(0xde, 0xad, 0xbe, 0xef), 0x01020304);
		t.is(record.length, 4 + RECORD_OVERHEAD);
		t.is(toHex(record.subarray(0, 9)), "0101020304deadbeef");
		t.is(toHex(record.subarray(9)), crc32(record, 0, 9).toString(16).padStart(8, "0"));
		t.deepEqual(decodeRecord(buffer(record)), { generation: 0x01020304, value: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) });
		const empty = encodeRecord(new Uint8Array(0), 0xffffffff);
		t.is(toHex(empty), `01ffffffff${crc32(fromHex("01ffffffff")).toString(16).padStart(8, "0")}`);
		t.deepEqual(decodeRecord(buffer(empty)), { generation: 0xffffffff, value: new Uint8Array(0) });
	});

	test("a torn, flipped, erased or foreign record is never intact", (t) => {
		const record = encodeRecord(utf8("a value"), 7);
		for (let length = 0; length < record.length; length++) t.is(decodeRecord(buffer(record.subarray(0, length))), undefined, `torn at ${length}`);
		for (let bit = 0; bit < record.length * 8; bit++) {
			const flipped = record.slice();
			flipped[bit >> 3] ^= 1 << (bit & 7);
			t.is(decodeRecord(buffer(flipped)), undefined, `bit ${bit}`);
		}
		t.is(decodeRecord(buffer(new Uint8Array(record.length).fill(0xff))), undefined, "erased flash");
		t.is(decodeRecord(buffer(new Uint8Array(record.length))), undefined, "zeroes");
		for (const foreign of [undefined, 42, "text", true]) t.is(decodeRecord(foreign), undefined, String(foreign));
	});

	test("a write goes to the slot read did not pick, one generation up; read takes the newer", (t) => {
		const storage = new MemoryStorage();
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "absent" });
		storage.write(DOMAIN, "k", Uint8Array.of(1));
		t.deepEqual(decodeRecord(storage.flash.get(DOMAIN, "k~a")), { generation: 0, value: Uint8Array.of(1) });
		t.is(storage.flash.get(DOMAIN, "k~b"), undefined);
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "latest-or-previous", value: Uint8Array.of(1) }, "one record: it may be a step behind");
		writeAll(storage, "k", [2, 3]);
		t.deepEqual(decodeRecord(storage.flash.get(DOMAIN, "k~b")), { generation: 1, value: Uint8Array.of(2) });
		t.deepEqual(decodeRecord(storage.flash.get(DOMAIN, "k~a")), { generation: 2, value: Uint8Array.of(3) });
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "latest", value: Uint8Array.of(3) });
		t.is(storage.flash.programs, 3, "one Preference write per write");
		t.is(storage.flash.bytesProgrammed, 3 * (1 + RECORD_OVERHEAD));
	});

	test("generations wrap modulo 2^32; equal ones pick slot a and are not trusted as latest", (t) => {
		const preference = new MemoryPreference();
		const storage = new PowerSafeStorage(preference);
		preference.set(DOMAIN, "k~a", buffer(encodeRecord(Uint8Array.of(1), 0xffffffff)));
		preference.set(DOMAIN, "k~b", buffer(encodeRecord(Uint8Array.of(2), 0)));
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "latest", value: Uint8Array.of(2) }, "0 follows 0xffffffff");
		storage.write(DOMAIN, "k", Uint8Array.of(3));
		t.deepEqual(decodeRecord(preference.get(DOMAIN, "k~a")), { generation: 1, value: Uint8Array.of(3) });
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "latest", value: Uint8Array.of(3) });
		preference.set(DOMAIN, "k~b", buffer(encodeRecord(Uint8Array.of(4), 1)));
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "latest-or-previous", value: Uint8Array.of(3) });
		storage.write(DOMAIN, "k", Uint8Array.of(5));
		t.deepEqual(decodeRecord(preference.get(DOMAIN, "k~b")), { generation: 2, value: Uint8Array.of(5) }, "the slot not picked is overwritten");
		preference.set(DOMAIN, "k~a", buffer(encodeRecord(Uint8Array.of(6), 0x80000002)));
		t.is(storage.inspect(DOMAIN, "k").state, "latest-or-previous", "2^31 apart: neither is newer");
	});

	test("a power cut at every flash step of a write, whatever it leaves, reads as the old value or the new, never less", (t) => {
		for (const history of [[], [1], [1, 2], [1, 2, 3]]) {
			const reference = new MemoryStorage();
			writeAll(reference, "k", history);
			const before = reference.flash.steps;
			reference.write(DOMAIN, "k", Uint8Array.of(9));
			const steps = reference.flash.steps - before;
			t.true(steps >= 1 && steps <= 2, `${steps} steps`);
			for (let cut = 0; cut < steps; cut++) {
				for (const effect of CUT_EFFECTS) {
					const storage = new MemoryStorage();
					writeAll(storage, "k", history);
					storage.cutPowerAfter(cut, effect);
					t.throws(() => storage.write(DOMAIN, "k", Uint8Array.of(9)), { code: "power-cut" });
					storage.restorePower();
					const label = `after [${history.join(",")}], cut at step ${cut + 1} (${effect})`;
					const value = storage.read(DOMAIN, "k");
					const old = history.at(-1);
					t.true(value === undefined ? old === undefined : value[0] === 9 || value[0] === old, `${label}: read ${value?.[0]}`);
					if (old === undefined && value === undefined) t.not(storage.inspect(DOMAIN, "k").state, "damaged", label);
					storage.write(DOMAIN, "k", Uint8Array.of(10));
					t.deepEqual(storage.read(DOMAIN, "k"), Uint8Array.of(10), `${label}: and the next write lands`);
				}
			}
		}
	});

	test("a delete cut between its two erases leaves the last value, never the one before", (t) => {
		for (const effect of CUT_EFFECTS) {
			const storage = new MemoryStorage();
			writeAll(storage, "k", [1, 2, 3]);
			storage.cutPowerAfter(1, effect);
			t.throws(() => storage.delete(DOMAIN, "k"), { code: "power-cut" });
			storage.restorePower();
			const value = storage.read(DOMAIN, "k");
			t.true(value === undefined || value[0] === 3, `${effect}: ${value?.[0]}`);
			storage.delete(DOMAIN, "k");
			t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "absent" });
			t.deepEqual(storage.flash.keys(DOMAIN), []);
		}
	});

	test("a flipped bit in the newer record falls back to the older, said so; in both, the key is damaged", (t) => {
		const storage = new MemoryStorage();
		writeAll(storage, "k", [1, 2]);
		storage.flash.flipBit(DOMAIN, "k~b", 3);
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "latest-or-previous", value: Uint8Array.of(1) });
		storage.write(DOMAIN, "k", Uint8Array.of(3));
		t.deepEqual(storage.read(DOMAIN, "k"), Uint8Array.of(3), "the spoilt slot is the one rewritten");
		t.deepEqual(storage.inspect(DOMAIN, "k").state, "latest");
		storage.flash.flipBit(DOMAIN, "k~a", 40);
		storage.flash.flipBit(DOMAIN, "k~b", 40);
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "damaged" });
		t.is(storage.read(DOMAIN, "k"), undefined);
		t.deepEqual(storage.keys(DOMAIN), ["k"], "listed, so that it can be deleted");
		storage.delete(DOMAIN, "k");
		t.deepEqual(storage.inspect(DOMAIN, "k"), { state: "absent" });
		const once = new MemoryStorage();
		once.write(DOMAIN, "k", Uint8Array.of(1));
		once.flash.flipBit(DOMAIN, "k~a", 0);
		t.deepEqual(once.inspect(DOMAIN, "k"), { state: "first-value-lost" });
	});

	test("keys lists logical keys once each and ignores entries this layer did not write", (t) => {
		const storage = new MemoryStorage();
		writeAll(storage, "w12", [1, 2]);
		writeAll(storage, "seq", [1]);
		storage.flash.set(DOMAIN, "holdOffMs", 5000);
		storage.flash.set(DOMAIN, "~a", buffer(Uint8Array.of(1)));
		t.deepEqual(storage.keys(DOMAIN), ["w12", "seq"]);
		t.is(storage.read(DOMAIN, "holdOffMs"), undefined);
		t.deepEqual(storage.keys("empty"), []);
	});

	test("names and sizes: the key limit leaves room for the slot suffix, the value limit for the record", (t) => {
		t.is(STORAGE_KEY_MAX + SLOT_SUFFIXES[0].length, PREFERENCE_NAME_MAX);
		t.is(STORAGE_VALUE_MAX + RECORD_OVERHEAD, PREFERENCE_VALUE_MAX);
		t.is(STORAGE_DOMAIN_MAX, PREFERENCE_NAME_MAX);
		const storage = new MemoryStorage();
		storage.write("d".repeat(15), "k".repeat(13), new Uint8Array(STORAGE_VALUE_MAX));
		t.is(storage.flash.get("d".repeat(15), slotName("k".repeat(13), 0)) instanceof ArrayBuffer, true);
		t.is(storage.flash.bytesProgrammed, PREFERENCE_VALUE_MAX, "a full value is a full Preference entry");
		t.throws(() => storage.write(DOMAIN, "k".repeat(14), Uint8Array.of(1)), { code: "bad-name" });
		t.throws(() => storage.write("d".repeat(16), "k", Uint8Array.of(1)), { code: "bad-name" });
		t.throws(() => storage.read(DOMAIN, ""), { code: "bad-name" });
		t.throws(() => storage.write(DOMAIN, "k", new Uint8Array(STORAGE_VALUE_MAX + 1)), { code: "value-too-long" });
		t.is(storage.flash.programs, 1, "nothing refused reached flash");
	});

	test("every key the firmware stores fits", (t) => {
		const storage = new MemoryStorage();
		// The counter, the widest replay-window key, and the keystore's names (80 chunks: a roster of 8,191 members).
		for (const [domain, key] of [
			[DOMAIN, "seq"],
			[DOMAIN, `w${MAX_SOURCE_ID}`],
			[PROVISIONING_STORAGE_DOMAIN, "bundle.commit"],
			[PROVISIONING_STORAGE_DOMAIN, "bundle.b.79"],
		]) {
			t.notThrows(() => storage.write(domain, key, Uint8Array.of(1)), `${domain}/${key}`);
		}
	});

	test("preferenceEntries gives the records a device's store must hold, and the layer reads them back", (t) => {
		const entries = preferenceEntries((storage) => {
			storage.write("provisioning", "bundle.a.0", Uint8Array.of(1, 2, 3));
			storage.write("provisioning", "bundle.commit", Uint8Array.of(4));
			storage.write("provisioning", "bundle.commit", Uint8Array.of(5));
		});
		t.deepEqual(
			entries.map(({ domain, key, value }) => `${domain}/${key}=${toHex(value)}`),
			[
				`provisioning/bundle.a.0~a=${toHex(encodeRecord(Uint8Array.of(1, 2, 3), 0))}`,
				`provisioning/bundle.commit~a=${toHex(encodeRecord(Uint8Array.of(4), 0))}`,
				`provisioning/bundle.commit~b=${toHex(encodeRecord(Uint8Array.of(5), 1))}`,
			],
		);
		const device = new MemoryPreference();
		for (const { domain, key, value } of entries) device.set(domain, key, buffer(value));
		const storage = new PowerSafeStorage(device);
		t.deepEqual(storage.read("provisioning", "bundle.commit"), Uint8Array.of(5));
		t.deepEqual(storage.read("provisioning", "bundle.a.0"), Uint8Array.of(1, 2, 3));
	});

	test("the flash model: a set is an erase then a program, each a step a cut can interrupt", (t) => {
		const storage = new MemoryStorage();
		const flash = storage.flash;
		flash.set(DOMAIN, "x", buffer(Uint8Array.of(1, 2, 3, 4)));
		t.is(flash.steps, 1, "nothing to erase: a program only");
		flash.set(DOMAIN, "x", buffer(Uint8Array.of(5, 6, 7, 8)));
		t.is(flash.steps, 3, "erase, program");
		const outcomes: string[] = [];
		for (const [cut, effect] of [
			[0, "before"],
			[0, "after"],
			[1, "before"],
			[1, "torn"],
			[1, "after"],
		] as const) {
			const model = new MemoryStorage().flash;
			model.set(DOMAIN, "x", buffer(Uint8Array.of(1, 2, 3, 4)));
			model.cutPowerAfter(cut, effect);
			try {
				model.set(DOMAIN, "x", buffer(Uint8Array.of(5, 6, 7, 8)));
			} catch (error) {
				if (!isPicketError(error, "power-cut")) throw error;
			}
			t.true(model.powerCut);
			t.throws(() => model.delete(DOMAIN, "x"), { code: "power-cut" }, "nothing more lands");
			model.restorePower();
			const value = model.get(DOMAIN, "x");
			outcomes.push(`${cut}/${effect}: ${value instanceof ArrayBuffer ? toHex(new Uint8Array(value)) : "absent"}`);
		}
		t.deepEqual(outcomes, ["0/before: 01020304", "0/after: absent", "1/before: absent", "1/torn: 0506", "1/after: 05060708"]);
	});
});
