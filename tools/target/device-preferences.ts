/**
 * What a device's Preference holds after provisioning, computed by the firmware's own code
 * so that a target written by a tool is byte for byte what the device would have written
 * itself: the keystore (picket/provisioning/keystore) stores the bundle through the
 * power-safe layer (picket/core/power-safe-storage: its records, `bundle.a.0~a`, …), and
 * the settings overrides are plain numbers in Preference domain SETTINGS_DOMAIN, as
 * hosts/moddable/preference-storage reads them.
 *
 * The result is a list of raw Preference entries (domain, key, value) that a target writer
 * turns into its own format: the simulator's preferences.json (sim-preferences.ts) or an
 * ESP-IDF NVS partition image (nvs-image.ts).
 */
import { PicketError } from "picket/core/picket-error";
import { type DeviceRole, SETTINGS_DOMAIN, validateSettingsLayer } from "picket/device/device-settings";
import { type PreferenceEntry, preferenceEntries } from "picket/core/power-safe-storage";
import { type DeviceCredentials, storeBundle } from "picket/provisioning/keystore";
import { pinUpdateAnchor } from "picket/update/update-anchor";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

/** One Preference entry a target holds: a power-safe record (an ArrayBuffer on the device, an NVS blob) or a settings override (an integer, NVS i32). */
export type TargetEntry = PreferenceEntry | { readonly domain: string; readonly key: string; readonly value: number };

export type DevicePreferencesErrorCode = "wrong-role" | "bad-setting";

export interface DevicePreferencesOptions {
	/** The role the target was built as; the bundle's roster entry must agree (device-node's "role-mismatch"). */
	readonly role: DeviceRole;
	/** Settings overrides for Preference domain SETTINGS_DOMAIN, checked as the device checks them. */
	readonly settings?: Readonly<Record<string, number>>;
	/** The domain's update key (65-byte SEC1 point), pinned as the board's update anchor (modules/update/update-anchor.ts). */
	readonly updateKey?: Uint8Array;
}

/**
 * The Preference entries of a device provisioned with `bundle`. Throws the keystore's
 * PicketError codes for a bundle the device would refuse, "wrong-role" when the roster
 * gives the device another role, "bad-setting" for a setting the device would ignore or
 * that Preference cannot hold (on the ESP32 it keeps integers only).
 */
export function devicePreferences(bundle: Uint8Array, options: DevicePreferencesOptions): TargetEntry[] {
	let stored: DeviceCredentials | undefined;
	const entries: TargetEntry[] = preferenceEntries((storage) => {
		stored = storeBundle(storage, bundle, createNodeCryptoSuite());
		if (options.updateKey !== undefined) pinUpdateAnchor(storage, options.updateKey);
	});
	const credentials = stored!;
	if (credentials.self.role !== options.role) {
		throw new PicketError<DevicePreferencesErrorCode>("wrong-role", `the bundle is for device ${credentials.deviceId} as ${credentials.self.role}, the target is built as ${options.role}`);
	}
	const settings = options.settings ?? {};
	try {
		validateSettingsLayer(settings, SETTINGS_DOMAIN);
	} catch (error) {
		if (error instanceof PicketError) throw new PicketError<DevicePreferencesErrorCode>("bad-setting", error.message);
		throw error;
	}
	for (const [name, value] of Object.entries(settings)) {
		// Moddable's ESP32 Preference stores a number as an NVS i32 and refuses a fraction ("float unsupported").
		if (!Number.isInteger(value)) throw new PicketError<DevicePreferencesErrorCode>("bad-setting", `${name} = ${value}: Preference keeps integers only`);
	}
	for (const [name, value] of Object.entries(settings)) entries.push({ domain: SETTINGS_DOMAIN, key: name, value });
	return entries;
}
