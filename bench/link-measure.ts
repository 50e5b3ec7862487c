/**
 * The portable measurements of bench/link: bytes on air, crypto operations and time per
 * alert. No Node API here: the same functions run under Node (bench/link.ts), on the host
 * XS engine and on a device, each driver passing its own CryptoSuite and millisecond clock.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { rosterLength } from "picket/provisioning/roster";
import { SecureLink } from "picket/link/secure-link";
import { ALERT_HEADER_LENGTH, MAX_TTL, decodeAlertFrame, withTtl } from "picket/link/alert-frame";
import { deobfuscateAlertFrame } from "picket/link/alert-layers";
import { derivePrivacyKey } from "picket/link/key-schedule";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { FixedMembership, countingSuite, epochKeysFor, testMember } from "picket/test/support/link-fixtures";
import { createSeededRandom } from "picket/test/support/seeded-random";

const SENSOR = testMember(1, "sensor", [0]);
const RESPONDER = testMember(2, "responder", [0, 1]);
const RELAY = testMember(3, "relay", []);
const ROSTER = new FixedMembership([SENSOR, RESPONDER, RELAY]);
/** A typical alert: event type, zone, a 4-byte timestamp, some sensor detail. */
export const BENCH_PAYLOAD_LENGTH = 16;

function link(crypto: CryptoSuite, member: typeof SENSOR, membership: FixedMembership = ROSTER): SecureLink {
	const secureLink = new SecureLink({ crypto, storage: new MemoryStorage(), random: createSeededRandom(member.id), membership, self: member.id });
	secureLink.installEpoch(epochKeysFor(crypto, member, 1), { keepPrevious: false });
	return secureLink;
}

export interface AlertSizes {
	/** Header + tag bytes, measured as frame length − payload length over several payload sizes. */
	readonly overheadBytes: number;
	readonly largestPayloadBytes: number;
	readonly largestFrameBytes: number;
}

/** Bytes on air, measured on frames the codec actually builds. */
export function measureAlertSizes(crypto: CryptoSuite): AlertSizes {
	const sender = link(crypto, SENSOR);
	const overheads = new Set<number>();
	for (const length of [0, 1, 16, 100]) overheads.add(sender.sendAlert(0, new Uint8Array(length)).length - length);
	if (overheads.size !== 1) throw new Error("overhead depends on the payload length");
	const [overheadBytes] = overheads;
	let largest = 0;
	for (let length = 0; ; length++) {
		try {
			sender.sendAlert(0, new Uint8Array(length));
			largest = length;
		} catch {
			break;
		}
	}
	return { overheadBytes, largestPayloadBytes: largest, largestFrameBytes: largest + overheadBytes };
}

export interface OperationCounts {
	readonly path: string;
	readonly ccm: number;
	readonly x25519: number;
}

/** AES-CCM and X25519 operations per alert on each path, counted by a wrapping suite. */
export function countAlertOperations(crypto: CryptoSuite): OperationCounts[] {
	const counting = countingSuite(crypto);
	const sender = link(counting.suite, SENSOR);
	const reader = link(counting.suite, RESPONDER);
	const relay = link(counting.suite, RELAY);
	const rows: OperationCounts[] = [];
	const count = (path: string, action: () => unknown) => {
		counting.reset();
		action();
		rows.push({ path, ccm: counting.counts.ccm, x25519: counting.counts.x25519 });
	};
	let frame: Uint8Array = new Uint8Array(0);
	count("send", () => (frame = sender.sendAlert(0, new Uint8Array(BENCH_PAYLOAD_LENGTH))));
	count("receive, group member", () => reader.receive(frame));
	count("receive, relay (no group key)", () => relay.receive(frame));
	count("receive, duplicate copy", () => reader.receive(frame));
	return rows;
}

export interface AlertTiming {
	readonly path: string;
	readonly alerts: number;
	readonly microsecondsPerAlert: number;
}

/**
 * Time per alert sent, received by a group member, received by a relay, and per duplicate
 * copy dropped, with a BENCH_PAYLOAD_LENGTH-byte payload. Sends for at least
 * `minimumMilliseconds`, then receives exactly those frames. `clock` returns milliseconds.
 */
export function measureAlertTiming(crypto: CryptoSuite, clock: () => number, minimumMilliseconds = 300): AlertTiming[] {
	const sender = link(crypto, SENSOR);
	const reader = link(crypto, RESPONDER);
	const relay = link(crypto, RELAY);
	const payload = new Uint8Array(BENCH_PAYLOAD_LENGTH).fill(7);
	for (let i = 0; i < 20; i++) reader.receive(sender.sendAlert(0, payload)); // warm-up
	const frames: Uint8Array[] = [];
	let start = clock();
	let elapsed = 0;
	while (elapsed < minimumMilliseconds) {
		frames.push(sender.sendAlert(0, payload));
		elapsed = clock() - start;
	}
	const rows: AlertTiming[] = [{ path: "send", alerts: frames.length, microsecondsPerAlert: (elapsed * 1000) / frames.length }];
	const time = (path: string, receiver: SecureLink, expected: string) => {
		start = clock();
		let unexpected = 0;
		for (const frame of frames) if (receiver.receive(frame).kind !== expected) unexpected++;
		const spent = clock() - start;
		if (unexpected > 0) throw new Error(`${path}: ${unexpected} frames were not "${expected}"`);
		rows.push({ path, alerts: frames.length, microsecondsPerAlert: (spent * 1000) / frames.length });
	};
	time("receive, group member", reader, "alert");
	time("receive, relay (no group key)", relay, "relay-only");
	time("receive, duplicate copy", reader, "rejected");
	return rows;
}

/** Bytes one member adds to the signed roster, from the roster codec itself (two rosters, one member apart). */
export function rosterBytesPerMember(): number {
	return rosterLength(2) - rosterLength(1);
}

/** A sample alert (group 0, payload 4d 01) to print beside the byte table. */
export function exampleFrame(crypto: CryptoSuite): Uint8Array {
	return link(crypto, SENSOR).sendAlert(0, Uint8Array.of(0x4d, 0x01));
}

/** Relays' answer to a replay flood (issue 12, item 4). */
export interface ReplayFloodFigures {
	readonly recorded: number;
	readonly replays: number;
	readonly relays: number;
}

/**
 * A pure relay (RELAY, with the host's clock) hears `recorded` alerts of three sensors, as
 * copies relayed once already (TTL 3); 10 s later an attacker replays every one of them
 * `rounds` times at TTL 15. Counts the relay's re-broadcasts. More alerts than the relay
 * memory's 1,024: the flood of issue 12 overflowed a 256-frame cache.
 */
export function measureReplayFlood(crypto: CryptoSuite, recorded = 1_100, rounds = 10): ReplayFloodFigures {
	let now = 0;
	const clock = { now: () => now };
	const sensors = [1, 4, 5].map((id) => {
		const member = testMember(id, "sensor", [0]);
		return link(crypto, member, new FixedMembership([member, RELAY]));
	});
	const relay = new SecureLink({ crypto, storage: new MemoryStorage(), random: createSeededRandom(RELAY.id), clock, membership: new FixedMembership([1, 4, 5].map((id) => testMember(id, "sensor", [0])).concat(RELAY)), self: RELAY.id });
	relay.installEpoch(epochKeysFor(crypto, RELAY, 1), { keepPrevious: false });
	const frames: Uint8Array[] = [];
	for (let i = 0; i < recorded; i++) {
		const frame = withTtl(sensors[i % sensors.length].sendAlert(0, new Uint8Array(BENCH_PAYLOAD_LENGTH)), 3);
		frames.push(frame);
		relay.receive(frame);
		now += 1_000;
	}
	now += 10_000;
	let relays = 0;
	for (let round = 0; round < rounds; round++) {
		for (const frame of frames) if (relay.receive(withTtl(frame, MAX_TTL)).relay !== undefined) relays++;
	}
	return { recorded, replays: recorded * rounds, relays };
}

/** What a passive listener without keys reads in the alert header (issue 12, item 9). */
export interface ListenerView {
	readonly alerts: number;
	/** Header bits equal on the air and in clear in every alert: what the listener reads. */
	readonly bitsInClear: number;
	readonly headerBits: number;
}

/**
 * Sends `alerts` alerts of one sensor and compares each header as it travels with the
 * header in clear (unmasked with the domain's privacy key, as members do): a bit the mask
 * covers differs in about half of them, a bit in clear in none.
 */
export function measureListenerView(crypto: CryptoSuite, alerts = 64): ListenerView {
	const sender = link(crypto, SENSOR);
	const privacyKey = derivePrivacyKey(crypto, epochKeysFor(crypto, RELAY, 1).networkKey);
	const everDiffers = new Uint8Array(ALERT_HEADER_LENGTH);
	for (let i = 0; i < alerts; i++) {
		const decoded = decodeAlertFrame(sender.sendAlert(0, new Uint8Array(BENCH_PAYLOAD_LENGTH)));
		if (!decoded.ok) throw new Error(`sent frame does not decode: ${decoded.reason}`);
		const clear = deobfuscateAlertFrame(crypto, privacyKey, decoded.frame);
		for (let offset = 0; offset < ALERT_HEADER_LENGTH; offset++) everDiffers[offset] |= decoded.frame.header[offset] ^ clear.header[offset];
	}
	let hidden = 0;
	for (const byte of everDiffers) for (let bit = 0; bit < 8; bit++) hidden += (byte >>> bit) & 1;
	return { alerts, bitsInClear: ALERT_HEADER_LENGTH * 8 - hidden, headerBits: ALERT_HEADER_LENGTH * 8 };
}
