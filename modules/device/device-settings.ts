/**
 * A device's tunable behaviour: sensor timing, button gestures, alert repetition and how
 * long outputs run. Three layers, later ones win, each validated field by field:
 *
 *   1. `ROLE_DEFAULTS[role]` below — what a role does out of the box;
 *   2. the manifest's `config.picket.settings` — per board, fixed at build time;
 *   3. Preference domain `SETTINGS_DOMAIN` — per unit, changed in the field without a rebuild
 *      (stack-chan's pattern: manifest config, overridden at run time from Preference).
 *
 * Every key is ≤ 15 characters so it can be a Preference key as it is (NVS limit).
 */
import { PicketError } from "picket/core/picket-error";
import { MAX_TTL } from "picket/link/alert-frame";
import { DEFAULT_INITIAL_TTL } from "picket/link/secure-link";

/** The roster's roles (the same strings as `picket/provisioning/roster`). */
export type DeviceRole = "sensor" | "alarm" | "responder" | "relay" | "gateway";
export const DEVICE_ROLES: readonly DeviceRole[] = ["sensor", "alarm", "responder", "relay", "gateway"];

/** The Preference domain the ESP32 and Moddable-simulator hosts read overrides from. */
export const SETTINGS_DOMAIN = "picket-cfg";

export interface DeviceSettings {
	/** Authorisation group this device sends its alerts to (0..31). */
	readonly alertGroup: number;
	/** A PIR or button level must hold this long to count (contact bounce, PIR glitches). */
	readonly debounceMs: number;
	/** After reporting motion, further motion is not reported for this long. */
	readonly holdOffMs: number;
	/** Motion reported within this long of the previous report is a re-trigger (its count grows). */
	readonly retriggerMs: number;
	/** Holding the panic button this long raises the alert's severity. */
	readonly longPressMs: number;
	/** A second press within this long of releasing the first cancels the alert. */
	readonly cancelWindowMs: number;
	/** Delay before the first repeat of an unacknowledged alert. */
	readonly repeatFirstMs: number;
	/** Each later repeat waits this many times longer than the one before… */
	readonly backoffFactor: number;
	/** …but never longer than this. */
	readonly backoffMaxMs: number;
	/** Repeats after the first send; 0 sends once. */
	readonly repeatLimit: number;
	/**
	 * Sends an incident always gets, acknowledged or not (capped by repeatLimit + 1): one
	 * neighbour's acknowledgement says nothing about devices behind a relay that lost the
	 * first copy, and a repeat costs one 23-byte frame that relays dedupe.
	 */
	readonly minimumSends: number;
	/**
	 * A responder acknowledges at once an alert that reached it within this many hops; from
	 * farther it acknowledges only a send beyond the origin's `minimumSends`, which proves
	 * nobody nearer did. An acknowledgement crosses the mesh (picket/link/mesh-link), so in a
	 * large domain a thousand responders acknowledging every alert would jam the channel.
	 */
	readonly acknowledgeHops: number;
	/** How long a responder's siren and light run for one alert unless silenced. */
	readonly sirenMs: number;
	/** How long a personal alarm vibrates for one alert. */
	readonly vibrateMs: number;
	/** Hops an alert this device originates may travel (the TTL it starts with); a domain-wide choice in practice. */
	readonly initialTtl: number;
	/**
	 * Period of the supervision heartbeat (picket/device/heartbeat), 0 = none. A board's
	 * manifest sets it per role; the command post and the responders report a device lost
	 * after `lostAfterMissed` periods without one.
	 */
	readonly heartbeatMs: number;
	/** Heartbeat periods missed before a device counts as lost. */
	readonly lostAfterMissed: number;
	/**
	 * 1: this board passes a firmware rollout on to the boards around it (picket/update/
	 * rollout-agent `serves`), as relays carry alerts; 0: it only takes the image for itself.
	 * On by default where a board is powered and placed to cover the site (relays, gateways,
	 * responders); off on battery sensors and personal alarms, whose radio time is their battery.
	 */
	readonly servesUpdates: number;
}

export type SettingName = keyof DeviceSettings;

/** Valid range of each setting, inclusive; all are integers except `backoffFactor`. */
const RANGES: { readonly [Name in SettingName]: readonly [min: number, max: number, integer: boolean] } = {
	alertGroup: [0, 31, true],
	debounceMs: [0, 1_000, true],
	holdOffMs: [0, 600_000, true],
	retriggerMs: [0, 3_600_000, true],
	longPressMs: [200, 10_000, true],
	cancelWindowMs: [100, 5_000, true],
	repeatFirstMs: [50, 60_000, true],
	backoffFactor: [1, 8, false],
	backoffMaxMs: [50, 600_000, true],
	repeatLimit: [0, 50, true],
	minimumSends: [1, 51, true],
	acknowledgeHops: [1, MAX_TTL + 1, true],
	sirenMs: [0, 3_600_000, true],
	vibrateMs: [0, 600_000, true],
	initialTtl: [0, MAX_TTL, true],
	heartbeatMs: [0, 3_600_000, true],
	lostAfterMissed: [1, 100, true],
	servesUpdates: [0, 1, true],
};

export const SETTING_NAMES: readonly SettingName[] = Object.keys(RANGES) as SettingName[];

const COMMON: DeviceSettings = {
	alertGroup: 0,
	debounceMs: 50,
	holdOffMs: 10_000,
	retriggerMs: 60_000,
	longPressMs: 1_500,
	cancelWindowMs: 600,
	repeatFirstMs: 500,
	backoffFactor: 2,
	backoffMaxMs: 8_000,
	repeatLimit: 6,
	minimumSends: 3,
	acknowledgeHops: 4,
	sirenMs: 60_000,
	vibrateMs: 3_000,
	initialTtl: DEFAULT_INITIAL_TTL,
	heartbeatMs: 0,
	lostAfterMissed: 3,
	servesUpdates: 0,
};

/**
 * Out-of-the-box behaviour per role. A PIR's output stays high for seconds, so its
 * debounce is longer than a button's; a panic alert is repeated more and sooner because
 * a person is waiting; relays originate nothing, so their repeat settings are unused.
 */
export const ROLE_DEFAULTS: { readonly [Role in DeviceRole]: DeviceSettings } = {
	sensor: { ...COMMON, debounceMs: 100, repeatLimit: 4, repeatFirstMs: 1_000 },
	alarm: { ...COMMON, debounceMs: 30, repeatLimit: 10, repeatFirstMs: 300 },
	responder: { ...COMMON, debounceMs: 30, servesUpdates: 1 },
	relay: { ...COMMON, repeatLimit: 0, servesUpdates: 1 },
	gateway: { ...COMMON, repeatLimit: 0, servesUpdates: 1 },
};

export type SettingsErrorCode = "bad-setting" | "unknown-setting" | "bad-role";

export function isDeviceRole(value: unknown): value is DeviceRole {
	return typeof value === "string" && (DEVICE_ROLES as readonly string[]).includes(value);
}

/**
 * Checks one layer (manifest config or Preference): a plain object whose keys are setting
 * names and whose values are numbers in range. Throws PicketError "unknown-setting" or
 * "bad-setting" naming the field, so a typo in the field never passes silently.
 */
export function validateSettingsLayer(layer: unknown, origin: string): Partial<DeviceSettings> {
	if (layer === undefined || layer === null) return {};
	if (typeof layer !== "object" || Array.isArray(layer)) throw new PicketError<SettingsErrorCode>("bad-setting", `${origin}: not an object`);
	const checked: { [Name in SettingName]?: number } = {};
	for (const [name, value] of Object.entries(layer as Record<string, unknown>)) {
		if (!(name in RANGES)) throw new PicketError<SettingsErrorCode>("unknown-setting", `${origin}: ${name}`);
		const [min, max, integer] = RANGES[name as SettingName];
		if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
			throw new PicketError<SettingsErrorCode>("bad-setting", `${origin}: ${name} = ${String(value)} (expected ${integer ? "an integer " : ""}in ${min}..${max})`);
		}
		checked[name as SettingName] = value;
	}
	return checked;
}

/** Defaults of `role`, then the manifest layer, then the Preference layer; throws on the first invalid field. */
export function resolveSettings(role: DeviceRole, manifestLayer?: unknown, preferenceLayer?: unknown): DeviceSettings {
	if (!isDeviceRole(role)) throw new PicketError<SettingsErrorCode>("bad-role", String(role));
	const settings: DeviceSettings = {
		...ROLE_DEFAULTS[role],
		...validateSettingsLayer(manifestLayer, "manifest config"),
		...validateSettingsLayer(preferenceLayer, "preference"),
	};
	if (settings.backoffMaxMs < settings.repeatFirstMs) {
		throw new PicketError<SettingsErrorCode>("bad-setting", `backoffMaxMs (${settings.backoffMaxMs}) < repeatFirstMs (${settings.repeatFirstMs})`);
	}
	return settings;
}

/**
 * Delay before repeat number `repeat` (1-based):
 * min(repeatFirstMs × backoffFactor^(repeat − 1), backoffMaxMs), rounded to the millisecond.
 */
export function repeatDelay(settings: DeviceSettings, repeat: number): number {
	const delay = settings.repeatFirstMs * Math.pow(settings.backoffFactor, repeat - 1);
	return Math.round(Math.min(delay, settings.backoffMaxMs));
}
