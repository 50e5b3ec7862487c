import { VirtualClock } from "picket/hosts/sim/virtual-clock";
import { portableCases } from "picket/test/harness/portable";

export default portableCases("sim/virtual-clock", (test) => {
	test("events run in time order, ties in insertion order", (t) => {
		const clock = new VirtualClock();
		const timers = clock.timersFor("a");
		const order: string[] = [];
		timers.setTimeout(() => order.push("c@20"), 20);
		timers.setTimeout(() => order.push("a@10"), 10);
		timers.setTimeout(() => order.push("b@10"), 10);
		timers.setTimeout(() => order.push("z@0"), -5);
		clock.runUntilIdle();
		t.deepEqual(order, ["z@0", "a@10", "b@10", "c@20"]);
		t.is(clock.now(), 20);
	});

	test("timers see virtual time and can schedule more timers", (t) => {
		const clock = new VirtualClock();
		const timers = clock.timersFor("a");
		const times: number[] = [];
		const tick = (): void => {
			times.push(timers.now());
			if (times.length < 5) timers.setTimeout(tick, 1000);
		};
		timers.setTimeout(tick, 1000);
		clock.runUntilIdle();
		t.deepEqual(times, [1000, 2000, 3000, 4000, 5000]);
	});

	test("clearTimeout cancels; clearing twice or after firing is harmless", (t) => {
		const clock = new VirtualClock();
		const timers = clock.timersFor("a");
		let fired = 0;
		const id = timers.setTimeout(() => fired++, 5);
		const other = timers.setTimeout(() => fired++, 6);
		timers.clearTimeout(id);
		timers.clearTimeout(id);
		clock.runUntilIdle();
		timers.clearTimeout(other);
		t.is(fired, 1);
		t.is(timers.pending, 0);
	});

	test("runUntil stops at the given time and advances the clock to it", (t) => {
		const clock = new VirtualClock();
		const timers = clock.timersFor("a");
		let fired = 0;
		timers.setTimeout(() => fired++, 10);
		timers.setTimeout(() => fired++, 30);
		clock.runUntil(20);
		t.is(fired, 1);
		t.is(clock.now(), 20);
		clock.runUntil(30);
		t.is(fired, 2);
	});

	test("powerOff drops a device's timers, not another's; nothing new is scheduled until powerOn", (t) => {
		const clock = new VirtualClock();
		const a = clock.timersFor("a");
		const b = clock.timersFor("b");
		const fired: string[] = [];
		a.setTimeout(() => fired.push("a1"), 10);
		b.setTimeout(() => fired.push("b1"), 10);
		a.powerOff();
		a.setTimeout(() => fired.push("a2"), 10);
		a.powerOn();
		a.setTimeout(() => fired.push("a3"), 20);
		clock.runUntilIdle();
		t.deepEqual(fired, ["b1", "a3"]);
	});

	test("a power cut kills the timers set before it, even when cleared afterwards; pending counts the live ones", (t) => {
		const clock = new VirtualClock();
		const a = clock.timersFor("a");
		const fired: string[] = [];
		const before = a.setTimeout(() => fired.push("before"), 10);
		a.setTimeout(() => fired.push("before too"), 5);
		t.is(a.pending, 2);
		a.powerOff();
		a.powerOn();
		t.is(a.pending, 0);
		a.clearTimeout(before);
		t.is(a.pending, 0, "clearing a dead timer counts nothing");
		const after = a.setTimeout(() => fired.push("after"), 20);
		t.is(a.pending, 1);
		t.is(clock.nextTime(), 20, "the dead events are not next");
		clock.runUntilIdle();
		t.deepEqual(fired, ["after"]);
		t.is(a.pending, 0);
		a.clearTimeout(after);
		t.is(a.pending, 0);
	});

	test("ten thousand random timers come out sorted", (t) => {
		const clock = new VirtualClock();
		const timers = clock.timersFor("a");
		const seen: number[] = [];
		let x = 12345;
		for (let i = 0; i < 10000; i++) {
			x = (Math.imul(x, 1103515245) + 12345) >>> 0;
			const delay = x % 1000;
			timers.setTimeout(() => seen.push(delay), delay);
		}
		clock.runUntilIdle();
		let sorted = seen.length === 10000;
		for (let i = 1; i < seen.length; i++) if (seen[i - 1] > seen[i]) sorted = false;
		t.true(sorted);
	});
});
