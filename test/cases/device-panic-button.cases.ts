import { PanicButton, type PanicGesture } from "picket/device/panic-button";
import { portableCases } from "picket/test/harness/portable";
import { FakeGpio } from "picket/test/support/fake-gpio";
import { FakeTimers } from "picket/test/support/fake-timers";

const BUTTON = 0;

function setup() {
	const timers = new FakeTimers();
	const gpio = new FakeGpio(timers);
	const gestures: PanicGesture[] = [];
	const button = new PanicButton({
		gpio,
		timers,
		pin: BUTTON,
		debounceMs: 30,
		longPressMs: 1_500,
		cancelWindowMs: 600,
		onReadable() {
			for (let event = this.read(); event !== undefined; event = this.read()) gestures.push(event.gesture);
		},
	});
	// Active low: pressing pulls the pin to 0.
	const hold = (ms: number) => {
		gpio.drive(BUTTON, 0);
		timers.advance(ms);
		gpio.drive(BUTTON, 1);
		timers.advance(30);
	};
	return { timers, gpio, button, gestures, hold };
}

export default portableCases("device/panic-button", (test) => {
	test("a press is reported as soon as it is debounced, before release", (t) => {
		const { timers, gpio, gestures } = setup();
		gpio.drive(BUTTON, 0);
		timers.advance(29);
		t.deepEqual(gestures, []);
		timers.advance(1);
		t.deepEqual(gestures, ["press"]);
	});

	test("contact bounce on press and release gives one press", (t) => {
		const { timers, gpio, gestures } = setup();
		for (const level of [0, 1, 0, 1, 0] as const) {
			gpio.drive(BUTTON, level);
			timers.advance(5);
		}
		timers.advance(200);
		for (const level of [1, 0, 1] as const) {
			gpio.drive(BUTTON, level);
			timers.advance(5);
		}
		timers.advance(2_000);
		t.deepEqual(gestures, ["press"]);
	});

	test("long press: held past longPressMs raises a long-press while still held", (t) => {
		const { timers, gpio, gestures } = setup();
		gpio.drive(BUTTON, 0);
		timers.advance(30 + 1_499);
		t.deepEqual(gestures, ["press"]);
		timers.advance(1);
		t.deepEqual(gestures, ["press", "long-press"]);
		gpio.drive(BUTTON, 1);
		timers.advance(100);
		t.deepEqual(gestures, ["press", "long-press"], "release adds nothing");
	});

	test("cancel: a second press within the window after a short press", (t) => {
		const { timers, gestures, hold } = setup();
		hold(200);
		timers.advance(300);
		hold(200);
		t.deepEqual(gestures, ["press", "cancel"]);
	});

	test("no cancel after the window, nor after a long press", (t) => {
		const { timers, gestures, hold } = setup();
		hold(200);
		timers.advance(1_000);
		hold(200);
		t.deepEqual(gestures, ["press", "press"]);
		timers.advance(5_000);
		gestures.length = 0;
		hold(2_000); // long press
		timers.advance(100);
		hold(200);
		t.deepEqual(gestures, ["press", "long-press", "press"]);
	});

	test("a cancelling press does not open another cancel window", (t) => {
		const { timers, gestures, hold } = setup();
		hold(100);
		timers.advance(100);
		hold(100);
		timers.advance(100);
		hold(100);
		t.deepEqual(gestures, ["press", "cancel", "press"]);
	});

	test("close cancels pending timers", (t) => {
		const { timers, gpio, button } = setup();
		gpio.drive(BUTTON, 0);
		timers.advance(100);
		button.close();
		t.is(timers.pending, 0);
		t.false(gpio.isOpen(BUTTON));
	});
});
