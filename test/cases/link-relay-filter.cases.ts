import { decodeAlertFrame, encodeAlertFrame, encodeAlertHeader } from "picket/link/alert-frame";
import { RelayFilter, decideRelay } from "picket/link/relay-filter";
import { portableCases } from "picket/test/harness/portable";
import { createSeededRandom } from "picket/test/support/seeded-random";

function frameWithTtl(ttl: number): Uint8Array {
	return encodeAlertFrame(encodeAlertHeader({ ttl, epoch: 1, group: 2, source: 3, sequence: 4 }), new Uint8Array(10), new Uint8Array(4));
}

export default portableCases("link/relay-filter", (test) => {
	const copy = (source: number, epoch: number, sequence: number, networkTag = 0xa1e27) => ({ source, epoch, sequence, networkTag });

	test("remembers alerts by (epoch, source, sequence, network tag)", (t) => {
		const filter = new RelayFilter(8);
		filter.remember(copy(5, 1, 100));
		t.true(filter.has(copy(5, 1, 100)));
		t.false(filter.has(copy(5, 1, 101)));
		t.false(filter.has(copy(6, 1, 100)));
		t.false(filter.has(copy(5, 2, 100)));
		t.true(filter.has(copy(5, 9, 100)), "epochs 1 and 9 share a key id: the link drops epoch 1 before it holds epoch 9");
	});

	test("a forged copy with the same source and sequence but another network tag shadows nothing", (t) => {
		const filter = new RelayFilter(4);
		filter.remember(copy(5, 1, 7, 0xdeadbeef)); // an insider's forgery of source 5's next alert
		t.false(filter.has(copy(5, 1, 7, 0x12345678)), "the genuine frame is not a duplicate of the forgery");
		filter.remember(copy(5, 1, 7, 0x12345678));
		t.true(filter.has(copy(5, 1, 7, 0x12345678)) && filter.has(copy(5, 1, 7, 0xdeadbeef)));
		t.is(filter.size, 2);
		for (let sequence = 0; sequence < 3; sequence++) filter.remember(copy(6, 1, sequence));
		t.false(filter.has(copy(5, 1, 7, 0xdeadbeef)), "the oldest slot went first");
		t.true(filter.has(copy(5, 1, 7, 0x12345678)), "the other copy of the same alert keeps its slot");
		filter.remember(copy(6, 1, 3));
		t.false(filter.has(copy(5, 1, 7, 0x12345678)));
		t.is(filter.size, 4);
	});

	test("retainEpochs forgets every epoch the link no longer holds, by full epoch", (t) => {
		const filter = new RelayFilter(8);
		filter.remember(copy(5, 1, 0));
		filter.remember(copy(5, 2, 0));
		filter.retainEpochs([9, 2]);
		t.false(filter.has(copy(5, 9, 0)), "epoch 1 is gone although 9 has the same key-id bits");
		t.true(filter.has(copy(5, 2, 0)));
		t.is(filter.size, 1);
		for (let sequence = 1; sequence < 10; sequence++) filter.remember(copy(5, 2, sequence));
		t.is(filter.size, 8, "freed slots are reused, the bound holds");
	});

	test("memory is bounded: the oldest entry goes first", (t) => {
		const filter = new RelayFilter(3);
		for (let sequence = 0; sequence < 5; sequence++) filter.remember(copy(1, 1, sequence));
		t.is(filter.size, 3);
		t.deepEqual([0, 1, 2, 3, 4].map((sequence) => filter.has(copy(1, 1, sequence))), [false, false, true, true, true]);
		filter.remember(copy(1, 1, 4));
		t.is(filter.size, 3, "remembering twice takes one slot");
		const single = new RelayFilter(1);
		single.remember(copy(1, 1, 0, 1));
		single.remember(copy(1, 1, 0, 2)); // evicts the only other tag of the same alert
		t.true(single.has(copy(1, 1, 0, 2)) && !single.has(copy(1, 1, 0, 1)) && single.size === 1);
	});

	test("the relay memory is allocated as frames arrive, and at 1,024 it still forgets the oldest and keeps the best TTL", (t) => {
		const filter = new RelayFilter();
		t.true(filter.allocated <= 16, `a new relay memory holds ${filter.allocated} slots, not 1,024`);
		for (let sequence = 0; sequence < 16; sequence++) filter.remember(copy(1, 1, sequence), sequence % 8);
		t.is(filter.allocated, 16, "16 frames fit in the first slots");
		for (let sequence = 16; sequence < 1024; sequence++) filter.remember(copy(1, 1, sequence), sequence % 8);
		t.is(filter.size, 1024);
		t.is(filter.allocated, 1024, "grown to its capacity, no further");
		t.true([0, 1, 511, 1023].every((sequence) => filter.has(copy(1, 1, sequence))), "nothing forgotten while it grew");
		filter.remember(copy(1, 1, 1), 5);
		filter.remember(copy(1, 1, 1), 2);
		t.is(filter.bestTtl(copy(1, 1, 1)), 5, "a copy with fewer hops left does not lower the best TTL");
		filter.remember(copy(1, 1, 1024), 3);
		t.is(filter.size, 1024);
		t.is(filter.allocated, 1024);
		t.false(filter.has(copy(1, 1, 0)), "the 1,025th frame pushes out the oldest");
		t.is(filter.bestTtl(copy(1, 1, 1)), 5, "the next oldest keeps its slot and its best TTL");
		t.is(filter.bestTtl(copy(1, 1, 1024)), 3);
		filter.remember(copy(1, 1, 1025));
		t.false(filter.has(copy(1, 1, 1)));
	});

	test("growing on demand forgets in the same order as a ring allocated at full capacity, epochs retired on the way", (t) => {
		const random = createSeededRandom(13);
		for (const capacity of [1, 5, 16, 17, 100, 1024]) {
			const filter = new RelayFilter(capacity);
			// The reference: every slot there from the start, a cursor going round.
			const slots: (string | undefined)[] = new Array<string | undefined>(capacity).fill(undefined);
			let cursor = 0;
			const held = new Set<string>();
			for (let step = 0; step < 3 * capacity + 40; step++) {
				const [draw, which] = random(2);
				if (draw < 8) {
					// A key epoch ends: the link keeps the epochs it holds.
					const keep = [1 + (which % 3)];
					filter.retainEpochs(keep);
					slots.forEach((entry, slot) => {
						if (entry !== undefined && !keep.includes(Number(entry.split("/")[0]))) slots[slot] = undefined;
					});
					continue;
				}
				const frame = copy(which % 4, 1 + (draw % 3), step);
				filter.remember(frame, draw % 16);
				slots[cursor] = `${frame.epoch}/${frame.source}/${frame.sequence}`;
				cursor = (cursor + 1) % capacity;
				held.add(`${frame.epoch}/${frame.source}/${frame.sequence}`);
			}
			const expected = slots.filter((entry) => entry !== undefined).sort();
			const remembered = [...held].filter((entry) => {
				const [epoch, source, sequence] = entry.split("/").map(Number);
				return filter.has(copy(source, epoch, sequence));
			});
			t.deepEqual(remembered.sort(), expected, `capacity ${capacity}`);
			t.is(filter.size, expected.length);
			t.true(filter.allocated <= capacity);
		}
	});

	test("a relay forwards with TTL − 1 after a jitter below the maximum; TTL 0 stops", (t) => {
		const random = createSeededRandom(7);
		const delays = new Set<number>();
		for (let i = 0; i < 200; i++) {
			const instruction = decideRelay(frameWithTtl(3), 3, random, 40);
			if (instruction === undefined) return t.fail("TTL 3 must be relayed");
			const decoded = decodeAlertFrame(instruction.frame);
			t.true(decoded.ok && decoded.frame.ttl === 2);
			t.true(instruction.delayMs >= 0 && instruction.delayMs < 40 && Number.isInteger(instruction.delayMs));
			delays.add(instruction.delayMs);
		}
		t.true(delays.size > 20, "the jitter actually varies");
		t.is(decideRelay(frameWithTtl(0), 0, random), undefined);
	});
});
