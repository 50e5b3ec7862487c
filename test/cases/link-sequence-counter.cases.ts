import { isPicketError } from "picket/core/picket-error";
import { SequenceCounter } from "picket/link/sequence-counter";
import { portableCases } from "picket/test/harness/portable";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { decodeRecord, slotName } from "picket/core/power-safe-storage";
import { CUT_EFFECTS } from "picket/hosts/sim/flash-preference";

const DOMAIN = "picket-link";
const boot = (storage: MemoryStorage, blockSize = 4, maxSequence?: number) =>
	new SequenceCounter({ storage, domain: DOMAIN, key: "seq", blockSize, ...(maxSequence === undefined ? {} : { maxSequence }) });

/** A device's life: sends in epoch 1, a reboot, more sends, a new epoch, more sends. */
const LIFE: Array<number | "reboot"> = [1, 1, 1, 1, 1, 1, "reboot", 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, "reboot", 2, 2, 2, 3];

/**
 * Lives LIFE from step `from` up to `to`, pushing each sequence handed out to `issued`. Returns the
 * step where power was cut (that send is retried after the reboot), or `to`.
 */
function live(storage: MemoryStorage, issued: string[], from: number, to = LIFE.length): number {
	let counter = boot(storage);
	for (let step = from; step < to; step++) {
		const action = LIFE[step];
		try {
			if (action === "reboot") counter = boot(storage);
			else issued.push(`${action}:${counter.next(action)}`);
		} catch (error) {
			if (isPicketError(error, "power-cut")) return step;
			throw error;
		}
	}
	return to;
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
		for (let i = 0; i < 6; i++) counter.next(1);
		t.is(storage.inspect(DOMAIN, "seq").state, "latest");
		counter = boot(storage);
		t.is(counter.next(1), 8);
	});

	test("after the first reservation alone, a reboot skips one block more: storage cannot vouch that it is the newest", (t) => {
		const storage = new MemoryStorage();
		let counter = boot(storage);
		counter.next(1);
		t.is(storage.inspect(DOMAIN, "seq").state, "latest-or-previous");
		counter = boot(storage);
		t.is(counter.next(1), 8);
		t.is(boot(storage).next(1), 12, "now both records are intact: the rest of the block only");
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

	test("a power cut at every flash step (erase, program), whatever it leaves, never repeats a sequence", (t) => {
		const reference = new MemoryStorage();
		live(reference, [], 0);
		const totalSteps = reference.flash.steps;
		t.true(totalSteps > 10, `${totalSteps} flash steps`);
		for (let cut = 0; cut < totalSteps; cut++) {
			for (const effect of CUT_EFFECTS) {
				const storage = new MemoryStorage();
				const issued: string[] = [];
				storage.cutPowerAfter(cut, effect);
				const cutAt = live(storage, issued, 0);
				t.true(cutAt < LIFE.length, `flash step ${cut + 1} was reached`);
				storage.restorePower();
				// The device boots again on the same storage and carries on from the interrupted step.
				t.is(live(storage, issued, cutAt), LIFE.length);
				t.is(issued.length, LIFE.filter((step) => step !== "reboot").length, "every send eventually succeeded");
				t.is(new Set(issued).size, issued.length, `cut at flash step ${cut + 1} (${effect}) repeated a sequence: ${issued.join(" ")}`);
			}
		}
	});

	test("the newest reservation damaged in flash at any point: the counter skips a block, never repeats", (t) => {
		for (let damageAt = 1; damageAt < LIFE.length; damageAt++) {
			const storage = new MemoryStorage();
			const issued: string[] = [];
			t.is(live(storage, issued, 0, damageAt), damageAt);
			if (storage.flash.keys(DOMAIN).length < 2) continue; // one record only: damage to it is the next case
			// Flash damage to the newest record, then a reboot: only the older record is intact.
			flipNewestSlot(storage);
			t.is(storage.inspect(DOMAIN, "seq").state, "latest-or-previous");
			t.is(live(storage, issued, damageAt), LIFE.length);
			t.is(new Set(issued).size, issued.length, `damage after step ${damageAt} repeated a sequence: ${issued.join(" ")}`);
		}
	});

	test("the newest reservation damaged again after every reboot: still never a repeat", (t) => {
		const storage = new MemoryStorage();
		const issued: string[] = [];
		for (let step = 0; step < LIFE.length; step++) {
			t.is(live(storage, issued, step, step + 1), step + 1);
			// One record damaged at a time: the newest, whenever both are intact.
			if (storage.inspect(DOMAIN, "seq").state === "latest") flipNewestSlot(storage);
		}
		t.is(new Set(issued).size, issued.length, `repeated: ${issued.join(" ")}`);
	});

	test("both records damaged: no sending in the epoch in use, a newer epoch starts afresh", (t) => {
		const storage = new MemoryStorage();
		let counter = boot(storage);
		for (let i = 0; i < 6; i++) counter.next(3);
		for (const slot of [0, 1]) storage.flash.flipBit(DOMAIN, slotName("seq", slot), 20);
		t.is(storage.inspect(DOMAIN, "seq").state, "damaged");
		counter = boot(storage);
		t.throws(() => counter.next(3), { code: "counter-corrupt" });
		t.throws(() => counter.next(2), { code: "counter-corrupt" }, "nor an older one");
		t.is(counter.remaining(3), 0);
		t.is(counter.next(4), 0, "epoch 4 was never used: its nonce space is fresh");
		// Stored again, in one slot while the other stays spoilt: a block more is skipped.
		t.is(boot(storage).next(4), 8);
		t.throws(() => boot(storage).next(3), { code: "epoch-rollback" });
	});

	test("a stored reservation of the wrong size is damage, not a reason to start at 0", (t) => {
		const storage = new MemoryStorage();
		storage.write(DOMAIN, "seq", Uint8Array.of(0, 0, 0, 1));
		t.throws(() => boot(storage).next(1), { code: "counter-corrupt" });
	});
});

/** Flips a bit in the slot `read` picks, so that only the older record stays intact. */
function flipNewestSlot(storage: MemoryStorage): void {
	const value = storage.read(DOMAIN, "seq");
	for (const slot of [0, 1]) {
		const record = decodeRecord(storage.flash.get(DOMAIN, slotName("seq", slot)));
		if (record !== undefined && value !== undefined && record.value.every((byte, i) => byte === value[i])) {
			storage.flash.flipBit(DOMAIN, slotName("seq", slot), 8 * 6);
			return;
		}
	}
	throw new Error("no slot holds the newest reservation");
}
