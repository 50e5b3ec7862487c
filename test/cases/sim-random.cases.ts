import { SeededRandom } from "picket/hosts/sim/seeded-random";
import { portableCases } from "picket/test/harness/portable";

export default portableCases("sim/seeded-random", (test) => {
	test("xoshiro128** seeded by SplitMix32 matches an independent reference (Python, same algorithm)", (t) => {
		const random = new SeededRandom(42);
		t.deepEqual(
			Array.from({ length: 6 }, () => random.nextUint32()),
			[2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290],
		);
	});

	test("the same seed gives the same stream, another seed another", (t) => {
		const a = new SeededRandom(7);
		const b = new SeededRandom(7);
		const c = new SeededRandom(8);
		const streamA = Array.from({ length: 8 }, () => a.nextUint32());
		t.deepEqual(Array.from({ length: 8 }, () => b.nextUint32()), streamA);
		t.false(Array.from({ length: 8 }, () => c.nextUint32()).every((value, i) => value === streamA[i]));
	});

	test("forks are named, reproducible and independent of the parent's use", (t) => {
		const parent = new SeededRandom(1);
		const first = parent.fork("device 3").nextUint32();
		parent.nextUint32();
		t.is(parent.fork("device 3").nextUint32(), first);
		t.not(parent.fork("device 4").nextUint32(), first);
	});

	test("nextInt stays in bounds and nextFloat in [0, 1)", (t) => {
		const random = new SeededRandom(3);
		const seen = new Set<number>();
		for (let i = 0; i < 2000; i++) {
			const value = random.nextInt(6);
			seen.add(value);
			const float = random.nextFloat();
			if (value < 0 || value > 5 || float < 0 || float >= 1) t.fail(`out of range: ${value} ${float}`);
		}
		t.is(seen.size, 6);
		t.throws(() => random.nextInt(0), { instanceOf: RangeError });
	});

	test("randomSource fills the requested length, odd lengths included", (t) => {
		const source = new SeededRandom(5).randomSource();
		t.is(source(0).length, 0);
		t.is(source(7).length, 7);
		const big = source(4096);
		let ones = 0;
		for (const byte of big) for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1;
		// 32,768 fair bits: mean 16,384, standard deviation 90.5; ±600 is over 6 sigma.
		t.true(Math.abs(ones - 16384) < 600, `ones ${ones}`);
	});
});
