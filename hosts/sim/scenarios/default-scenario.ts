/**
 * The default scenario as a module, so that it runs where no file system is (the XS engine).
 * scenarios/default.json is the same scenario for people to copy; a test keeps the two equal.
 */
import type { Scenario } from "picket/hosts/sim/scenario";

export const defaultScenario: Scenario = {
	name: "two wings and a bridge",
	description: "A west wing and an east wing, 70 m apart (radio range 50 m), joined only by a relay that holds the network key and no group key. Motion sensors and responders read group \"intrusion\"; personal alarms and responders read group \"panic\". A PIR trips in the west wing, a personal alarm is pressed in the east wing, then an attacker between the wings replays, tampers, forges and re-labels frames. The operator then revokes alarm-dana (reported lost): resp-west and resp-east carry the new key epoch to the members around them over pairwise sessions; the attacker replays old-epoch frames, alarm-dana's own panic is neither relayed nor read, and a motion alert in the new epoch crosses the bridge.",
	durationMs: 25000,
	medium: { rangeM: 50, lossProbability: 0.05, latencyMs: 2, jitterMs: 1 },
	groups: ["intrusion", "panic"],
	devices: [
		{ name: "pir-hall", role: "sensor", groups: ["intrusion"], x: 0, y: 0 },
		{ name: "pir-door", role: "sensor", groups: ["intrusion"], x: 15, y: 20 },
		{ name: "alarm-anna", role: "alarm", groups: ["panic"], x: 10, y: -18 },
		{ name: "alarm-dana", role: "alarm", groups: ["panic"], x: 30, y: -25 },
		{ name: "resp-west", role: "responder", groups: ["intrusion", "panic"], x: 32, y: 5 },
		{ name: "bridge", role: "relay", groups: [], x: 67, y: 0 },
		{ name: "resp-east", role: "responder", groups: ["intrusion", "panic"], x: 102, y: 0 },
		{ name: "alarm-bob", role: "alarm", groups: ["panic"], x: 112, y: 22 },
		{ name: "pir-store", role: "sensor", groups: ["intrusion"], x: 120, y: -15 },
		{ name: "resp-gate", role: "responder", groups: ["intrusion", "panic"], x: 135, y: 12 },
		{ name: "alarm-carl", role: "alarm", groups: ["panic"], x: 128, y: -35 },
		{ name: "pir-dock", role: "sensor", groups: ["intrusion"], x: 148, y: -8 },
	],
	attacker: { x: 75, y: 30 },
	events: [
		{ at: 1000, type: "motion", device: "pir-hall" },
		{ at: 4000, type: "panic", device: "alarm-bob" },
		{ at: 9000, type: "attack", attack: "replay" },
		{ at: 9500, type: "attack", attack: "tamper" },
		{ at: 10000, type: "attack", attack: "forge", as: "pir-hall", group: "intrusion" },
		{ at: 10500, type: "attack", attack: "epoch-replay" },
		{ at: 11000, type: "attack", attack: "garbage" },
		{ at: 12000, type: "revoke", device: "alarm-dana", carriers: ["resp-west", "resp-east"] },
		{ at: 15000, type: "attack", attack: "replay" },
		{ at: 15500, type: "attack", attack: "epoch-replay" },
		{ at: 16000, type: "panic", device: "alarm-dana" },
		{ at: 19000, type: "motion", device: "pir-store" },
	],
};
