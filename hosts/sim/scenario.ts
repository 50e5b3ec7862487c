/**
 * Scenarios: what a simulated domain looks like and what happens in it, as a JSON file a
 * user can write (hosts/sim/scenarios/default.json is the example), and its validation.
 * Validation turns any mistake into a PicketError<"bad-scenario"> whose message names the
 * JSON path at fault ("devices[3].role: expected one of sensor, alarm, responder, relay").
 *
 * ```json
 * {
 *   "name": "two wings and a bridge",
 *   "durationMs": 15000,
 *   "medium": { "rangeM": 50, "lossProbability": 0.05, "latencyMs": 2, "jitterMs": 2 },
 *   "groups": ["intrusion", "panic"],
 *   "devices": [
 *     { "name": "pir-hall", "role": "sensor", "groups": ["intrusion"], "x": 0, "y": 0 },
 *     { "name": "bridge", "role": "relay", "groups": [], "x": 65, "y": 0 }
 *   ],
 *   "attacker": { "x": 60, "y": 20 },
 *   "events": [
 *     { "at": 1000, "type": "motion", "device": "pir-hall" },
 *     { "at": 4000, "type": "panic", "device": "alarm-anna" },
 *     { "at": 8000, "type": "attack", "attack": "replay" },
 *     { "at": 9000, "type": "attack", "attack": "forge", "as": "pir-hall", "group": "intrusion" },
 *     { "at": 9500, "type": "reboot", "device": "pir-hall", "offMs": 500 },
 *     { "at": 12000, "type": "revoke", "device": "alarm-anna", "carriers": ["resp-west"] }
 *   ]
 * }
 * ```
 *
 * Portable: plain objects in, plain objects out; the CLI does the file reading.
 */
import { PicketError } from "picket/core/picket-error";
import type { MediumOptions } from "picket/hosts/sim/medium";

export type ScenarioErrorCode = "bad-scenario";

const GROUP_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export type DeviceRole = "sensor" | "alarm" | "responder" | "relay" | "gateway";
export const DEVICE_ROLES: readonly DeviceRole[] = ["sensor", "alarm", "responder", "relay", "gateway"];

export type AttackName = "replay" | "tamper" | "forge" | "epoch-replay" | "garbage" | AirAttackName | KeysAttackName;
/**
 * Issue 12's attacks on the alert frame and relays: "ttl-zero" (from then on every attacker
 * station re-broadcasts each alert it hears with TTL 0), "replay-flood" (every recorded alert
 * replayed `times` times at TTL 15), "insider-leap" (the `insider` member forges `as`'s alert
 * in `group` with the highest sequence, under the keys it holds), "walk-past" (someone walks
 * past the sensor `as` `times` times, once per hold-off: each trip burns its sequences).
 */
export type AirAttackName = "ttl-zero" | "replay-flood" | "insider-leap" | "walk-past" | "listen";
/** "listen" (issue 12, item 9): from then on the attacker reads every alert header it hears, keyless; the summary says what it learnt. */
export const ATTACK_NAMES: readonly AttackName[] = ["replay", "tamper", "forge", "epoch-replay", "garbage", "ttl-zero", "replay-flood", "insider-leap", "walk-past", "listen", "handshake-forge", "handshake-replay", "member-command", "bundle-rollback"];
/**
 * Attacks on handshakes and members' authority (issue 12, items 2, 3, 8;
 * hosts/sim/scenarios/attacks-keys.json): "handshake-forge" sends `count` forged messages 1
 * as member `as`; "handshake-replay" replays the last message 1 it recorded from `count`
 * stations, each with its own MAC; "member-command" turns member `as` dishonest: it
 * acknowledges and silences the incident of the last alert raised, over its own sessions;
 * "bundle-rollback" rewrites device `as`'s flash with the bundle of its first provisioning
 * (an older epoch after a revocation) and power-cycles it (item 10).
 */
export type KeysAttackName = "handshake-forge" | "handshake-replay" | "member-command" | "bundle-rollback";

export interface ScenarioDevice {
	readonly name: string;
	readonly role: DeviceRole;
	/** Authorisation groups by name: the device holds their keys, may send to and read them. */
	readonly groups: readonly string[];
	readonly x: number;
	readonly y: number;
	/** The group its own alerts go to (default: its first group). */
	readonly alertGroup?: string;
	/** Sequences it has already used in the current key epoch (default 0): a device that has run for weeks. */
	readonly sequencesUsed?: number;
}

export type ScenarioEvent =
	| { readonly at: number; readonly type: "motion"; readonly device: string }
	| { readonly at: number; readonly type: "panic"; readonly device: string }
	| { readonly at: number; readonly type: "reboot"; readonly device: string; readonly offMs?: number }
	| { readonly at: number; readonly type: "attack"; readonly attack: AttackName; readonly as?: string; readonly group?: string; readonly insider?: string; readonly times?: number; readonly count?: number }
	/**
	 * The operator revokes `device` (a new key epoch) and hands the sealed key-epoch
	 * deliveries to `carriers`, members that pass each on over a pairwise session to the
	 * remaining members within their radio range, then install their own.
	 */
	| { readonly at: number; readonly type: "revoke"; readonly device: string; readonly carriers: readonly string[] };

export interface Scenario {
	readonly name: string;
	readonly description?: string;
	/** Virtual milliseconds to run (default: until nothing is left to do, or 60 s). */
	readonly durationMs?: number;
	readonly medium?: MediumOptions;
	/** Group names; a group's number is its index (0..31). */
	readonly groups: readonly string[];
	readonly devices: readonly ScenarioDevice[];
	/** Where the attacker's station is, and any more stations of it (`stations`). */
	readonly attacker?: { readonly x: number; readonly y: number; readonly stations?: readonly { readonly x: number; readonly y: number }[] };
	readonly events: readonly ScenarioEvent[];
	/** TTL of originated alerts (default 4). */
	readonly initialTtl?: number;
}

function fail(path: string, message: string): never {
	throw new PicketError<ScenarioErrorCode>("bad-scenario", `${path}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown, path: string): Record<string, unknown> {
	if (!isRecord(value)) fail(path, "expected an object");
	return value;
}

function text(value: unknown, path: string): string {
	if (typeof value !== "string" || value.length === 0) fail(path, "expected a non-empty string");
	return value;
}

function finite(value: unknown, path: string, minimum = Number.NEGATIVE_INFINITY, maximum = Number.POSITIVE_INFINITY): number {
	if (typeof value !== "number" || !Number.isFinite(value)) fail(path, "expected a number");
	if (value < minimum || value > maximum) fail(path, `expected a number in [${minimum}, ${maximum}]`);
	return value;
}

function optional<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): T | undefined {
	return value === undefined ? undefined : read(value, path);
}

function oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
	if (typeof value !== "string" || !choices.includes(value as T)) fail(path, `expected one of ${choices.join(", ")}`);
	return value as T;
}

function checkKeys(value: Record<string, unknown>, path: string, allowed: readonly string[]): void {
	for (const key of Object.keys(value)) if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown field (allowed: ${allowed.join(", ")})`);
}

function mediumOptions(value: unknown, path: string): MediumOptions {
	const medium = record(value, path);
	checkKeys(medium, path, ["rangeM", "lossProbability", "latencyMs", "jitterMs", "bitRate", "collisions", "carrierSense", "unicastRetries", "receiveQueueLimit", "peerListSize", "notificationDelayMs", "notificationLossProbability"]);
	const flag = (key: string): boolean | undefined => {
		const raw = medium[key];
		if (raw !== undefined && typeof raw !== "boolean") fail(`${path}.${key}`, "expected true or false");
		return raw as boolean | undefined;
	};
	const options: MediumOptions = {
		rangeM: optional(medium.rangeM, `${path}.rangeM`, (v, p) => finite(v, p, 0.001)),
		lossProbability: optional(medium.lossProbability, `${path}.lossProbability`, (v, p) => finite(v, p, 0, 1)),
		latencyMs: optional(medium.latencyMs, `${path}.latencyMs`, (v, p) => finite(v, p, 0)),
		jitterMs: optional(medium.jitterMs, `${path}.jitterMs`, (v, p) => finite(v, p, 0)),
		bitRate: optional(medium.bitRate, `${path}.bitRate`, (v, p) => finite(v, p, 1000)),
		collisions: flag("collisions"),
		carrierSense: flag("carrierSense"),
		unicastRetries: optional(medium.unicastRetries, `${path}.unicastRetries`, (v, p) => finite(v, p, 0, 15)),
		receiveQueueLimit: optional(medium.receiveQueueLimit, `${path}.receiveQueueLimit`, (v, p) => finite(v, p, 1)),
		peerListSize: optional(medium.peerListSize, `${path}.peerListSize`, (v, p) => finite(v, p, 2)),
		notificationDelayMs: optional(medium.notificationDelayMs, `${path}.notificationDelayMs`, (v, p) => finite(v, p, 0)),
		notificationLossProbability: optional(medium.notificationLossProbability, `${path}.notificationLossProbability`, (v, p) => finite(v, p, 0, 1)),
	};
	// Drop undefined fields so the Medium's defaults apply.
	const cleaned: Record<string, unknown> = {};
	for (const [key, field] of Object.entries(options)) if (field !== undefined) cleaned[key] = field;
	return cleaned as MediumOptions;
}

/** Checks an untrusted value (parsed JSON) and returns it as a Scenario, or throws "bad-scenario". */
export function validateScenario(value: unknown): Scenario {
	const root = record(value, "scenario");
	checkKeys(root, "scenario", ["name", "description", "durationMs", "medium", "groups", "devices", "attacker", "events", "initialTtl"]);
	const name = text(root.name, "name");
	const description = optional(root.description, "description", text);
	const durationMs = optional(root.durationMs, "durationMs", (v, p) => finite(v, p, 0));
	const initialTtl = optional(root.initialTtl, "initialTtl", (v, p) => {
		const ttl = finite(v, p, 0, 15);
		if (!Number.isInteger(ttl)) fail(p, "expected an integer");
		return ttl;
	});
	const medium = optional(root.medium, "medium", mediumOptions);

	if (!Array.isArray(root.groups)) fail("groups", "expected an array of group names");
	if (root.groups.length > 32) fail("groups", "at most 32 groups");
	const groups = root.groups.map((group, i) => {
		const groupName = text(group, `groups[${i}]`);
		// The provisioning tool's rule (tools/provisioning/domain-store.ts), which enrols the devices.
		if (!GROUP_NAME.test(groupName)) fail(`groups[${i}]`, "lower-case letters, digits and dashes, starting with a letter, ≤ 31 characters");
		return groupName;
	});
	for (let i = 0; i < groups.length; i++) if (groups.indexOf(groups[i]) !== i) fail(`groups[${i}]`, `duplicate group "${groups[i]}"`);

	if (!Array.isArray(root.devices) || root.devices.length === 0) fail("devices", "expected a non-empty array");
	if (root.devices.length > 8000) fail("devices", "at most 8,000 devices (13-bit source ids)");
	const names = new Set<string>();
	const devices = root.devices.map((raw, i): ScenarioDevice => {
		const path = `devices[${i}]`;
		const device = record(raw, path);
		checkKeys(device, path, ["name", "role", "groups", "x", "y", "alertGroup", "sequencesUsed"]);
		const deviceName = text(device.name, `${path}.name`);
		if (names.has(deviceName)) fail(`${path}.name`, `duplicate device "${deviceName}"`);
		names.add(deviceName);
		const role = oneOf(device.role, `${path}.role`, DEVICE_ROLES);
		if (!Array.isArray(device.groups)) fail(`${path}.groups`, "expected an array of group names");
		const deviceGroups = device.groups.map((group, j) => oneOf(group, `${path}.groups[${j}]`, groups));
		if (role === "relay" && deviceGroups.length > 0) fail(`${path}.groups`, "a relay holds the network key only: no groups");
		const alertGroup = optional(device.alertGroup, `${path}.alertGroup`, (v, p) => oneOf(v, p, deviceGroups));
		const sequencesUsed = optional(device.sequencesUsed, `${path}.sequencesUsed`, (v, p) => {
			const used = finite(v, p, 0, 0xfff00000);
			if (!Number.isInteger(used)) fail(p, "expected an integer");
			return used;
		});
		const result: ScenarioDevice = { name: deviceName, role, groups: deviceGroups, x: finite(device.x, `${path}.x`), y: finite(device.y, `${path}.y`) };
		return { ...result, ...(alertGroup === undefined ? {} : { alertGroup }), ...(sequencesUsed === undefined ? {} : { sequencesUsed }) };
	});
	const byName = new Map(devices.map((device) => [device.name, device]));

	let attacker: Scenario["attacker"];
	if (root.attacker !== undefined) {
		const raw = record(root.attacker, "attacker");
		checkKeys(raw, "attacker", ["x", "y", "stations"]);
		attacker = { x: finite(raw.x, "attacker.x"), y: finite(raw.y, "attacker.y") };
		if (raw.stations !== undefined) {
			if (!Array.isArray(raw.stations)) fail("attacker.stations", "expected an array of positions");
			const stations = raw.stations.map((station, i) => {
				const position = record(station, `attacker.stations[${i}]`);
				checkKeys(position, `attacker.stations[${i}]`, ["x", "y"]);
				return { x: finite(position.x, `attacker.stations[${i}].x`), y: finite(position.y, `attacker.stations[${i}].y`) };
			});
			attacker = { ...attacker, stations };
		}
	}

	if (!Array.isArray(root.events)) fail("events", "expected an array");
	const revokedDevices = new Set<string>();
	const events = root.events.map((raw, i): ScenarioEvent => {
		const path = `events[${i}]`;
		const event = record(raw, path);
		const at = finite(event.at, `${path}.at`, 0);
		const type = oneOf(event.type, `${path}.type`, ["motion", "panic", "reboot", "attack", "revoke"] as const);
		const device = (): ScenarioDevice => {
			const deviceName = text(event.device, `${path}.device`);
			const found = byName.get(deviceName);
			if (found === undefined) fail(`${path}.device`, `no device named "${deviceName}"`);
			return found;
		};
		switch (type) {
			case "motion":
			case "panic": {
				checkKeys(event, path, ["at", "type", "device"]);
				const origin = device();
				if (origin.role === "relay") fail(`${path}.device`, `"${origin.name}" is a relay: it cannot raise alerts`);
				if (origin.groups.length === 0) fail(`${path}.device`, `"${origin.name}" belongs to no group`);
				return { at, type, device: origin.name };
			}
			case "reboot": {
				checkKeys(event, path, ["at", "type", "device", "offMs"]);
				const offMs = optional(event.offMs, `${path}.offMs`, (v, p) => finite(v, p, 0));
				return offMs === undefined ? { at, type, device: device().name } : { at, type, device: device().name, offMs };
			}
			case "attack": {
				checkKeys(event, path, ["at", "type", "attack", "as", "group", "insider", "times", "count"]);
				if (attacker === undefined) fail(path, "an attack needs an \"attacker\" position");
				const attack = oneOf(event.attack, `${path}.attack`, ATTACK_NAMES);
				const member = (v: unknown, p: string): string => {
					const deviceName = text(v, p);
					if (!byName.has(deviceName)) fail(p, `no device named "${deviceName}"`);
					return deviceName;
				};
				const as = optional(event.as, `${path}.as`, member);
				const group = optional(event.group, `${path}.group`, (v, p) => oneOf(v, p, groups));
				const insider = optional(event.insider, `${path}.insider`, member);
				if (attack === "walk-past" && (as === undefined || byName.get(as)?.role !== "sensor")) fail(path, "walk-past needs \"as\": a sensor");
				if (attack === "insider-leap") {
					if (insider === undefined || as === undefined || group === undefined) fail(path, "insider-leap needs \"insider\", \"as\" and \"group\"");
					if (!byName.get(insider)?.groups.includes(group)) fail(`${path}.insider`, `"${insider}" holds no key for group "${group}"`);
				}
				const times = optional(event.times, `${path}.times`, (v, p) => {
					const count = finite(v, p, 1, 100);
					if (!Number.isInteger(count)) fail(p, "expected an integer");
					return count;
				});
				const count = optional(event.count, `${path}.count`, (v, p) => Math.floor(finite(v, p, 1, 10_000)));
				return { at, type, attack, ...(as === undefined ? {} : { as }), ...(group === undefined ? {} : { group }), ...(insider === undefined ? {} : { insider }), ...(times === undefined ? {} : { times }), ...(count === undefined ? {} : { count }) };
			}
			case "revoke": {
				checkKeys(event, path, ["at", "type", "device", "carriers"]);
				const revoked = device().name;
				if (revokedDevices.has(revoked)) fail(`${path}.device`, `"${revoked}" is already revoked`);
				revokedDevices.add(revoked);
				if (!Array.isArray(event.carriers) || event.carriers.length === 0) fail(`${path}.carriers`, "expected a non-empty array of device names");
				const carriers = event.carriers.map((raw, j) => {
					const carrier = text(raw, `${path}.carriers[${j}]`);
					if (!byName.has(carrier)) fail(`${path}.carriers[${j}]`, `no device named "${carrier}"`);
					if (revokedDevices.has(carrier)) fail(`${path}.carriers[${j}]`, `"${carrier}" is revoked`);
					return carrier;
				});
				return { at, type, device: revoked, carriers };
			}
		}
	});

	const scenario: Scenario = { name, groups, devices, events };
	return {
		...scenario,
		...(description === undefined ? {} : { description }),
		...(durationMs === undefined ? {} : { durationMs }),
		...(medium === undefined ? {} : { medium }),
		...(attacker === undefined ? {} : { attacker }),
		...(initialTtl === undefined ? {} : { initialTtl }),
	};
}
