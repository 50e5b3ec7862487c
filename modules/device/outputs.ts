/**
 * The device's outputs — siren, LED, vibration motor — each a digital output played in a
 * named on/off pattern for a bounded time. A board without one of them simply has no pin
 * for it, and starting it does nothing, so the policy never asks what the board has.
 *
 * Patterns, as alternating on/off durations in ms (one value = steady on):
 *
 * | name         | steps      | used for                                        |
 * |--------------|------------|-------------------------------------------------|
 * | alarm        | 600, 200   | siren for urgent and critical alerts            |
 * | chirp        | 100, 900   | siren for notices and warnings                  |
 * | alert        | 100, 100   | LED while an alert is sounding                  |
 * | sending      | 50, 450    | LED while our own alert waits for an ack        |
 * | acknowledged | steady     | LED once our alert was acknowledged             |
 * | buzz         | 400, 200   | vibration for a received alert                  |
 * | tap          | 150, 150   | vibration: short feedback to the wearer         |
 */
import type { TimerId, Timers } from "picket/core/host-contracts";
import type { DigitalOutput, Gpio } from "picket/device/gpio";

export const PATTERNS = {
	alarm: [600, 200],
	chirp: [100, 900],
	alert: [100, 100],
	sending: [50, 450],
	acknowledged: [1],
	buzz: [400, 200],
	tap: [150, 150],
} as const satisfies Record<string, readonly number[]>;

export type PatternName = keyof typeof PATTERNS;
export type OutputName = "siren" | "led" | "vibration";
export const OUTPUT_NAMES: readonly OutputName[] = ["siren", "led", "vibration"];

export interface OutputPins {
	readonly siren?: number | string;
	readonly led?: number | string;
	readonly vibration?: number | string;
	/** Level that turns an output on (1 unless the board drives through an inverting stage). */
	readonly activeLevel?: 0 | 1;
}

export interface OutputsOptions {
	readonly gpio: Gpio;
	readonly timers: Timers;
	readonly pins: OutputPins;
}

/** One output pin playing one pattern. */
class PatternPlayer {
	#output: DigitalOutput;
	#timers: Timers;
	#on: 0 | 1;
	#step: TimerId | undefined;
	#end: TimerId | undefined;
	pattern: PatternName | undefined;

	constructor(output: DigitalOutput, timers: Timers, activeLevel: 0 | 1) {
		this.#output = output;
		this.#timers = timers;
		this.#on = activeLevel;
		output.write(this.#off());
	}

	play(pattern: PatternName, durationMs: number): void {
		this.stop();
		this.pattern = pattern;
		const steps: readonly number[] = PATTERNS[pattern];
		let index = 0;
		const next = (): void => {
			const on = index % 2 === 0;
			this.#output.write(on ? this.#on : this.#off());
			if (steps.length === 1) return; // steady
			const wait = steps[index % steps.length];
			index++;
			this.#step = this.#timers.setTimeout(next, wait);
		};
		next();
		if (Number.isFinite(durationMs)) this.#end = this.#timers.setTimeout(() => this.stop(), durationMs);
	}

	stop(): void {
		if (this.#step !== undefined) this.#timers.clearTimeout(this.#step);
		if (this.#end !== undefined) this.#timers.clearTimeout(this.#end);
		this.#step = undefined;
		this.#end = undefined;
		this.pattern = undefined;
		this.#output.write(this.#off());
	}

	close(): void {
		this.stop();
		this.#output.close();
	}

	#off(): 0 | 1 {
		return this.#on === 1 ? 0 : 1;
	}
}

export class Outputs {
	#players: Partial<Record<OutputName, PatternPlayer>> = {};

	constructor(options: OutputsOptions) {
		const activeLevel = options.pins.activeLevel ?? 1;
		for (const name of OUTPUT_NAMES) {
			const pin = options.pins[name];
			if (pin === undefined) continue;
			const output = options.gpio.openOutput({ pin, mode: "output" });
			this.#players[name] = new PatternPlayer(output, options.timers, activeLevel);
		}
	}

	/** True when this board has the output. */
	has(name: OutputName): boolean {
		return this.#players[name] !== undefined;
	}

	/** Plays `pattern` on `name` for `durationMs` (Infinity: until stopped), replacing what it played. */
	start(name: OutputName, pattern: PatternName, durationMs: number): void {
		this.#players[name]?.play(pattern, durationMs);
	}

	stop(name: OutputName): void {
		this.#players[name]?.stop();
	}

	stopAll(): void {
		for (const name of OUTPUT_NAMES) this.stop(name);
	}

	/** The pattern `name` is playing now, or undefined when it is off or absent. */
	playing(name: OutputName): PatternName | undefined {
		return this.#players[name]?.pattern;
	}

	close(): void {
		for (const name of OUTPUT_NAMES) this.#players[name]?.close();
		this.#players = {};
	}
}
