import { decodeAlertFrame, encodeAlertFrame, encodeAlertHeader } from "picket/link/alert-frame";
import { RelayFilter, decideRelay } from "picket/link/relay-filter";
import { portableCases } from "picket/test/harness/portable";
import { createSeededRandom } from "picket/test/support/seeded-random";

function frameWithTtl(ttl: number): Uint8Array {
	return encodeAlertFrame(encodeAlertHeader({ ttl, epoch: 1, group: 2, source: 3, sequence: 4 }), new Uint8Array(10), new Uint8Array(4));
}

export default portableCases("link/relay-filter", (test) => {
	test("remembers alerts by (epoch, source, sequence)", (t) => {
		const filter = new RelayFilter(8);
		filter.remember(5, 1, 100);
		t.true(filter.has(5, 1, 100));
		t.false(filter.has(5, 1, 101));
		t.false(filter.has(6, 1, 100));
		t.false(filter.has(5, 2, 100));
		t.true(filter.has(5, 9, 100), "epochs 1 and 9 share a key id: the link drops epoch 1 before it holds epoch 9");
	});

	test("retainEpochs forgets every epoch the link no longer holds, by full epoch", (t) => {
		const filter = new RelayFilter(8);
		filter.remember(5, 1, 0);
		filter.remember(5, 2, 0);
		filter.retainEpochs([9, 2]);
		t.false(filter.has(5, 9, 0), "epoch 1 is gone although 9 has the same key-id bits");
		t.true(filter.has(5, 2, 0));
		t.is(filter.size, 1);
		for (let sequence = 1; sequence < 10; sequence++) filter.remember(5, 2, sequence);
		t.is(filter.size, 8, "freed slots are reused, the bound holds");
	});

	test("memory is bounded: the oldest entry goes first", (t) => {
		const filter = new RelayFilter(3);
		for (let sequence = 0; sequence < 5; sequence++) filter.remember(1, 1, sequence);
		t.is(filter.size, 3);
		t.deepEqual([0, 1, 2, 3, 4].map((sequence) => filter.has(1, 1, sequence)), [false, false, true, true, true]);
		filter.remember(1, 1, 4);
		t.is(filter.size, 3, "remembering twice takes one slot");
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
