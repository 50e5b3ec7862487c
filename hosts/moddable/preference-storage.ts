/**
 * The Storage contract over Moddable's Preference (NVS on the ESP32, a file per domain in
 * the Moddable simulator). Values are ArrayBuffers; NVS commits each key atomically, which
 * is the atomic-per-key guarantee host-contracts.ts asks for.
 */
import Preference from "preference";
import { STORAGE_NAME_MAX, STORAGE_VALUE_MAX, type Storage } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";

export type PreferenceStorageErrorCode = "storage-name-too-long" | "storage-value-too-long";

function checkName(domain: string, key?: string): void {
	if (domain.length > STORAGE_NAME_MAX || (key !== undefined && key.length > STORAGE_NAME_MAX)) {
		throw new PicketError<PreferenceStorageErrorCode>("storage-name-too-long", `${domain}/${key ?? ""}`);
	}
}

export const preferenceStorage: Storage = {
	read(domain, key) {
		checkName(domain, key);
		const value = Preference.get(domain, key);
		return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
	},
	write(domain, key, value) {
		checkName(domain, key);
		if (value.length > STORAGE_VALUE_MAX) throw new PicketError<PreferenceStorageErrorCode>("storage-value-too-long", `${value.length} bytes`);
		Preference.set(domain, key, value.slice().buffer as ArrayBuffer);
	},
	delete(domain, key) {
		checkName(domain, key);
		Preference.delete(domain, key);
	},
	keys(domain) {
		checkName(domain);
		return Preference.keys(domain);
	},
};

/** Reads the settings overrides (numbers) a field tool wrote to Preference domain `domain`. */
export function preferenceNumbers(domain: string): Record<string, unknown> | undefined {
	const keys = Preference.keys(domain);
	if (keys.length === 0) return undefined;
	const layer: Record<string, unknown> = {};
	for (const key of keys) layer[key] = Preference.get(domain, key);
	return layer;
}
