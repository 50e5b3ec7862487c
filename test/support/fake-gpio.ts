/**
 * Virtual pins for portable cases: a case drives an input's level (an edge calls the
 * driver's onReadable, as embedded:io/digital does) and reads back every level an output
 * was written, with the fake clock's time.
 */
import type { Clock } from "picket/core/host-contracts";
import type { DigitalInput, DigitalInputOptions, DigitalOutput, DigitalOutputOptions, Gpio } from "picket/device/gpio";

interface InputPin {
	level: 0 | 1;
	options: DigitalInputOptions;
	open: boolean;
}

export interface OutputWrite {
	readonly at: number;
	readonly level: 0 | 1;
}

export class FakeGpio implements Gpio {
	#clock: Clock;
	#inputs = new Map<string, InputPin>();
	#outputs = new Map<string, OutputWrite[]>();

	constructor(clock: Clock) {
		this.#clock = clock;
	}

	openInput(options: DigitalInputOptions): DigitalInput {
		const key = String(options.pin);
		if (this.#inputs.get(key)?.open) throw new Error(`pin ${key} already open`);
		// Pull-ups idle high, pull-downs idle low.
		const pin: InputPin = { level: options.mode === "input-pull-up" ? 1 : 0, options, open: true };
		this.#inputs.set(key, pin);
		return {
			read: () => pin.level,
			close: () => {
				pin.open = false;
			},
		};
	}

	openOutput(options: DigitalOutputOptions): DigitalOutput {
		const key = String(options.pin);
		const writes: OutputWrite[] = [];
		this.#outputs.set(key, writes);
		return {
			write: (level) => {
				writes.push({ at: this.#clock.now(), level });
			},
			close: () => {},
		};
	}

	/** Sets an input's level; a change is an edge, reported to the driver if its edge setting asks for it. */
	drive(pin: number | string, level: 0 | 1): void {
		const input = this.#inputs.get(String(pin));
		if (input === undefined) throw new Error(`pin ${String(pin)} not open`);
		if (input.level === level) return;
		input.level = level;
		if (!input.open) return;
		const edge = input.options.edge ?? "both";
		if (edge === "both" || (edge === "rising" && level === 1) || (edge === "falling" && level === 0)) input.options.onReadable?.();
	}

	/** Every level written to an output pin, in order. */
	writes(pin: number | string): readonly OutputWrite[] {
		return this.#outputs.get(String(pin)) ?? [];
	}

	/** The output's current level (undefined if never written). */
	level(pin: number | string): 0 | 1 | undefined {
		return this.writes(pin).at(-1)?.level;
	}

	isOpen(pin: number | string): boolean {
		return this.#inputs.get(String(pin))?.open ?? false;
	}
}
