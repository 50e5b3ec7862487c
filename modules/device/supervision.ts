/**
 * Supervision of heartbeats (picket/device/heartbeat): which members went silent. The
 * command post runs one over everything its gateways hear; a responder runs one over what
 * it hears itself. A member counts as lost once `lostAfterMissed` whole periods have passed
 * since its last heartbeat (or since supervision started, for one never heard), and found
 * again at its next heartbeat. Time comes from the caller's clock.
 */
export interface SupervisionOptions {
	readonly periodMs: number;
	readonly lostAfterMissed: number;
	/** Members expected to send heartbeats. */
	readonly members: Iterable<number>;
	/** When supervision starts (the caller's clock). */
	readonly now: number;
}

export type SupervisionChange = { readonly member: number; readonly state: "lost" | "found"; readonly lastHeard: number | undefined };

export class Supervision {
	readonly periodMs: number;
	readonly lostAfterMissed: number;
	readonly #since = new Map<number, { heard: number | undefined; from: number; lost: boolean }>();

	constructor(options: SupervisionOptions) {
		if (!(options.periodMs > 0) || !(options.lostAfterMissed >= 1)) throw new RangeError("supervision needs a period and a count of missed heartbeats");
		this.periodMs = options.periodMs;
		this.lostAfterMissed = options.lostAfterMissed;
		for (const member of options.members) this.#since.set(member, { heard: undefined, from: options.now, lost: false });
	}

	/** A heartbeat (or any authentic frame) from `member`; "found" when it had been lost. */
	heard(member: number, now: number): SupervisionChange | undefined {
		const entry = this.#since.get(member);
		if (entry === undefined) {
			this.#since.set(member, { heard: now, from: now, lost: false });
			return undefined;
		}
		const wasLost = entry.lost;
		entry.heard = now;
		entry.from = now;
		entry.lost = false;
		return wasLost ? { member, state: "found", lastHeard: now } : undefined;
	}

	/** Stops supervising `member` (revoked). */
	forget(member: number): void {
		this.#since.delete(member);
	}

	/** Members newly lost at `now`. */
	check(now: number): SupervisionChange[] {
		const changes: SupervisionChange[] = [];
		const limit = this.periodMs * this.lostAfterMissed;
		for (const [member, entry] of this.#since) {
			if (entry.lost || now - entry.from < limit) continue;
			entry.lost = true;
			changes.push({ member, state: "lost", lastHeard: entry.heard });
		}
		return changes;
	}

	isLost(member: number): boolean {
		return this.#since.get(member)?.lost === true;
	}
}
