/**
 * Moddable's `preference` module for the simulator, one store per instance. The SDK's lin
 * Preference (modules/files/preference/lin/preference.js) keeps every simulator window's
 * values in one /tmp/modpreferences.json; this module keeps the same JSON in the instance's
 * own folder (instance.ts: PICKET_SIM_HOME), so two windows are two devices.
 *
 * File `<home>/preferences.json`, the SDK's layout, so its tools and ours read either:
 *   { "<domain>": { "<key>": <string | number | boolean> | { "buffer": "<byte>,<byte>,…" } } }
 * A change is written to `preferences.json.new`, then renamed over the file (POSIX rename is
 * atomic), so a killed simulator leaves the old store or the new one, never half of one.
 */
import { Directory, File } from "file";
import { simulatorInstance } from "picket/hosts/moddable-sim/instance";

type StoredValue = string | number | boolean | { buffer: string };
type Store = Record<string, Record<string, StoredValue>>;
type Value = string | boolean | number | ArrayBuffer;

const STORE_FILE = "preferences.json";

let cache: Store | undefined;

function storePath(): string {
	return simulatorInstance().home + STORE_FILE;
}

function load(): Store {
	if (cache !== undefined) return cache;
	cache = {};
	const path = storePath();
	if (File.exists(path)) {
		const file = new File(path);
		try {
			const parsed: unknown = JSON.parse(file.read(String));
			if (typeof parsed === "object" && parsed !== null) cache = parsed as Store;
		} finally {
			file.close();
		}
	}
	return cache;
}

function save(store: Store): void {
	const home = simulatorInstance().home;
	Directory.create(home.slice(0, -1));
	const aside = `${home}${STORE_FILE}.new`;
	if (File.exists(aside)) File.delete(aside);
	const file = new File(aside, true);
	try {
		file.write(JSON.stringify(store));
	} finally {
		file.close();
	}
	if (!File.rename(aside, storePath())) throw new Error(`preference: cannot rename ${aside}`);
}

const Preference = {
	set(domain: string, key: string, value: Value): void {
		const store = load();
		const domainValues = (store[domain] ??= {});
		domainValues[key] = value instanceof ArrayBuffer ? { buffer: new Uint8Array(value).join(",") } : value;
		save(store);
	},
	get(domain: string, key: string): Value | undefined {
		const value = load()[domain]?.[key];
		if (typeof value !== "object") return value;
		return value.buffer === "" ? new ArrayBuffer(0) : Uint8Array.from(value.buffer.split(","), Number).buffer;
	},
	delete(domain: string, key: string): void {
		const store = load();
		const domainValues = store[domain];
		if (domainValues?.[key] === undefined) return;
		delete domainValues[key];
		if (Object.keys(domainValues).length === 0) delete store[domain];
		save(store);
	},
	keys(domain: string): string[] {
		const domainValues = load()[domain];
		return domainValues === undefined ? [] : Object.keys(domainValues);
	},
};

export default Preference;
