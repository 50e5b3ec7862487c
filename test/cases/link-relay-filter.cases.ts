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
