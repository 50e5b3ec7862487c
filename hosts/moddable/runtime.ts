/**
 * Pieces every Moddable target shares (ESP32 boards and the Moddable simulator): timers
 * over Timer and Time.ticks, and a logger over trace (serial console / xsbug).
 */
import Time from "time";
import Timer from "timer";
import type { TimerId, Timers } from "picket/core/host-contracts";
import type { Logger } from "picket/device/host-bindings";

/** Time.ticks: milliseconds since boot (wraps after ~49 days of uptime; only differences are used). */
export const moddableTimers: Timers = {
	now: () => Time.ticks,
	setTimeout: (callback, delayMs) => Timer.set(() => callback(), Math.max(0, delayMs)) as unknown as TimerId,
	clearTimeout: (id) => Timer.clear(id as unknown as Timer),
};

export const consoleLogger: Logger = {
	info: (message) => trace(`${message}\n`),
	warn: (message) => trace(`warning: ${message}\n`),
};

