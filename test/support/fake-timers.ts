/**
 * Deterministic timers for portable cases: time moves only when a case calls `advance`,
 * and callbacks run in due order (ties in scheduling order), as on the device's one task.
 */
import type { TimerCallback, TimerId, Timers } from "picket/core/host-contracts";

interface Scheduled {
	readonly id: number;
	readonly due: number;
	readonly callback: TimerCallback;
}

export class FakeTimers implements Timers {
	#now = 0;
	#nextId = 1;
	#scheduled: Scheduled[] = [];

	now(): number {
		return this.#now;
	}

	setTimeout(callback: TimerCallback, delayMs: number): TimerId {
		const id = this.#nextId++;
		this.#scheduled.push({ id, due: this.#now + Math.max(0, delayMs), callback });
		return id as unknown as TimerId;
	}

	clearTimeout(id: TimerId): void {
		const key = id as unknown as number;
		this.#scheduled = this.#scheduled.filter((entry) => entry.id !== key);
	}

	/** Timers still waiting. */
	get pending(): number {
		return this.#scheduled.length;
	}

	/** Runs the one timer due first if it is due now (one turn of the device's task); true when one ran. */
	step(): boolean {
		let next: Scheduled | undefined;
		for (const entry of this.#scheduled) {
			if (entry.due <= this.#now && (next === undefined || entry.due < next.due || (entry.due === next.due && entry.id < next.id))) next = entry;
		}
		if (next === undefined) return false;
		this.#scheduled = this.#scheduled.filter((entry) => entry !== next);
		next.callback();
		return true;
	}

	/** Runs every timer due within the next `ms` milliseconds, in order, then sets the clock to now + ms. */
	advance(ms: number): void {
		const end = this.#now + ms;
		for (;;) {
			let next: Scheduled | undefined;
			for (const entry of this.#scheduled) {
				if (entry.due <= end && (next === undefined || entry.due < next.due || (entry.due === next.due && entry.id < next.id))) next = entry;
			}
			if (next === undefined) break;
			this.#scheduled = this.#scheduled.filter((entry) => entry !== next);
			this.#now = next.due;
			next.callback();
		}
		this.#now = end;
	}
}
