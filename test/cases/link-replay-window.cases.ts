import { ReplayWindow } from "picket/link/replay-window";
import { portableCases } from "picket/test/harness/portable";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { CUT_EFFECTS } from "picket/hosts/sim/flash-preference";
import { isPicketError } from "picket/core/picket-error";

const boot = (storage: MemoryStorage) => new ReplayWindow({ storage, domain: "picket-link", keyPrefix: "w" });

function take(window: ReplayWindow, source: number, epoch: number, sequence: number): string {
	const verdict = window.check(source, epoch, sequence);
	if (verdict === "fresh") window.accept(source, epoch, sequence);
	return verdict;
}

/** Frames a receiver reads: two sources, in order, late, a jump, a new epoch. */
const TRAFFIC: ReadonlyArray<readonly [source: number, epoch: number, sequence: number]> = [
	[4, 1, 0], [4, 1, 1], [9, 1, 64], [4, 1, 3], [4, 1, 2], [9, 1, 66], [9, 1, 65], [4, 1, 67],
	[4, 1, 2], [9, 1, 130], [4, 2, 0], [4, 2, 1], [9, 1, 131], [4, 2, 5], [4, 2, 4], [9, 2, 0],
];

/**
 * Reads TRAFFIC from frame `from` on a freshly booted window, pushing each frame whose accept
 * returned to `accepted`. Returns the frame where power was cut, or TRAFFIC.length.
 */
function receive(storage: MemoryStorage, accepted: string[], from: number): number {
	const window = boot(storage);
	for (let i = from; i < TRAFFIC.length; i++) {
		const [source, epoch, sequence] = TRAFFIC[i];
		try {
			if (window.check(source, epoch, sequence) !== "fresh") continue;
			window.accept(source, epoch, sequence);
			accepted.push(`${source}:${epoch}:${sequence}`);
		} catch (error) {
			if (isPicketError(error, "power-cut")) return i;
			throw error;
		}
	}
	return TRAFFIC.length;
}

/** Every frame accepted before must be refused now: the window never went back. */
function replaysRefused(storage: MemoryStorage, accepted: readonly string[]): string[] {
	const window = boot(storage);
	return accepted.filter((frame) => {
		const [source, epoch, sequence] = frame.split(":").map(Number);
		return window.check(source, epoch, sequence) === "fresh";
	});
}

export default portableCases("link/replay-window", (test) => {
	test("fresh, replayed, out of order within the window, too old", (t) => {
		const window = boot(new MemoryStorage());
		t.is(take(window, 7, 1, 10), "fresh");
		t.is(take(window, 7, 1, 10), "replayed");
		t.is(take(window, 7, 1, 12), "fresh");
		t.is(take(window, 7, 1, 11), "fresh", "late but inside the window");
		t.is(take(window, 7, 1, 11), "replayed");
		t.is(take(window, 7, 1, 76), "fresh", "12 + 64: the furthest one frame moves the window");
		t.is(take(window, 7, 1, 13), "fresh", "76 − 63");
		t.is(take(window, 7, 1, 12), "too-old", "76 − 64");
	});

	test("issue 12 item 7: one frame far ahead moves nothing; the next frame in sequence confirms a real leap", (t) => {
		const storage = new MemoryStorage();
		const window = boot(storage);
		t.is(take(window, 7, 1, 10), "fresh");
		t.is(take(window, 7, 1, 524_287), "fresh", "an insider's 'sequence 2^19 − 1' is taken once");
		t.is(take(window, 7, 1, 524_287), "replayed");
		t.is(take(window, 7, 1, 11), "fresh", "the source's own next alert is still read");
		t.is(take(window, 7, 1, 12), "fresh");
		t.is(take(window, 7, 1, 5000), "replayed", "far ahead and below the frame taken ahead: never twice");
		// A reader that missed 300 of a source's alerts: the first far frame waits, the next confirms.
		t.is(take(window, 8, 1, 5), "fresh");
		t.is(take(window, 8, 1, 305), "fresh");
		t.is(boot(storage).check(8, 1, 305), "replayed", "the frame taken ahead survives a reboot");
		t.is(take(window, 8, 1, 306), "fresh");
		t.is(take(window, 8, 1, 305), "replayed");
		t.is(take(window, 8, 1, 304), "fresh", "the window is at 306 now");
		t.is(take(window, 8, 1, 6), "too-old");
		// A frame ahead that the window later reaches by ordinary steps is remembered in the bitmap.
		t.is(take(window, 9, 1, 0), "fresh");
		t.is(take(window, 9, 1, 100), "fresh");
		t.is(take(window, 9, 1, 60), "fresh");
		t.is(take(window, 9, 1, 100), "replayed", "within a leap of the top now, still known");
		t.is(take(window, 9, 1, 110), "fresh");
		t.is(take(window, 9, 1, 100), "replayed", "the bitmap holds it");
	});

	test("sources are independent", (t) => {
		const window = boot(new MemoryStorage());
		t.is(take(window, 1, 1, 5), "fresh");
		t.is(take(window, 2, 1, 5), "fresh");
		t.is(take(window, 1, 1, 5), "replayed");
	});

	test("the bitmap shifts exactly across the 32-bit halves", (t) => {
		for (const jump of [1, 31, 32, 33, 63, 64]) {
			const window = boot(new MemoryStorage());
			take(window, 1, 1, 999);
			take(window, 1, 1, 1000);
			take(window, 1, 1, 1000 + jump);
			t.is(window.check(1, 1, 1000), jump < 64 ? "replayed" : "too-old", `jump ${jump}`);
			if (jump > 1 && jump < 64) t.is(window.check(1, 1, 1001), "fresh", `jump ${jump}`);
		}
	});

	test("check alone changes nothing", (t) => {
		const window = boot(new MemoryStorage());
		t.is(window.check(3, 1, 9), "fresh");
		t.is(window.check(3, 1, 9), "fresh");
	});

	test("a newer epoch opens a fresh window; an older epoch is a cross-epoch replay", (t) => {
		const window = boot(new MemoryStorage());
		take(window, 4, 1, 500);
		t.is(take(window, 4, 2, 0), "fresh");
		t.is(take(window, 4, 2, 0), "replayed");
		t.is(take(window, 4, 1, 501), "wrong-epoch");
	});

	test("the window survives a reboot, bitmap included", (t) => {
		const storage = new MemoryStorage();
		const before = boot(storage);
		take(before, 9, 3, 20);
		take(before, 9, 3, 22);
		const after = boot(storage);
		t.is(after.check(9, 3, 20), "replayed");
		t.is(after.check(9, 3, 22), "replayed");
		t.is(after.check(9, 3, 21), "fresh");
		t.is(after.check(9, 2, 23), "wrong-epoch");
		t.deepEqual(storage.keys("picket-link"), ["w9"]);
		t.is(storage.read("picket-link", "w9")?.length, 20);
	});

	test("a power cut at every flash step, whatever it leaves: after the reboot no accepted frame passes again", (t) => {
		const reference = new MemoryStorage();
		const all: string[] = [];
		t.is(receive(reference, all, 0), TRAFFIC.length);
		t.is(all.length, TRAFFIC.length - 1, "one frame is legitimately too old");
		const totalSteps = reference.flash.steps;
		for (let cut = 0; cut < totalSteps; cut++) {
			for (const effect of CUT_EFFECTS) {
				const storage = new MemoryStorage();
				const accepted: string[] = [];
				storage.cutPowerAfter(cut, effect);
				const cutAt = receive(storage, accepted, 0);
				t.true(cutAt < TRAFFIC.length, `step ${cut + 1} reached`);
				storage.restorePower();
				t.deepEqual(replaysRefused(storage, accepted), [], `cut at step ${cut + 1} (${effect}): the window went back`);
				// The interrupted frame is read again (it was never acted on), then the rest.
				t.is(receive(storage, accepted, cutAt), TRAFFIC.length);
				t.deepEqual(replaysRefused(storage, accepted), [], `cut at step ${cut + 1} (${effect}), at the end`);
				t.is(new Set(accepted).size, accepted.length, "no frame accepted twice");
			}
		}
	});
});
