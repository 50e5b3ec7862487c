import { isPicketError } from "picket/core/picket-error";
import { SequenceCounter } from "picket/link/sequence-counter";
import { portableCases } from "picket/test/harness/portable";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";

const DOMAIN = "picket-link";
const boot = (storage: MemoryStorage, blockSize = 4, maxSequence?: number) =>
	new SequenceCounter({ storage, domain: DOMAIN, key: "seq", blockSize, ...(maxSequence === undefined ? {} : { maxSequence }) });

/** A device's life: sends in epoch 1, a reboot, more sends, a new epoch, more sends. */
const LIFE: Array<number | "reboot"> = [1, 1, 1, 1, 1, 1, "reboot", 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, "reboot", 2, 2, 2, 3];

/**
 * Lives LIFE from step `from`, pushing each sequence handed out to `issued`. Returns the
 * step where power was cut (that send is retried after the reboot), or LIFE.length.
 */
function live(storage: MemoryStorage, issued: string[], from: number): number {
	let counter = boot(storage);
	for (let step = from; step < LIFE.length; step++) {
		const action = LIFE[step];
		try {
			if (action === "reboot") counter = boot(storage);
			else issued.push(`${action}:${counter.next(action)}`);
		} catch (error) {
			if (isPicketError(error, "power-cut")) return step;
			throw error;
		}
	}
	return LIFE.length;
}

export default portableCases("link/sequence-counter", (test) => {
	test("hands out 0, 1, 2… and writes once per block", (t) => {
		const storage = new MemoryStorage();
		const counter = boot(storage);
		t.deepEqual([0, 1, 2, 3, 4, 5].map(() => counter.next(1)), [0, 1, 2, 3, 4, 5]);
		t.is(storage.writes, 2);
	});

	test("a reboot skips the rest of the reserved block, never goes back", (t) => {
		const storage = new MemoryStorage();
		let counter = boot(storage);
		counter.next(1);
		counter.next(1);
		counter = boot(storage);
		t.is(counter.next(1), 4);
	});

	test("a new epoch restarts at 0; an older epoch is refused", (t) => {
		const storage = new MemoryStorage();
		const counter = boot(storage);
		counter.next(5);
		counter.next(5);
		t.is(counter.next(6), 0);
		t.throws(() => counter.next(5), { code: "epoch-rollback" });
		t.throws(() => boot(storage).next(5), { code: "epoch-rollback" });
	});

	test("an exhausted epoch is refused, not wrapped; the next epoch works", (t) => {
		const storage = new MemoryStorage();
		const counter = boot(storage, 4, 9);
		for (let i = 0; i <= 9; i++) t.is(counter.next(1), i);
		t.is(counter.remaining(1), 0);
		t.throws(() => counter.next(1), { code: "sequence-exhausted" });
		t.throws(() => boot(storage, 4, 9).next(1), { code: "sequence-exhausted" });
		t.is(counter.next(2), 0);
	});

	test("a power cut at every possible write, before or after it lands, never repeats a sequence", (t) => {
		const reference = new MemoryStorage();
		live(reference, [], 0);
		const totalWrites = reference.writes;
		t.true(totalWrites > 5);
		for (let cut = 1; cut <= totalWrites; cut++) {
			for (const committed of [false, true]) {
				const storage = new MemoryStorage();
				const issued: string[] = [];
				storage.cutPowerAfter(cut - 1, committed);
				const cutAt = live(storage, issued, 0);
				t.true(cutAt < LIFE.length, `write ${cut} was reached`);
				storage.restorePower();
				// The device boots again on the same storage and carries on from the interrupted step.
				t.is(live(storage, issued, cutAt), LIFE.length);
				t.is(issued.length, LIFE.filter((step) => step !== "reboot").length, "every send eventually succeeded");
				const unique = new Set(issued);
				t.is(unique.size, issued.length, `cut at write ${cut} (${committed ? "after" : "before"} it landed) repeated a sequence`);
			}
		}
	});
});
