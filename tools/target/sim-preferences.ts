/**
 * The Preference store of one Moddable simulator instance: `<home>/preferences.json`, in the
 * layout of hosts/moddable-sim/preference.ts (the SDK's lin Preference layout):
 *
 *   { "<domain>": { "<key>": <number> | { "buffer": "<byte>,<byte>,…" } } }
 *
 * Written aside and renamed, so the instance finds the old store or the new one.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PicketError } from "picket/core/picket-error";
import type { CommandErrorCode } from "picket/tools/cli/command-group";
import { writeFileAtomically } from "picket/tools/cli/write-atomically";
import type { TargetEntry } from "picket/tools/target/device-preferences";

export const SIM_PREFERENCES_FILE = "preferences.json";

type StoredValue = string | number | boolean | { buffer: string };
type Store = Record<string, Record<string, StoredValue>>;

/** The store of the instance folder `home` as JSON text with `entries` set; other domains are kept, the entries' domains replaced. */
export function simPreferences(existing: Store, entries: readonly TargetEntry[]): Store {
	const store: Store = { ...existing };
	for (const domain of new Set(entries.map((entry) => entry.domain))) store[domain] = {};
	for (const { domain, key, value } of entries) store[domain]![key] = typeof value === "number" ? value : { buffer: Array.from(value).join(",") };
	return store;
}

/** Writes `entries` into the instance folder `home` (created if missing); returns the file written. */
export function writeSimPreferences(home: string, entries: readonly TargetEntry[]): string {
	const path = join(home, SIM_PREFERENCES_FILE);
	let existing: Store = {};
	if (existsSync(path)) {
		try {
			existing = JSON.parse(readFileSync(path, "utf8")) as Store;
		} catch (error) {
			throw new PicketError<CommandErrorCode>("io", `${path} is not a Preference store (${(error as Error).message}); remove it first`);
		}
	}
	mkdirSync(home, { recursive: true });
	writeFileAtomically(path, JSON.stringify(simPreferences(existing, entries)), { mode: 0o600 });
	return path;
}
