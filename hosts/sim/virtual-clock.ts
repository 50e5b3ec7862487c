/**
 * A discrete-event scheduler: one global queue of events ordered by (time, insertion
 * sequence), so a run is deterministic and 1,000+ simulated devices run as fast as the host
 * can execute their callbacks, not in real time. Each device gets its own `Timers` view
 * (the contract of picket/core/host-contracts) that can be switched off when the device
 * loses power, dropping every timer it had pending.
 *
 * Time is in milliseconds, as a float: the medium schedules sub-millisecond airtimes.
 */
import type { TimerCallback, TimerId, Timers } from "picket/core/host-contracts";

/** One scheduled callback. Cancelled events stay in the heap and are skipped when popped. */
export interface ScheduledEvent {
	readonly time: number;
	readonly sequence: number;
	callback: TimerCallback | undefined;
	readonly owner: DeviceTimers | undefined;
	/** The owner's power cycle it was set in: a power cut since then cancelled it. */
	readonly powerCycle: number;
}

function earlier(a: ScheduledEvent, b: ScheduledEvent): boolean {
	return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
}

/** A binary min-heap of events; written out because the order must be the same on every engine. */
class EventHeap {
	readonly #items: ScheduledEvent[] = [];

	get size(): number {
		return this.#items.length;
	}

	peek(): ScheduledEvent | undefined {
		return this.#items[0];
	}

	push(event: ScheduledEvent): void {
		const items = this.#items;
		let index = items.length;
		items.push(event);
		while (index > 0) {
			const parent = (index - 1) >> 1;
			if (!earlier(event, items[parent])) break;
			items[index] = items[parent];
			index = parent;
		}
		items[index] = event;
	}

	pop(): ScheduledEvent | undefined {
		const items = this.#items;
		const top = items[0];
		const last = items.pop();
		if (items.length === 0 || last === undefined) return top;
		let index = 0;
		const length = items.length;
		for (;;) {
			const left = 2 * index + 1;
			if (left >= length) break;
			const right = left + 1;
			const child = right < length && earlier(items[right], items[left]) ? right : left;
			if (!earlier(items[child], last)) break;
			items[index] = items[child];
			index = child;
		}
		items[index] = last;
		return top;
	}
}

/** Not cancelled, and not set before a power cut of its owner. */
function isLive(event: ScheduledEvent): boolean {
	return event.callback !== undefined && (event.owner === undefined || event.powerCycle === event.owner.powerCycle);
}

export class VirtualClock {
	readonly #queue = new EventHeap();
	#now = 0;
	#sequence = 0;
	#executed = 0;

	/** Virtual milliseconds since the start of the run. */
	now(): number {
		return this.#now;
	}

	/** Events run so far (a measure of simulation work). */
	get executed(): number {
		return this.#executed;
	}

	/** Events waiting, including cancelled ones not yet popped. */
	get pending(): number {
		return this.#queue.size;
	}

	/** Schedules `callback` at now + delay (a negative or NaN delay counts as 0). */
	schedule(callback: TimerCallback, delayMs: number, owner?: DeviceTimers): ScheduledEvent {
		const delay = delayMs > 0 ? delayMs : 0;
		const event: ScheduledEvent = { time: this.#now + delay, sequence: this.#sequence++, callback, owner, powerCycle: owner?.powerCycle ?? 0 };
		this.#queue.push(event);
		return event;
	}

	/** Schedules at an absolute virtual time (clamped to now). */
	scheduleAt(callback: TimerCallback, time: number): ScheduledEvent {
		return this.schedule(callback, time - this.#now);
	}

	cancel(event: ScheduledEvent): void {
		event.callback = undefined;
	}

	/** Time of the next live event, or undefined when none is left. */
	nextTime(): number | undefined {
		for (;;) {
			const next = this.#queue.peek();
			if (next === undefined) return undefined;
			if (isLive(next)) return next.time;
			this.#queue.pop();
		}
	}

	/** Runs the next live event; false when none is left. */
	step(): boolean {
		for (;;) {
			const event = this.#queue.pop();
			if (event === undefined) return false;
			const callback = event.callback;
			if (callback === undefined || !isLive(event)) continue;
			event.callback = undefined;
			event.owner?.forget(event);
			this.#now = event.time;
			this.#executed++;
			callback();
			return true;
		}
	}

	/** Runs every event due at or before `time`, then sets the clock to `time`. */
	runUntil(time: number): void {
		for (;;) {
			const next = this.#queue.peek();
			if (next === undefined || next.time > time) break;
			this.step();
		}
		if (time > this.#now) this.#now = time;
	}

	/** Runs until the queue is empty or `maxEvents` have run; returns the number run. */
	runUntilIdle(maxEvents = Number.POSITIVE_INFINITY): number {
		let count = 0;
		while (count < maxEvents && this.step()) count++;
		return count;
	}

	/** A device's view of this clock, implementing the Timers contract. */
	timersFor(label: string): DeviceTimers {
		return new DeviceTimers(this, label);
	}
}

/**
 * The Timers a device sees. `powerOff()` cancels every pending timer and makes later
 * `setTimeout`s no-ops until `powerOn()`: a power cut loses RAM, and timers with it.
 */
export class DeviceTimers implements Timers {
	readonly label: string;
	readonly #clock: VirtualClock;
	/** Timers set and neither fired nor cleared, in this power cycle. */
	#pending = 0;
	/** Counts power cuts: events set before the latest one are dead (isLive), without a list of them to walk. */
	#powerCycle = 0;
	#powered = true;

	constructor(clock: VirtualClock, label: string) {
		this.#clock = clock;
		this.label = label;
	}

	now(): number {
		return this.#clock.now();
	}

	get powered(): boolean {
		return this.#powered;
	}

	get powerCycle(): number {
		return this.#powerCycle;
	}

	setTimeout(callback: TimerCallback, delayMs: number): TimerId {
		const event = this.#clock.schedule(callback, delayMs, this);
		if (this.#powered) this.#pending++;
		else this.#clock.cancel(event);
		return event as unknown as TimerId;
	}

	clearTimeout(id: TimerId): void {
		const event = id as unknown as ScheduledEvent;
		if (event.owner !== this || event.callback === undefined || event.powerCycle !== this.#powerCycle) return;
		this.#clock.cancel(event);
		this.#pending--;
	}

	/** Called by the clock when one of this device's events runs. */
	forget(event: ScheduledEvent): void {
		if (event.powerCycle === this.#powerCycle) this.#pending--;
	}

	/** Timers still waiting to fire. */
	get pending(): number {
		return this.#pending;
	}

	powerOff(): void {
		this.#powered = false;
		this.#powerCycle++;
		this.#pending = 0;
	}

	powerOn(): void {
		this.#powered = true;
	}
}
