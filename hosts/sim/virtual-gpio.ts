/**
 * Virtual GPIO for the host simulator: implements the Gpio contract (picket/device/gpio)
 * with pins that a scenario drives (a PIR output going high, a panic button pulled low) and
 * outputs that the simulation watches (siren, LED, vibration motor).
 *
 * Edge callbacks are delivered through the device's Timers with zero delay, never inside
 * the call that changed the level: on the device they arrive from the GPIO ISR via a
 * message to the JS task, so firmware code must not rely on them being synchronous.
 */
import type { Timers } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";
import type { DigitalInput, DigitalInputOptions, DigitalOutput, DigitalOutputOptions, Gpio } from "picket/device/gpio";

export type GpioErrorCode = "pin-busy" | "pin-closed";

/** One change of an output pin, as the simulation records it. */
export interface OutputChange {
	readonly pin: string;
	readonly level: 0 | 1;
	readonly time: number;
}

interface InputPin {
	options: DigitalInputOptions;
	closed: boolean;
}

export class VirtualGpio implements Gpio {
	readonly #timers: Timers;
	readonly #world: Timers;
	readonly #levels = new Map<string, 0 | 1>();
	readonly #inputs = new Map<string, InputPin>();
	readonly #outputs = new Map<string, { closed: boolean }>();
	readonly #history: OutputChange[] = [];
	readonly #listeners: ((change: OutputChange) => void)[] = [];

	/**
	 * `timers` are the device's (edge callbacks die with its power); `world` schedules what
	 * the outside does (a PIR pulse ending), which a power cut of the device does not stop.
	 */
	constructor(timers: Timers, world: Timers = timers) {
		this.#timers = timers;
		this.#world = world;
	}

	openInput(options: DigitalInputOptions): DigitalInput {
		const name = String(options.pin);
		if (this.#inputs.has(name) || this.#outputs.has(name)) throw new PicketError<GpioErrorCode>("pin-busy", `pin ${name}`);
		// An unconnected pin reads as its pull: high with a pull-up, low otherwise.
		if (!this.#levels.has(name)) this.#levels.set(name, options.mode === "input-pull-up" ? 1 : 0);
		const pin: InputPin = { options, closed: false };
		this.#inputs.set(name, pin);
		return {
			read: () => {
				if (pin.closed) throw new PicketError<GpioErrorCode>("pin-closed", `pin ${name}`);
				return this.#levels.get(name) ?? 0;
			},
			close: () => {
				if (pin.closed) return;
				pin.closed = true;
				this.#inputs.delete(name);
			},
		};
	}

	openOutput(options: DigitalOutputOptions): DigitalOutput {
		const name = String(options.pin);
		if (this.#inputs.has(name) || this.#outputs.has(name)) throw new PicketError<GpioErrorCode>("pin-busy", `pin ${name}`);
		const pin = { closed: false };
		this.#outputs.set(name, pin);
		return {
			write: (level) => {
				if (pin.closed) throw new PicketError<GpioErrorCode>("pin-closed", `pin ${name}`);
				this.#setOutput(name, level);
			},
			close: () => {
				if (pin.closed) return;
				pin.closed = true;
				this.#outputs.delete(name);
			},
		};
	}

	// ── The simulation's side ────────────────────────────────────────────────

	/** Drives an input pin (a sensor or a button) to `level`, firing the edge callback if one matches. */
	setInput(pin: number | string, level: 0 | 1): void {
		const name = String(pin);
		const previous = this.#levels.get(name) ?? 0;
		this.#levels.set(name, level);
		if (previous === level) return;
		const input = this.#inputs.get(name);
		if (input === undefined) return;
		const edge = input.options.edge;
		const rising = level === 1;
		if (edge === "both" || (edge === "rising" && rising) || (edge === "falling" && !rising)) {
			const onReadable = input.options.onReadable;
			if (onReadable !== undefined) {
				this.#timers.setTimeout(() => {
					if (!input.closed) onReadable();
				}, 0);
			}
		}
	}

	/** Drives `pin` to `activeLevel` for `durationMs`, then back: a PIR pulse, or a button press (active low: activeLevel 0). */
	pulse(pin: number | string, activeLevel: 0 | 1, durationMs: number): void {
		this.setInput(pin, activeLevel);
		this.#world.setTimeout(() => this.setInput(pin, activeLevel === 1 ? 0 : 1), durationMs);
	}

	/** The level an output pin was last driven to (0 if never). */
	output(pin: number | string): 0 | 1 {
		return this.#levels.get(String(pin)) ?? 0;
	}

	/** Every output change so far, in order. */
	get history(): readonly OutputChange[] {
		return this.#history;
	}

	onOutput(listener: (change: OutputChange) => void): void {
		this.#listeners.push(listener);
	}

	/** A power cut: outputs fall to 0 and every pin is released (the firmware reopens them when it restarts). */
	powerOff(): void {
		for (const [name, pin] of this.#outputs) {
			this.#setOutput(name, 0);
			pin.closed = true;
		}
		this.#outputs.clear();
		for (const input of this.#inputs.values()) input.closed = true;
		this.#inputs.clear();
	}

	#setOutput(name: string, level: 0 | 1): void {
		if ((this.#levels.get(name) ?? 0) === level) return; // only changes are recorded
		this.#levels.set(name, level);
		const change: OutputChange = { pin: name, level, time: this.#timers.now() };
		this.#history.push(change);
		for (const listener of this.#listeners) listener(change);
	}
}
