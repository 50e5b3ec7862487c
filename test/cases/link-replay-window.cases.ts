import { ReplayWindow } from "picket/link/replay-window";
import { portableCases } from "picket/test/harness/portable";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";

const boot = (storage: MemoryStorage) => new ReplayWindow({ storage, domain: "picket-link", keyPrefix: "w" });

function take(window: ReplayWindow, source: number, epoch: number, sequence: number): string {
	const verdict = window.check(source, epoch, sequence);
	if (verdict === "fresh") window.accept(source, epoch, sequence);
	return verdict;
}

export default portableCases("link/replay-window", (test) => {
	test("fresh, replayed, out of order within the window, too old", (t) => {
		const window = boot(new MemoryStorage());
		t.is(take(window, 7, 1, 10), "fresh");
		t.is(take(window, 7, 1, 10), "replayed");
		t.is(take(window, 7, 1, 12), "fresh");
		t.is(take(window, 7, 1, 11), "fresh", "late but inside the window");
		t.is(take(window, 7, 1, 11), "replayed");
		t.is(take(window, 7, 1, 100), "fresh");
		t.is(take(window, 7, 1, 37), "fresh", "100 − 63");
		t.is(take(window, 7, 1, 36), "too-old", "100 − 64");
		t.is(take(window, 7, 1, 12), "too-old");
	});

	test("sources are independent", (t) => {
		const window = boot(new MemoryStorage());
		t.is(take(window, 1, 1, 5), "fresh");
		t.is(take(window, 2, 1, 5), "fresh");
		t.is(take(window, 1, 1, 5), "replayed");
	});

	test("the bitmap shifts exactly across the 32-bit halves", (t) => {
		for (const jump of [1, 31, 32, 33, 63, 64, 65]) {
			const window = boot(new MemoryStorage());
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
		t.is(storage.read("picket-link", "w9")?.length, 16);
	});
});
