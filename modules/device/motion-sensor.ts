/**
 * A PIR motion input, in the shape of an ECMA-419 IO class: one options object, an
 * `onReadable` callback when a motion event is waiting, `read()` to take it, `close()`.
 *
 * A PIR module drives its output high while it sees motion. This driver turns that level
 * into motion events:
 *
 * - **edge**: the GPIO reports both edges; nothing is decided on the edge itself;
 * - **debounce**: the output must stay active for `debounceMs` (a glitch shorter than
 *   that, e.g. from the radio's own supply ripple, is ignored);
 * - **hold-off**: after an event, detections within `holdOffMs` are swallowed (counted in
 *   `suppressed`) so a person walking past is one alert, not ten;
 * - **re-trigger window**: a detection after the hold-off but within `retriggerMs` of the
 *   previous event is a re-trigger: it is reported with `count` one higher, so the policy
 *   can tell sustained presence from a single pass.
 */
import type { TimerId, Timers } from "picket/core/host-contracts";
import type { DigitalInput, Gpio } from "picket/device/gpio";

export interface MotionEvent {
	/** Clock time (ms) at which the debounced detection was confirmed. */
	readonly at: number;
	/** 1 for a fresh detection; n for the n-th detection in a chain of re-triggers. */
	readonly count: number;
}

export interface MotionSensorOptions {
	readonly gpio: Gpio;
	readonly timers: Timers;
	readonly pin: number | string;
	/** Level the PIR drives on motion (most modules: 1, active high). */
	readonly activeLevel?: 0 | 1;
	readonly debounceMs: number;
	readonly holdOffMs: number;
	readonly retriggerMs: number;
	/** A motion event is waiting: call `read()`. */
	readonly onReadable?: (this: MotionSensor) => void;
}

export class MotionSensor {
	#input: DigitalInput | undefined;
	#timers: Timers;
	#activeLevel: 0 | 1;
	#debounceMs: number;
	#holdOffMs: number;
	#retriggerMs: number;
	#onReadable: ((this: MotionSensor) => void) | undefined;
	#debounce: TimerId | undefined;
	#lastEvent: MotionEvent | undefined;
	#pending: MotionEvent | undefined;
	/** Detections swallowed by the hold-off since the sensor opened. */
	suppressed = 0;

	constructor(options: MotionSensorOptions) {
		this.#timers = options.timers;
		this.#activeLevel = options.activeLevel ?? 1;
		this.#debounceMs = options.debounceMs;
		this.#holdOffMs = options.holdOffMs;
		this.#retriggerMs = options.retriggerMs;
		this.#onReadable = options.onReadable;
		this.#input = options.gpio.openInput({
			pin: options.pin,
			mode: this.#activeLevel === 1 ? "input-pull-down" : "input-pull-up",
			edge: "both",
			onReadable: () => this.#onEdge(),
		});
	}

	/** The waiting motion event, once; undefined if none. */
	read(): MotionEvent | undefined {
		const event = this.#pending;
		this.#pending = undefined;
		return event;
	}

	close(): void {
		if (this.#debounce !== undefined) this.#timers.clearTimeout(this.#debounce);
		this.#debounce = undefined;
		this.#input?.close();
		this.#input = undefined;
	}

	#onEdge(): void {
		if (this.#input === undefined) return;
		if (this.#debounce !== undefined) {
			// Any edge inside the debounce interval restarts it: the level must be stable.
			this.#timers.clearTimeout(this.#debounce);
			this.#debounce = undefined;
		}
		if (this.#input.read() !== this.#activeLevel) return;
		this.#debounce = this.#timers.setTimeout(() => this.#confirm(), this.#debounceMs);
	}

	#confirm(): void {
		this.#debounce = undefined;
		if (this.#input === undefined || this.#input.read() !== this.#activeLevel) return;
		const now = this.#timers.now();
		const last = this.#lastEvent;
		if (last !== undefined && now - last.at < this.#holdOffMs) {
			this.suppressed++;
			return;
		}
		const count = last !== undefined && now - last.at <= this.#retriggerMs ? last.count + 1 : 1;
		const event: MotionEvent = { at: now, count };
		this.#lastEvent = event;
		this.#pending = event;
		this.#onReadable?.call(this);
	}
}
