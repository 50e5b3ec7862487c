/**
 * The GPIO contract, a subset of ECMA-419 `embedded:io/digital` so the ESP32 host can
 * pass Moddable's Digital class through almost untouched and the simulator can offer
 * virtual pins.
 */

export type Edge = "rising" | "falling" | "both";

export interface DigitalInputOptions {
	pin: number | string;
	/** "input", "input-pull-up" or "input-pull-down", as ECMA-419 names the modes. */
	mode: "input" | "input-pull-up" | "input-pull-down";
	edge?: Edge;
	/** Called on an edge; read() gives the level now. */
	onReadable?: () => void;
}

export interface DigitalOutputOptions {
	pin: number | string;
	mode: "output" | "output-open-drain";
}

export interface DigitalInput {
	read(): 0 | 1;
	close(): void;
}

export interface DigitalOutput {
	write(level: 0 | 1): void;
	close(): void;
}

export interface Gpio {
	openInput(options: DigitalInputOptions): DigitalInput;
	openOutput(options: DigitalOutputOptions): DigitalOutput;
}
