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
 * (≤ 13 chars) whose values are ≤ 3,991 bytes. `write` is atomic per key: after a power
 * cut at any instant the key holds the old or the new value, never a mix and never
 * nothing. On a device and in the simulators this is power-safe-storage.ts over
 * Preference, whose own writes are not atomic (they erase, then write).
 */
export interface Storage {
	/** The newest intact value of the key; undefined when none is (see `inspect` to tell "never written" from "damaged"). */
	read(domain: string, key: string): Uint8Array | undefined;
	write(domain: string, key: string, value: Uint8Array): void;
	delete(domain: string, key: string): void;
	/** The keys that hold something, intact or not (so that a caller can delete what it finds). */
	keys(domain: string): string[];
	/** What `read` returns, and how sure storage is that it is the last value written. */
	inspect(domain: string, key: string): StoredValue;
}

/**
 * A key's state as storage can know it after any number of power cuts:
 * - `absent`: nothing stored (never written, or deleted);
 * - `latest`: the last value written, for certain;
 * - `latest-or-previous`: the last value written, or the one before it if the newest
 *   record was damaged after it was written (a power cut alone never does that, but a
 *   caller for whom one step back is unsafe, the sequence counter, must allow for it);
 * - `first-value-lost`: no value, and no write since the key was created or deleted
 *   completed but, perhaps, the last one, whose record was then damaged: whatever was lost
 *   is what the caller writes first to an empty key;
 * - `damaged`: no value, and more than one was written: flash damage, never a cut alone.
 */
export type StoredValue =
	| { readonly state: "absent" | "first-value-lost" | "damaged" }
	| { readonly state: "latest" | "latest-or-previous"; readonly value: Uint8Array };

/**
 * Storage's limits: Preference's (names ≤ 15 characters, values ≤ 4,000 bytes, Moddable's
 * documentation/files/files.md) less what power-safe-storage.ts adds to each entry: a
 * 2-character slot suffix on the key, a 9-byte header and check value on the value.
 * Every Storage implementation enforces them, so the simulator refuses what a device would.
 */
export const STORAGE_DOMAIN_MAX = 15;
export const STORAGE_KEY_MAX = 13;
export const STORAGE_VALUE_MAX = 3991;
