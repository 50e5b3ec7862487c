/**
 * Scenarios generated rather than written: a square grid of devices for benchmarks, and a
 * chain of hops for delivery tests. Portable.
 */
import type { Scenario, ScenarioDevice } from "picket/hosts/sim/scenario";

export interface GridOptions {
	readonly devices: number;
	/** Distance between grid neighbours, in metres (default 20). */
	readonly spacingM?: number;
	/** Radio range in grid spacings (default: enough for the TTL to reach the corners from the centre). */
	readonly rangeSpacings?: number;
	readonly lossProbability?: number;
	readonly initialTtl?: number;
}

/**
 * `devices` devices on a square grid: one in ten a responder (both groups), one in five a
 * relay (no group), the rest sensors (group "intrusion") and alarms (group "panic"); the
 * device nearest the centre is a sensor whose motion alert floods the grid.
 */
export function gridScenario(options: GridOptions): Scenario {
	const side = Math.ceil(Math.sqrt(options.devices));
	const spacing = options.spacingM ?? 20;
	const initialTtl = options.initialTtl ?? 15;
	// From the centre the farthest corner is side/√2 spacings away; leave a hop to spare.
	const rangeSpacings = options.rangeSpacings ?? Math.max(2.5, (side * 0.7072) / (initialTtl - 1));
	const centre = Math.floor(side / 2) * side + Math.floor(side / 2);
	const origin = Math.min(centre, options.devices - 1);
	const devices: ScenarioDevice[] = [];
	for (let i = 0; i < options.devices; i++) {
		const x = (i % side) * spacing;
		const y = Math.floor(i / side) * spacing;
		const name = `d${i}`;
		if (i === origin || i % 10 === 3) devices.push({ name, role: "sensor", groups: ["intrusion"], x, y });
		else if (i % 10 === 0) devices.push({ name, role: "responder", groups: ["intrusion", "panic"], x, y });
		else if (i % 5 === 1) devices.push({ name, role: "relay", groups: [], x, y });
		else if (i % 2 === 0) devices.push({ name, role: "sensor", groups: ["intrusion"], x, y });
		else devices.push({ name, role: "alarm", groups: ["panic"], x, y });
	}
	return {
		name: `grid of ${options.devices}`,
		durationMs: 3_000,
		initialTtl,
		medium: { rangeM: rangeSpacings * spacing, lossProbability: options.lossProbability ?? 0.05, latencyMs: 2, jitterMs: 1 },
		groups: ["intrusion", "panic"],
		devices,
		events: [{ at: 1000, type: "motion", device: devices[origin].name }],
	};
}

/**
 * A chain of `hops` + 1 clusters, each out of range of all but its neighbours, so an alert
 * from the first cluster needs `hops` hops to reach the last: in each cluster a sensor and
 * a responder (group "intrusion"), an alarm (group "panic", must never read it) and a relay.
 */
export function chainScenario(hops: number, lossProbability: number): Scenario {
	const devices: ScenarioDevice[] = [];
	for (let cluster = 0; cluster <= hops; cluster++) {
		const x = cluster * 40; // range 50: neighbours at 40 m hear each other, 80 m apart do not
		devices.push({ name: `sensor-${cluster}`, role: "sensor", groups: ["intrusion"], x, y: 0 });
		devices.push({ name: `responder-${cluster}`, role: "responder", groups: ["intrusion", "panic"], x: x + 2, y: 4 });
		devices.push({ name: `alarm-${cluster}`, role: "alarm", groups: ["panic"], x: x + 1, y: -4 });
		devices.push({ name: `relay-${cluster}`, role: "relay", groups: [], x: x + 3, y: 0 });
	}
	return {
		name: `chain of ${hops} hops, ${Math.round(lossProbability * 100)}% loss`,
		durationMs: 30_000,
		medium: { rangeM: 50, lossProbability, latencyMs: 2, jitterMs: 1 },
		groups: ["intrusion", "panic"],
		devices,
		events: [{ at: 1000, type: "motion", device: "sensor-0" }],
	};
}

/**
 * The chain of `chainScenario`, with a revocation in the middle: a motion alert from the
 * first cluster, then the operator revokes the first cluster's alarm and hands the key-epoch
 * deliveries to every cluster's responder; the revoked alarm presses its panic button, and
 * alerts of the new epoch come from the far end (motion) and the first cluster (panic).
 */
export function chainRevocationScenario(hops: number, lossProbability: number): Scenario {
	const chain = chainScenario(hops, lossProbability);
	const responders = chain.devices.filter((device) => device.role === "responder").map((device) => device.name);
	return {
		...chain,
		name: `${chain.name}, a revocation`,
		durationMs: 40_000,
		events: [
			{ at: 1000, type: "motion", device: "sensor-0" },
			{ at: 8000, type: "revoke", device: "alarm-1", carriers: responders },
			{ at: 14_000, type: "panic", device: "alarm-1" },
			{ at: 20_000, type: "motion", device: `sensor-${hops}` },
			{ at: 26_000, type: "panic", device: "alarm-0" },
		],
	};
}
