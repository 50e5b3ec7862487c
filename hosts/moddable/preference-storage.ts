/**
 * The Storage contract over Moddable's Preference (NVS on the ESP32, one JSON file in the
 * Moddable simulator). Preference.set erases a key before writing it, so a power cut can
 * lose the key: the power-safe layer (picket/core/power-safe-storage, where the SDK's lines
 * are cited) keeps two records per key and gives Storage its atomic writes. Preference
 * itself has the shape the layer asks for, so it is passed as it is.
 */
import Preference from "preference";
import type { Storage } from "picket/core/host-contracts";
import { PowerSafeStorage } from "picket/core/power-safe-storage";

export const preferenceStorage: Storage = new PowerSafeStorage(Preference);

/**
 * Reads the settings overrides (numbers) a field tool wrote to Preference domain `domain`,
 * one plain number per setting name, not through the power-safe layer: a setting lost to a
 * cut while a tool writes it falls back to the board manifest's value, which is valid and
 * safe (device-settings.ts validates every value), and field tools write plain numbers.
 */
export function preferenceNumbers(domain: string): Record<string, unknown> | undefined {
	const keys = Preference.keys(domain);
	if (keys.length === 0) return undefined;
	const layer: Record<string, unknown> = {};
	for (const key of keys) layer[key] = Preference.get(domain, key);
	return layer;
}
