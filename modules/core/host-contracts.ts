/**
 * The small contracts a host gives the portable modules: time, timers, randomness and
 * persistent storage. The ESP32 host backs them with Moddable's Timer, the PSA RNG and
 * Preference (NVS); the host simulator with a virtual clock, a seeded generator and memory.
 */

/** Milliseconds on a monotonic clock that starts at an arbitrary origin. Never wall time. */
export interface Clock {
	now(): number;
}

export type TimerCallback = () => void;

export interface TimerId {
	readonly __timer: unique symbol;
}

/** One-shot timers. Callbacks run later on the same task, never re-entrantly. */
export interface Timers extends Clock {
	setTimeout(callback: TimerCallback, delayMs: number): TimerId;
	clearTimeout(id: TimerId): void;
}

/**
 * Key-value storage shaped like Moddable's Preference: a domain (≤ 15 chars) holds keys
 * (≤ 15 chars) whose values are ≤ 4,000 bytes. `write` is atomic per key: after a power
 * cut the key holds the old or the new value, never a mix.
 */
export interface Storage {
	read(domain: string, key: string): Uint8Array | undefined;
	write(domain: string, key: string, value: Uint8Array): void;
	delete(domain: string, key: string): void;
	keys(domain: string): string[];
}

/** Preference's limits, which every Storage implementation enforces so that the simulator catches what the device would refuse. */
export const STORAGE_NAME_MAX = 15;
export const STORAGE_VALUE_MAX = 4000;
