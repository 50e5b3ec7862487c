import { MotionSensor, type MotionEvent } from "picket/device/motion-sensor";
import { portableCases } from "picket/test/harness/portable";
import { FakeGpio } from "picket/test/support/fake-gpio";
import { FakeTimers } from "picket/test/support/fake-timers";

const PIR = 4;

function setup(debounceMs = 100, holdOffMs = 10_000, retriggerMs = 60_000) {
	const timers = new FakeTimers();
	const gpio = new FakeGpio(timers);
	const events: MotionEvent[] = [];
	const sensor = new MotionSensor({
		gpio,
		timers,
		pin: PIR,
		debounceMs,
		holdOffMs,
		retriggerMs,
		onReadable() {
			for (let event = this.read(); event !== undefined; event = this.read()) events.push(event);
		},
	});
	/** The PIR goes high for `highMs`, then low. */
	const pulse = (highMs: number) => {
		gpio.drive(PIR, 1);
		timers.advance(highMs);
		gpio.drive(PIR, 0);
	};
	return { timers, gpio, sensor, events, pulse };
}

export default portableCases("device/motion-sensor", (test) => {
	test("debounce: a glitch shorter than debounceMs is ignored, a stable level is reported once", (t) => {
		const { timers, events, pulse } = setup(100);
		pulse(60);
		timers.advance(1_000);
		t.is(events.length, 0);
		pulse(2_000);
		t.deepEqual(events, [{ at: 1_060 + 100, count: 1 }]);
	});

	test("debounce: chatter restarts the interval", (t) => {
		const { timers, gpio, events } = setup(100);
		gpio.drive(PIR, 1);
		timers.advance(80);
		gpio.drive(PIR, 0);
		gpio.drive(PIR, 1); // bounce at 80 ms
		timers.advance(80);
		t.is(events.length, 0, "160 ms since the first edge but only 80 ms stable");
		timers.advance(20);
		t.is(events.length, 1);
		t.is(events[0].at, 180);
	});

	test("hold-off: detections within holdOffMs are swallowed and counted", (t) => {
		const { timers, sensor, events, pulse } = setup(100, 10_000);
		pulse(500); // event at 100
		timers.advance(2_000);
		pulse(500); // detection at 2,600: inside hold-off
		timers.advance(3_000);
		pulse(500); // detection at 6,200: inside hold-off
		t.is(events.length, 1);
		t.is(sensor.suppressed, 2);
	});

	test("re-trigger: a detection after the hold-off but within the window counts up; after the window it restarts at 1", (t) => {
		const { timers, events, pulse } = setup(100, 10_000, 60_000);
		pulse(500); // 100
		timers.advance(11_000);
		pulse(500); // 11,600 → count 2
		timers.advance(11_000);
		pulse(500); // 23,200 → count 3
		timers.advance(100_000);
		pulse(500); // far later → count 1
		t.deepEqual(
			events.map((event) => event.count),
			[1, 2, 3, 1],
		);
	});

	test("close releases the pin and cancels a pending debounce", (t) => {
		const { timers, gpio, sensor, events } = setup(100);
		gpio.drive(PIR, 1);
		sensor.close();
		timers.advance(500);
		t.is(events.length, 0);
		t.false(gpio.isOpen(PIR));
		t.is(timers.pending, 0);
	});
});
