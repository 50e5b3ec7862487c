/**
 * The command post's durable event log: an SQLite database (better-sqlite3) in WAL mode with
 * `synchronous = FULL`, so a transaction that returned is on disk and survives `kill -9` or
 * a power cut of the laptop. The post writes what its gateways report in batches, one
 * transaction per batch (group commit), and tells a gateway how many of its reports are
 * stored only after the commit returned.
 *
 * Schema, by migration (PRAGMA user_version counts the migrations applied; each runs in its
 * own transaction, so a crash mid-migration leaves the previous version):
 *
 * | table      | one row per                                              |
 * |------------|----------------------------------------------------------|
 * | devices    | roster member: role, groups, plan position, last heard, lost, revoked |
 * | epochs     | key epoch the post installed                             |
 * | alerts     | alert (source, sequence, epoch), first gateway and hops  |
 * | receipts   | (device, incident): read / acted / acknowledged / silenced flags |
 * | actions    | operator action: acknowledge, silence, revoke; its state |
 * | outcomes   | what a gateway or device reported about an action        |
 * | events     | everything else worth a line: heartbeats, refusals, lost/found |
 * | rollout_progress | (rollout, device, state): a board reported it installed / confirmed an update (migration 2) |
 */
import Database from "better-sqlite3";
import { PicketError } from "picket/core/picket-error";

export type EventLogErrorCode = "newer-schema" | "bad-database";

const MIGRATIONS: readonly string[] = [
	`CREATE TABLE devices (id INTEGER PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, groups INTEGER NOT NULL, x REAL, y REAL,
		last_heard INTEGER, lost INTEGER NOT NULL DEFAULT 0, revoked_epoch INTEGER);
	CREATE TABLE epochs (epoch INTEGER PRIMARY KEY, members INTEGER NOT NULL, at INTEGER NOT NULL);
	CREATE TABLE alerts (id INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, source INTEGER NOT NULL, sequence INTEGER NOT NULL,
		grp INTEGER NOT NULL, event TEXT NOT NULL, severity INTEGER NOT NULL, incident INTEGER NOT NULL, repeat INTEGER NOT NULL,
		gateway INTEGER NOT NULL, hops INTEGER NOT NULL, at INTEGER NOT NULL, UNIQUE (epoch, source, sequence));
	CREATE INDEX alerts_incident ON alerts (source, incident);
	CREATE TABLE receipts (device INTEGER NOT NULL, origin INTEGER NOT NULL, incident INTEGER NOT NULL, flags INTEGER NOT NULL,
		at INTEGER NOT NULL, PRIMARY KEY (device, origin, incident));
	CREATE TABLE actions (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, origin INTEGER, incident INTEGER,
		target INTEGER, state TEXT NOT NULL, detail TEXT);
	CREATE TABLE outcomes (action INTEGER NOT NULL REFERENCES actions (id), peer INTEGER NOT NULL, outcome TEXT NOT NULL, at INTEGER NOT NULL);
	CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, gateway INTEGER, kind TEXT NOT NULL, device INTEGER, detail TEXT);`,
	`CREATE TABLE rollout_progress (rollout INTEGER NOT NULL, device INTEGER NOT NULL, state TEXT NOT NULL, gateway INTEGER NOT NULL, at INTEGER NOT NULL,
		PRIMARY KEY (rollout, device, state));`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface DeviceRow {
	readonly id: number;
	readonly name: string;
	readonly role: string;
	readonly groups: number;
	readonly x: number | null;
	readonly y: number | null;
	readonly last_heard: number | null;
	readonly lost: number;
	readonly revoked_epoch: number | null;
}

export interface AlertRow {
	readonly id: number;
	readonly epoch: number;
	readonly source: number;
	readonly sequence: number;
	readonly grp: number;
	readonly event: string;
	readonly severity: number;
	readonly incident: number;
	readonly repeat: number;
	readonly gateway: number;
	readonly hops: number;
	readonly at: number;
}

export interface ReceiptRow {
	readonly device: number;
	readonly origin: number;
	readonly incident: number;
	readonly flags: number;
	readonly at: number;
}

export interface ActionRow {
	readonly id: number;
	readonly at: number;
	readonly kind: string;
	readonly origin: number | null;
	readonly incident: number | null;
	readonly target: number | null;
	readonly state: string;
	readonly detail: string | null;
}

export interface NewAlert {
	readonly epoch: number;
	readonly source: number;
	readonly sequence: number;
	readonly group: number;
	readonly event: string;
	readonly severity: number;
	readonly incident: number;
	readonly repeat: number;
	readonly gateway: number;
	readonly hops: number;
	readonly at: number;
}

/** One write the post queues; `flush` commits a batch of them in one transaction. */
export type LogWrite =
	| { readonly kind: "alert"; readonly alert: NewAlert }
	| { readonly kind: "receipt"; readonly receipt: ReceiptRow }
	| { readonly kind: "heard"; readonly device: number; readonly at: number }
	| { readonly kind: "progress"; readonly rollout: number; readonly device: number; readonly state: RolloutState; readonly gateway: number; readonly at: number }
	| { readonly kind: "event"; readonly at: number; readonly gateway: number | undefined; readonly event: string; readonly device: number | undefined; readonly detail: string | undefined };

/** How far a board got with a rollout, as its progress report said. */
export type RolloutState = "installed" | "confirmed";

export interface RolloutProgressRow {
	readonly rollout: number;
	readonly device: number;
	readonly state: RolloutState;
	readonly gateway: number;
	readonly at: number;
}

export class EventLog {
	readonly path: string;
	readonly #db: Database.Database;
	readonly #insertAlert: Database.Statement;
	readonly #upsertReceipt: Database.Statement;
	readonly #heard: Database.Statement;
	readonly #insertEvent: Database.Statement;
	readonly #insertProgress: Database.Statement;

	constructor(path: string) {
		this.path = path;
		try {
			this.#db = new Database(path);
			this.#db.pragma("journal_mode = WAL");
			this.#db.pragma("synchronous = FULL");
			this.#db.pragma("foreign_keys = ON");
			this.#migrate();
		} catch (error) {
			if (error instanceof PicketError) throw error;
			throw new PicketError<EventLogErrorCode>("bad-database", `${path}: ${(error as Error).message}`);
		}
		this.#insertAlert = this.#db.prepare(
			"INSERT OR IGNORE INTO alerts (epoch, source, sequence, grp, event, severity, incident, repeat, gateway, hops, at) VALUES (@epoch, @source, @sequence, @group, @event, @severity, @incident, @repeat, @gateway, @hops, @at)",
		);
		this.#upsertReceipt = this.#db.prepare(
			"INSERT INTO receipts (device, origin, incident, flags, at) VALUES (@device, @origin, @incident, @flags, @at) ON CONFLICT (device, origin, incident) DO UPDATE SET flags = flags | excluded.flags, at = excluded.at",
		);
		this.#heard = this.#db.prepare("UPDATE devices SET last_heard = ?, lost = 0 WHERE id = ?");
		this.#insertEvent = this.#db.prepare("INSERT INTO events (at, gateway, kind, device, detail) VALUES (?, ?, ?, ?, ?)");
		this.#insertProgress = this.#db.prepare("INSERT OR IGNORE INTO rollout_progress (rollout, device, state, gateway, at) VALUES (@rollout, @device, @state, @gateway, @at)");
	}

	#migrate(): void {
		const version = this.#db.pragma("user_version", { simple: true }) as number;
		if (version > MIGRATIONS.length) throw new PicketError<EventLogErrorCode>("newer-schema", `${this.path} has schema ${version}; this post knows ${MIGRATIONS.length}`);
		for (let next = version; next < MIGRATIONS.length; next++) {
			this.#db.transaction(() => {
				this.#db.exec(MIGRATIONS[next]);
				this.#db.pragma(`user_version = ${next + 1}`);
			})();
		}
	}

	get schemaVersion(): number {
		return this.#db.pragma("user_version", { simple: true }) as number;
	}

	/** Commits `writes` in one transaction; returns the ids of alerts new to the log (a duplicate from a second gateway has none). */
	commit(writes: readonly LogWrite[]): (number | undefined)[] {
		return this.#db.transaction(() =>
			writes.map((write) => {
				switch (write.kind) {
					case "alert": {
						const result = this.#insertAlert.run(write.alert);
						return result.changes === 1 ? Number(result.lastInsertRowid) : undefined;
					}
					case "receipt":
						this.#upsertReceipt.run(write.receipt);
						return undefined;
					case "heard":
						this.#heard.run(write.at, write.device);
						return undefined;
					case "event":
						this.#insertEvent.run(write.at, write.gateway ?? null, write.event, write.device ?? null, write.detail ?? null);
						return undefined;
					case "progress": {
						// 1 when new: a board's repeated report is stored once.
						const row = { rollout: write.rollout, device: write.device, state: write.state, gateway: write.gateway, at: write.at };
						return this.#insertProgress.run(row).changes === 1 ? 1 : undefined;
					}
				}
			}),
		)();
	}

	/** Registers the roster's members (kept when known: positions may have been entered by the operator). */
	upsertDevices(devices: readonly { id: number; name: string; role: string; groups: number; x?: number; y?: number }[]): void {
		const statement = this.#db.prepare(
			"INSERT INTO devices (id, name, role, groups, x, y) VALUES (@id, @name, @role, @groups, @x, @y) ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, groups = excluded.groups, x = COALESCE(excluded.x, x), y = COALESCE(excluded.y, y)",
		);
		this.#db.transaction(() => {
			for (const device of devices) statement.run({ ...device, x: device.x ?? null, y: device.y ?? null });
		})();
	}

	setLost(device: number, lost: boolean): void {
		this.#db.prepare("UPDATE devices SET lost = ? WHERE id = ?").run(lost ? 1 : 0, device);
	}

	recordEpoch(epoch: number, members: number, at: number, revoked?: number): void {
		this.#db.transaction(() => {
			this.#db.prepare("INSERT OR IGNORE INTO epochs (epoch, members, at) VALUES (?, ?, ?)").run(epoch, members, at);
			if (revoked !== undefined) this.#db.prepare("UPDATE devices SET revoked_epoch = ? WHERE id = ?").run(epoch, revoked);
		})();
	}

	addAction(action: { at: number; kind: string; origin?: number; incident?: number; target?: number; detail?: string }): number {
		const result = this.#db
			.prepare("INSERT INTO actions (at, kind, origin, incident, target, state, detail) VALUES (?, ?, ?, ?, ?, 'requested', ?)")
			.run(action.at, action.kind, action.origin ?? null, action.incident ?? null, action.target ?? null, action.detail ?? null);
		return Number(result.lastInsertRowid);
	}

	setActionState(id: number, state: string, detail?: string): void {
		this.#db.prepare("UPDATE actions SET state = ?, detail = COALESCE(?, detail) WHERE id = ?").run(state, detail ?? null, id);
	}

	addOutcome(action: number, peer: number, outcome: string, at: number): void {
		this.#db.prepare("INSERT INTO outcomes (action, peer, outcome, at) VALUES (?, ?, ?, ?)").run(action, peer, outcome, at);
	}

	devices(): DeviceRow[] {
		return this.#db.prepare("SELECT * FROM devices ORDER BY id").all() as DeviceRow[];
	}

	alerts(limit = 200): AlertRow[] {
		return this.#db.prepare("SELECT * FROM alerts ORDER BY id DESC LIMIT ?").all(limit) as AlertRow[];
	}

	alert(id: number): AlertRow | undefined {
		return this.#db.prepare("SELECT * FROM alerts WHERE id = ?").get(id) as AlertRow | undefined;
	}

	receipts(origin: number, incident: number): ReceiptRow[] {
		return this.#db.prepare("SELECT * FROM receipts WHERE origin = ? AND incident = ? ORDER BY device").all(origin, incident) as ReceiptRow[];
	}

	allReceipts(): ReceiptRow[] {
		return this.#db.prepare("SELECT * FROM receipts ORDER BY at DESC LIMIT 500").all() as ReceiptRow[];
	}

	actions(): ActionRow[] {
		return this.#db.prepare("SELECT * FROM actions ORDER BY id DESC").all() as ActionRow[];
	}

	action(id: number): ActionRow | undefined {
		return this.#db.prepare("SELECT * FROM actions WHERE id = ?").get(id) as ActionRow | undefined;
	}

	outcomes(action: number): { peer: number; outcome: string; at: number }[] {
		return this.#db.prepare("SELECT peer, outcome, at FROM outcomes WHERE action = ? ORDER BY rowid").all(action) as { peer: number; outcome: string; at: number }[];
	}

	epoch(): number | undefined {
		return (this.#db.prepare("SELECT MAX(epoch) AS epoch FROM epochs").get() as { epoch: number | null }).epoch ?? undefined;
	}

	events(kind?: string, limit = 200): { id: number; at: number; gateway: number | null; kind: string; device: number | null; detail: string | null }[] {
		const rows = kind === undefined ? this.#db.prepare("SELECT * FROM events ORDER BY id DESC LIMIT ?").all(limit) : this.#db.prepare("SELECT * FROM events WHERE kind = ? ORDER BY id DESC LIMIT ?").all(kind, limit);
		return rows as { id: number; at: number; gateway: number | null; kind: string; device: number | null; detail: string | null }[];
	}

	/** What boards reported of `rollout` (every rollout when absent), oldest first. */
	rolloutProgress(rollout?: number): RolloutProgressRow[] {
		const rows = rollout === undefined ? this.#db.prepare("SELECT * FROM rollout_progress ORDER BY at, rowid").all() : this.#db.prepare("SELECT * FROM rollout_progress WHERE rollout = ? ORDER BY at, rowid").all(rollout);
		return rows as RolloutProgressRow[];
	}

	count(table: "alerts" | "events" | "receipts" | "actions" | "rollout_progress"): number {
		return (this.#db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
	}

	close(): void {
		this.#db.close();
	}
}
