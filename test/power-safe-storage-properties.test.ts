/**
 * Node-only property tests of the power-safe storage layer (fast-check), beside the
 * portable cases of test/cases/core-power-safe-storage.cases.ts:
 * - crc32 agrees with zlib's on random bytes and ranges;
 * - a random history of writes and deletes over a few keys, cut at a random flash step
 *   with a random effect, then rebooted (a new layer over the same flash): every key reads
 *   as its last completed value or, for the key being written when the power went, the
 *   value in flight; a deleted key being deleted reads absent or as its last value. Then
 *   the history carries on and every key reads right at the end.
 */
import test from "ava";
import fc from "fast-check";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "picket/core/crc32";
import { isPicketError } from "picket/core/picket-error";
import { PowerSafeStorage } from "picket/core/power-safe-storage";
import { CUT_EFFECTS, FlashPreference } from "picket/hosts/sim/flash-preference";

const DOMAIN = "picket-link";
const KEYS = ["seq", "w1", "w2"];

test("crc32 is zlib's crc32", (t) => {
	fc.assert(
		fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
			const start = Math.min(a, b) % (bytes.length + 1);
			const end = start + ((Math.max(a, b) - Math.min(a, b)) % (bytes.length - start + 1));
			return crc32(bytes) === zlibCrc32(bytes) && crc32(bytes, start, end) === zlibCrc32(bytes.subarray(start, end));
		}),
		{ numRuns: 5000 },
	);
	t.pass();
});

type Operation = { readonly key: string; readonly value: number | undefined }; // undefined: delete

const operation = fc.record({ key: fc.constantFrom(...KEYS), value: fc.option(fc.integer({ min: 0, max: 255 }), { freq: 5, nil: undefined }) });

test("any history cut at any flash step reads back the last completed value or the one in flight", (t) => {
	fc.assert(
		fc.property(fc.array(operation, { minLength: 1, maxLength: 40 }), fc.nat(), fc.constantFrom(...CUT_EFFECTS), (history, cutSeed, effect) => {
			const flash = new FlashPreference();
			const completed = new Map<string, number>();
			const apply = (storage: PowerSafeStorage, { key, value }: Operation) => {
				if (value === undefined) storage.delete(DOMAIN, key);
				else storage.write(DOMAIN, key, Uint8Array.of(value));
				if (value === undefined) completed.delete(key);
				else completed.set(key, value);
			};
			const reference = new FlashPreference();
			const referenceStorage = new PowerSafeStorage(reference);
			for (const step of history) apply(referenceStorage, step);
			completed.clear();
			if (reference.steps === 0) return true;
			flash.cutPowerAfter(cutSeed % reference.steps, effect);
			let storage = new PowerSafeStorage(flash);
			let interrupted: Operation | undefined;
			let carryOn = history.length;
			for (let i = 0; i < history.length && interrupted === undefined; i++) {
				try {
					apply(storage, history[i]);
				} catch (error) {
					if (!isPicketError(error, "power-cut")) throw error;
					interrupted = history[i];
					carryOn = i + 1;
				}
			}
			if (interrupted === undefined) return false; // the cut must have been reached
			flash.restorePower();
			storage = new PowerSafeStorage(flash); // the reboot: nothing of the layer survives but flash
			for (const key of KEYS) {
				const read = storage.read(DOMAIN, key)?.[0];
				const allowed = [completed.get(key)];
				if (interrupted.key === key) allowed.push(interrupted.value);
				if (!allowed.includes(read)) return false;
				if (read === undefined) completed.delete(key);
				else completed.set(key, read);
			}
			for (const step of history.slice(carryOn)) apply(storage, step);
			return KEYS.every((key) => storage.read(DOMAIN, key)?.[0] === completed.get(key));
		}),
		{ numRuns: 20_000 },
	);
	t.pass();
});
