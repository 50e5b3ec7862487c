/**
 * A panic button, in the shape of an ECMA-419 IO class (options object, `onReadable`,
 * `read()`, `close()`). Gestures, each reported as soon as it is recognised:
 *
 * | gesture                                          | event        | why                              |
 * |--------------------------------------------------|--------------|----------------------------------|
 * | press (level stable for `debounceMs`)            | "press"      | at once: no waiting to classify  |
 * | still held `longPressMs` after the press         | "long-press" | the user insists: raise severity |
 * | a second press ≤ `cancelWindowMs` after releasing | "cancel"     | "I pressed it by mistake"        |
 * |   a short first press                            |              |                                  |
 *
 * A press is reported before we know whether a cancel follows, because a panic alert
 * must not wait; the cancel then withdraws it. A press that was a cancel, or a long press,
 * never starts a cancel window, so mashing the button cannot cancel a long press.
 */
import type { TimerId, Timers } from "picket/core/host-contracts";
import type { DigitalInput, Gpio } from "picket/device/gpio";

export type PanicGesture = "press" | "long-press" | "cancel";

export interface PanicEvent {
	readonly gesture: PanicGesture;
	readonly at: number;
}

export interface PanicButtonOptions {
	readonly gpio: Gpio;
	readonly timers: Timers;
	readonly pin: number | string;
	/** Level while pressed; buttons to ground with a pull-up (the usual wiring) read 0. */
	readonly activeLevel?: 0 | 1;
	readonly debounceMs: number;
	readonly longPressMs: number;
	readonly cancelWindowMs: number;
	readonly onReadable?: (this: PanicButton) => void;
}

/** At most this many gestures wait for `read()`; older ones are dropped first. */
const QUEUE_LIMIT = 8;

export class PanicButton {
	#input: DigitalInput | undefined;
	#timers: Timers;
	#activeLevel: 0 | 1;
	#debounceMs: number;
	#longPressMs: number;
	#cancelWindowMs: number;
	#onReadable: ((this: PanicButton) => void) | undefined;
	#debounce: TimerId | undefined;
	#longPress: TimerId | undefined;
	#pressed = false;
	/** What the current press is: a fresh press (may become long), or a cancel. */
	#pressKind: "press" | "long-press" | "cancel" = "press";
	/** When a short fresh press was released, or undefined: the start of a cancel window. */
	#shortReleaseAt: number | undefined;
	#queue: PanicEvent[] = [];

	constructor(options: PanicButtonOptions) {
		this.#timers = options.timers;
		this.#activeLevel = options.activeLevel ?? 0;
		this.#debounceMs = options.debounceMs;
		this.#longPressMs = options.longPressMs;
		this.#cancelWindowMs = options.cancelWindowMs;
		this.#onReadable = options.onReadable;
		this.#input = options.gpio.openInput({
			pin: options.pin,
			mode: this.#activeLevel === 0 ? "input-pull-up" : "input-pull-down",
			edge: "both",
			onReadable: () => this.#onEdge(),
		});
	}

	read(): PanicEvent | undefined {
		return this.#queue.shift();
	}

	close(): void {
		this.#clear();
		this.#input?.close();
		this.#input = undefined;
	}

	#clear(): void {
		if (this.#debounce !== undefined) this.#timers.clearTimeout(this.#debounce);
		if (this.#longPress !== undefined) this.#timers.clearTimeout(this.#longPress);
		this.#debounce = undefined;
		this.#longPress = undefined;
	}

	#onEdge(): void {
		if (this.#input === undefined) return;
		if (this.#debounce !== undefined) this.#timers.clearTimeout(this.#debounce);
		this.#debounce = this.#timers.setTimeout(() => this.#settle(), this.#debounceMs);
	}

	/** The level has been stable for the debounce interval. */
	#settle(): void {
		this.#debounce = undefined;
		if (this.#input === undefined) return;
		const pressed = this.#input.read() === this.#activeLevel;
		if (pressed === this.#pressed) return; // a bounce that came back to where it was
		this.#pressed = pressed;
		const now = this.#timers.now();
		if (pressed) {
			if (this.#shortReleaseAt !== undefined && now - this.#shortReleaseAt <= this.#cancelWindowMs) {
				this.#pressKind = "cancel";
				this.#shortReleaseAt = undefined;
				this.#emit("cancel", now);
				return;
			}
			this.#pressKind = "press";
			this.#emit("press", now);
			this.#longPress = this.#timers.setTimeout(() => {
				this.#longPress = undefined;
				this.#pressKind = "long-press";
				this.#emit("long-press", this.#timers.now());
			}, this.#longPressMs);
			return;
		}
		if (this.#longPress !== undefined) this.#timers.clearTimeout(this.#longPress);
		this.#longPress = undefined;
		this.#shortReleaseAt = this.#pressKind === "press" ? now : undefined;
	}

	#emit(gesture: PanicGesture, at: number): void {
		if (this.#queue.length >= QUEUE_LIMIT) this.#queue.shift();
		this.#queue.push({ gesture, at });
		this.#onReadable?.call(this);
	}
}
