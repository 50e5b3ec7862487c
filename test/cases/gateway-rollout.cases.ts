/**
 * The rollout's pieces between the command post and the boards, on Node and XS: the post
 * link's rollout messages (post-messages.ts), the progress frame (update-frame.ts), and the
 * gateway's bounded window on the post's image (gateway-rollout.ts PostChunkWindow): never
 * more than its capacity in memory, nothing kept that it did not ask for, a malformed chunks
 * message refused whole.
 */
import { isPicketError } from "picket/core/picket-error";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { PostChunkWindow } from "picket/gateway/gateway-rollout";
import { CHUNKS_PER_MESSAGE, decodePostMessage, encodePostMessage, type PostMessage } from "picket/gateway/post-messages";
import { TransferPlan } from "picket/update/transfer-plan";
import { decodeUpdateFrame, encodeUpdateFrame, RolloutProgress, UpdateFrameType, updateFrameKey } from "picket/update/update-frame";
import { OFFER_LENGTH } from "picket/update/update-offer";
import { portableCases } from "picket/test/harness/portable";
import { FakeTimers } from "picket/test/support/fake-timers";
import { createSeededRandom } from "picket/test/support/seeded-random";

const ROLLOUT = 7;

export default portableCases("gateway/rollout", (test) => {
	const code = (step: () => unknown): string => {
		try {
			step();
			return "none";
		} catch (error) {
			return isPicketError(error) ? error.code : `not a PicketError: ${String(error)}`;
		}
	};
	// 10,000 bytes in 1 KiB pages of 100-byte chunks: a 160-byte table (2 chunks), 10 pages of 11 chunks (the last 10).
	const plan = new TransferPlan({ imageLength: 10_000, chunkLength: 100, pageShift: 10 });
	const chunkBytes = (first: number, count: number): Uint8Array => {
		let length = 0;
		for (let index = first; index < first + count; index++) length += plan.place(index)!.length;
		return new Uint8Array(length).fill(first & 255);
	};

	test("the rollout messages round-trip at their table's sizes, and malformed ones are refused", (t) => {
		const messages: PostMessage[] = [
			{ kind: "chunk-request", rollout: ROLLOUT, first: 300, count: CHUNKS_PER_MESSAGE },
			{ kind: "progress", rollout: ROLLOUT, device: 12, state: 2 },
			{ kind: "rollout", action: 9, offer: new Uint8Array(OFFER_LENGTH).fill(3) },
			{ kind: "chunks", rollout: ROLLOUT, first: 2, bytes: Uint8Array.of(1, 2, 3) },
			{ kind: "rollout-stop", rollout: ROLLOUT },
		];
		const sizes = messages.map((message) => encodePostMessage(message).length);
		t.deepEqual(sizes, [8, 8, 5 + OFFER_LENGTH, 10, 5]);
		for (const message of messages) t.deepEqual(decodePostMessage(encodePostMessage(message)), message);
		t.is(code(() => decodePostMessage(Uint8Array.of(0x05, 0, 0, 0, 7, 0, 0, CHUNKS_PER_MESSAGE + 1))), "bad-message");
		t.is(code(() => decodePostMessage(Uint8Array.of(0x06, 0, 0, 0, 7, 0, 12, 3))), "bad-message");
		t.is(code(() => decodePostMessage(new Uint8Array(5 + OFFER_LENGTH - 1).fill(0x84))), "bad-message");
	});

	test("a progress frame round-trips under the update frame key; another key, a cut frame or an unknown state is refused", (t) => {
		const crypto = createSoftwareSuite(createSeededRandom(0x7011));
		const key = updateFrameKey(crypto, new Uint8Array(16).fill(1));
		const frame = encodeUpdateFrame(crypto, key, { type: UpdateFrameType.Progress, rollout: ROLLOUT, reporter: 21, state: RolloutProgress.Confirmed, hopsLeft: 5 });
		t.is(frame.length, 17);
		t.deepEqual(decodeUpdateFrame(crypto, key, frame), { ok: true, frame: { type: UpdateFrameType.Progress, rollout: ROLLOUT, reporter: 21, state: RolloutProgress.Confirmed, hopsLeft: 5 } });
		t.deepEqual(decodeUpdateFrame(crypto, updateFrameKey(crypto, new Uint8Array(16).fill(2)), frame), { ok: false, reason: "bad-tag" });
		t.deepEqual(decodeUpdateFrame(crypto, key, frame.subarray(0, 16)), { ok: false, reason: "truncated" });
		const unknownState = encodeUpdateFrame(crypto, key, { type: UpdateFrameType.Progress, rollout: ROLLOUT, reporter: 21, state: 3 as RolloutProgress, hopsLeft: 5 });
		t.deepEqual(decodeUpdateFrame(crypto, key, unknownState), { ok: false, reason: "malformed" });
	});

	test("the gateway's window asks for consecutive chunks in ranges, never holds or asks for more than its capacity, and drops a chunk once sent", (t) => {
		const timers = new FakeTimers();
		const requests: [number, number][] = [];
		const window = new PostChunkWindow({ rollout: ROLLOUT, plan, timers, capacity: 20, request: (first, count) => requests.push([first, count]) });
		const wanted = Array.from({ length: 40 }, (_, i) => i);
		window.fetch(ROLLOUT, wanted);
		t.deepEqual(requests, [[0, 16], [16, 4]], "20 chunks: the capacity, in ranges of at most 16");
		window.fetch(ROLLOUT, wanted);
		t.is(requests.length, 2, "nothing asked twice while an answer may be on its way");
		window.supply(ROLLOUT, 0, chunkBytes(0, 16));
		window.supply(ROLLOUT, 16, chunkBytes(16, 4));
		t.is(window.held, 20);
		t.is(window.readChunk(ROLLOUT, 3)!.length, 100);
		t.is(window.readChunk(ROLLOUT, 3), undefined, "dropped once read: asked for again, it comes from the post afresh");
		t.is(window.held, 19);
		window.fetch(ROLLOUT, wanted);
		t.is(requests.length, 2, "the next chunk to send is here: it waits for a batch of room");
		window.fetch(ROLLOUT, wanted.slice(3));
		t.deepEqual(requests[2], [3, 1], "the next chunk to send is not here: asked for at once");
	});

	test("a repair report that queues chunks ahead of those the window holds cannot stall it: held chunks not wanted soon give way", (t) => {
		const timers = new FakeTimers();
		const requests: [number, number][] = [];
		const window = new PostChunkWindow({ rollout: ROLLOUT, plan, timers, capacity: 8, request: (first, count) => requests.push([first, count]) });
		window.fetch(ROLLOUT, [40, 41, 42, 43, 44, 45, 46, 47]);
		window.supply(ROLLOUT, 40, chunkBytes(40, 8));
		t.is(window.held, 8);
		// Chunks 5 and 6 are now first in the sending order, the window is full.
		window.fetch(ROLLOUT, [5, 6, 40, 41, 42, 43, 44, 45, 46, 47]);
		t.deepEqual(requests[requests.length - 1], [5, 2]);
		t.is(window.held, 6, "the two wanted last gave way");
		t.is(window.stats.dropped, 2);
		window.supply(ROLLOUT, 5, chunkBytes(5, 2));
		t.is(window.held, 8);
		t.true(window.readChunk(ROLLOUT, 5) !== undefined && window.readChunk(ROLLOUT, 40) !== undefined);
	});

	test("the window keeps only what it asked for, refuses a chunks message that does not end on a chunk, and asks again after FETCH_RETRY_MS", (t) => {
		const timers = new FakeTimers();
		const requests: [number, number][] = [];
		const window = new PostChunkWindow({ rollout: ROLLOUT, plan, timers, capacity: 4, request: (first, count) => requests.push([first, count]) });
		window.fetch(ROLLOUT, [10, 11]);
		window.supply(ROLLOUT, 8, chunkBytes(8, 6)); // 8..13: only 10 and 11 were asked for
		t.is(window.held, 2);
		t.is(window.stats.unsolicited, 4);
		t.is(code(() => window.supply(ROLLOUT, 0, new Uint8Array(150))), "bad-chunks", "a chunk and a half");
		t.is(code(() => window.supply(ROLLOUT, 500, new Uint8Array(100))), "bad-chunks", "outside the plan");
		t.is(code(() => window.supply(ROLLOUT + 1, 0, new Uint8Array(100))), "not-seeding");
		t.is(window.held, 2, "nothing kept from a refused message");
		window.fetch(ROLLOUT, [20]);
		t.is(requests.length, 2);
		timers.advance(2_000);
		window.fetch(ROLLOUT, [20]);
		t.deepEqual(requests[2], [20, 1], "unanswered: asked again");
	});
});
