/**
 * Property tests on Node (fast-check) of the pairwise session layer
 * (picket/link/pairwise-sessions) of one device, D, among three live peers on an
 * in-memory air: the peers send D commands and key-epoch deliveries, D sends them
 * commands (handshakes both ways, crossed, after a peer's reboot), time passes, and an
 * attacker injects frames into D's `receive` between any two steps: replays and
 * reflections of anything heard on the air (this run's or earlier runs'), genuine message
 * 1, message 2, session frames and delivery chunks bit-flipped, cut, extended, spliced or
 * with their body replaced, random frames under each kind's byte 0, and well-formed
 * message 1s from a device with the domain PSK but not the roster's key, or from the next
 * epoch. Sources are random MACs, the peers' MACs, D's own and broadcast.
 *
 * Properties, over at least 100,000 injected frames (the peers' genuine frames come on top):
 * - no exception escapes `receive` (nor the peers');
 * - every command D hands to the app was sent to D by that peer, and is handed over once;
 *   every delivery handed over is one that peer sent, once;
 * - D holds state for at most `maxPeers` peers, never for itself or a non-member;
 * - when the attacker only forges (nothing injected is byte-equal to a genuine frame) and
 *   the air loses nothing: every command and delivery sent to D arrives exactly once, and
 *   the MAC D learnt for each peer is that peer's. Forgeries cost D nothing.
 *
 * Replays are left out of that last property on purpose; with them it fails today, two ways:
 * - a recorded message 1 of peer P, replayed between D's message 2 and P's first session
 *   frame, replaces D's pending response, so P's frames fail "bad-tag" and are lost (a
 *   limit of one pending response per peer; the harden branch changes that);
 * - a chunk forwarded ahead of its turn (before the previous delivery's last frame) restarts
 *   that peer's reassembly, and the delivery it belonged to never completes until its
 *   carrier sends it again (delivery-reassembly.ts; ESP-NOW reordering would do the same).
 * Both lose frames; neither hands over anything P did not send, which every run checks.
 */
import test from "ava";
import fc from "fast-check";
import { concatBytes, toHex, writeU16 } from "picket/core/bytes";
import { BROADCAST_MAC } from "picket/device/radio";
import { FrameKind, frameByte0 } from "picket/link/frame-kind";
import { HandshakeInitiator } from "picket/link/handshake";
import { PairwiseSessions, type PairwiseSessionsOptions } from "picket/link/pairwise-sessions";
import type { AlarmCommand } from "picket/link/session-command";
import { createFastX25519Suite } from "picket/test/support/fast-x25519-suite";
import { createTestDomain } from "picket/test/support/handshake-domain";
import { InMemoryAir, sameMac } from "picket/test/support/in-memory-air";
import { FakeTimers } from "picket/test/support/fake-timers";
import { createSeededRandom } from "picket/test/support/seeded-random";

const INJECTED_FRAMES = 100_000;
const crypto = createFastX25519Suite();
const domain = createTestDomain(crypto);
const DEVICE = 5;
/** One peer below D's id and two above, so crossed handshakes go both ways (the lower id wins). */
const PEERS = [2, 3, 9] as const;
const NON_MEMBER = 77;
for (const id of [DEVICE, ...PEERS]) domain.identity(id);
/** Holds the domain PSK and knows D's key, but claims member 2 with a key of its own. */
const impostorDomain = createTestDomain(crypto);
impostorDomain.roster.add({ id: DEVICE, staticPublicKey: domain.identity(DEVICE).staticKeyPair.publicKey });
const impostor = impostorDomain.identity(2);
/** Member 3 under the next epoch's PSK, which D does not have yet. */
const nextEpoch = domain.identity(3, 2);
/** Well-formed message 1s D must refuse (made once: each costs a key pair and two X25519). */
const wellFormedForgeries = Array.from({ length: 16 }, (_, i) => new HandshakeInitiator(i % 2 === 0 ? impostor : nextEpoch, DEVICE).message1);

const macOf = (id: number) => InMemoryAir.mac(id);

/** Every frame ever put on the air by anyone, by hex: what "genuine" means for the forgery-only runs. */
const genuineFrames = new Set<string>();
/** A bounded sample of frames from earlier runs, for replays across sessions. */
const oldFrames: Uint8Array[] = [];
const OLD_FRAMES = 4000;
let oldFrameSlot = 0;
let nextIncident = 0;
let nextDelivery = 0;

interface Counts {
	injected: number;
	fromAir: number;
	commands: number;
	deliveries: number;
	rejections: Map<string, number>;
	/** Forgery-only runs without loss, and what they handed over (each checked to arrive). */
	liveRuns: number;
	liveHanded: number;
}
const counts: Counts = { injected: 0, fromAir: 0, commands: 0, deliveries: 0, rejections: new Map(), liveRuns: 0, liveHanded: 0 };

/** A frame made from `frame` (and `other`, another frame heard) by the attacker. */
type Forge = (frame: Uint8Array, other: Uint8Array) => Uint8Array;

const mutation: fc.Arbitrary<Forge> = fc.oneof(
	{ weight: 3, arbitrary: fc.constant<Forge>((frame) => frame.slice()) }, // replay or reflection
	{
		weight: 6,
		arbitrary: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }).map((flips): Forge => (frame) => {
			const mutated = frame.slice();
			for (const [index, mask] of flips) if (mutated.length > 0) mutated[index % mutated.length] ^= mask;
			return mutated;
		}),
	},
	{ weight: 2, arbitrary: fc.nat().map((cut): Forge => (frame) => frame.slice(0, cut % Math.max(1, frame.length))) },
	{ weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra): Forge => (frame) => concatBytes(frame, extra).subarray(0, 250)) },
	{ weight: 2, arbitrary: fc.nat().map((at): Forge => (frame, other) => concatBytes(frame.subarray(0, at % (frame.length + 1)), other.subarray(at % (other.length + 1))).subarray(0, 250)) },
	{ weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 240 })).map(([keep, body]): Forge => (frame) => concatBytes(frame.subarray(0, keep), body)) },
	{
		// A session frame under a counter of the attacker's choosing (far ahead, just behind, the end).
		weight: 2,
		arbitrary: fc.constantFrom(0, 1, 63, 64, 65, 1_000_000, 0xffffffff).map((counter): Forge => (frame) => {
			const mutated = concatBytes(Uint8Array.of(frameByte0(FrameKind.Session, 0), 0, 0, 0, 0), frame.subarray(5));
			new DataView(mutated.buffer).setUint32(1, counter);
			return mutated;
		}),
	},
	{
		weight: 3,
		arbitrary: fc
			.tuple(fc.constantFrom(frameByte0(FrameKind.Handshake, 1), frameByte0(FrameKind.Handshake, 2), frameByte0(FrameKind.Session, 0), frameByte0(FrameKind.Alert, 3), 0xc0, 0x30), fc.constantFrom(...PEERS, DEVICE, NON_MEMBER), fc.uint8Array({ maxLength: 64 }))
			.map(([byte0, claimed, body]): Forge => () => {
				// Random bytes under a real byte 0; message 1s claim a member id (or D's, or an outsider's), at the right length.
				if (byte0 !== frameByte0(FrameKind.Handshake, 1)) return concatBytes(Uint8Array.of(byte0), body);
				const frame = concatBytes(Uint8Array.of(byte0, 0, 0), body, new Uint8Array(48)).subarray(0, 51);
				writeU16(frame, 1, claimed);
				return frame;
			}),
	},
	{ weight: 1, arbitrary: fc.constantFrom(...wellFormedForgeries).map((forgery): Forge => () => forgery.slice()) },
);

const sourceMac: fc.Arbitrary<Uint8Array> = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom(...PEERS.map(macOf)) },
	{ weight: 1, arbitrary: fc.constantFrom(macOf(DEVICE), BROADCAST_MAC) },
	{ weight: 1, arbitrary: fc.uint8Array({ minLength: 6, maxLength: 6 }) },
);

const injection = fc.record({ pick: fc.nat(), other: fc.nat(), forge: mutation, from: sourceMac });
type Injection = typeof injection extends fc.Arbitrary<infer T> ? T : never;

type Step =
	| { readonly kind: "peer-sends"; readonly peer: number; readonly command: AlarmCommand["kind"] }
	| { readonly kind: "device-sends"; readonly peer: number }
	| { readonly kind: "delivery"; readonly peer: number; readonly length: number }
	| { readonly kind: "advance"; readonly ms: number }
	| { readonly kind: "reboot"; readonly peer: number }
	| { readonly kind: "inject"; readonly frames: readonly Injection[] };

const peerIndex = fc.nat({ max: PEERS.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
	{ weight: 3, arbitrary: fc.record({ kind: fc.constant("peer-sends" as const), peer: peerIndex, command: fc.constantFrom("acknowledge" as const, "silence" as const) }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant("device-sends" as const), peer: peerIndex }) },
	// Deliveries come from member 2 only: D reassembles one delivery at a time, and another peer's chunks restart it (documented).
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant("delivery" as const), peer: fc.constant(0), length: fc.integer({ min: 4, max: 900 }) }) },
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 600 })) }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant("reboot" as const), peer: peerIndex }) },
	{ weight: 8, arbitrary: fc.record({ kind: fc.constant("inject" as const), frames: fc.array(injection, { minLength: 1, maxLength: 24, size: "max" }) }) },
);

const world = fc.record({
	steps: fc.array(step, { minLength: 10, maxLength: 50, size: "max" }),
	/** Forgery-only runs drop whatever injected frame is byte-equal to a genuine one. */
	replays: fc.boolean(),
	/** Share of air frames lost (per mille), in replay runs only. */
	lossPerMille: fc.constantFrom(0, 0, 100, 300),
	maxPeers: fc.constantFrom(16, 16, 2),
	maxDeliveryBytes: fc.constantFrom(16384, 16384, 500),
	seed: fc.nat(),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

interface Station {
	sessions: PairwiseSessions;
	/** What this peer sent D (lost with it if it reboots before it went out). */
	readonly offered: string[];
	/** Counts reboots: a rebooted instance no longer listens. */
	instance: number;
}

function run(w: World): void {
	const timers = new FakeTimers();
	const air = new InMemoryAir(timers);
	const loss = createSeededRandom(w.seed);
	const canLose = w.replays && w.lossPerMille > 0;
	air.lose = () => canLose && ((loss(2)[0] << 8) | loss(1)[0]) % 1000 < w.lossPerMille;
	const live = !w.replays && w.maxPeers >= PEERS.length && w.maxDeliveryBytes > 900;
	const fail = (message: string): never => {
		throw new Error(message);
	};

	// D, the device under test.
	const offered = new Set<string>(); // "peer/kind/incident/origin" or "peer/delivery/hex", as sent to D
	const handed = new Set<string>();
	const rebooted = new Set<string>(); // offers whose sender rebooted
	const options: Partial<PairwiseSessionsOptions> = { maxPeers: w.maxPeers, maxDeliveryBytes: w.maxDeliveryBytes };
	const hand = (key: string) => {
		if (!offered.has(key)) fail(`not sent by that peer: ${key}`);
		if (handed.has(key)) fail(`handed over twice: ${key}`);
		handed.add(key);
	};
	const device = new PairwiseSessions({
		identity: domain.identity(DEVICE),
		timers,
		transmit: (frame, to) => air.send(macOf(DEVICE), to, frame),
		onEpochDelivery: (delivery, peer) => {
			counts.deliveries++;
			hand(`${peer}/delivery/${toHex(delivery)}`);
		},
		...options,
	});
	// Everyone on this air is a radio neighbour: each has heard the others' alerts directly.
	for (const id of PEERS) device.heardDirectly(id, macOf(id));
	const receive = (frame: Uint8Array, from: Uint8Array) => {
		const outcome = device.receive(frame, from); // an exception here fails the property
		if (outcome.kind === "command") {
			counts.commands++;
			const { kind, incident, origin } = outcome.command;
			hand(`${outcome.peer}/${kind}/${incident}/${origin}`);
		} else if (outcome.kind === "rejected") counts.rejections.set(outcome.reason, (counts.rejections.get(outcome.reason) ?? 0) + 1);
		if (device.peerCount > w.maxPeers) fail(`${device.peerCount} peers held, max ${w.maxPeers}`);
		if (device.hasSession(DEVICE) || device.hasSession(NON_MEMBER) || device.macOf(NON_MEMBER) !== undefined) fail("state for a non-peer");
	};
	air.attach(macOf(DEVICE), (frame, from) => {
		counts.fromAir++;
		receive(frame, from);
	});

	// The peers: live, well-behaved, each on its own MAC.
	const stations = new Map<number, Station>();
	const boot = (id: number, instance: number): PairwiseSessions => {
		const sessions = new PairwiseSessions({ identity: domain.identity(id), timers, transmit: (frame, to) => air.send(macOf(id), to, frame), queueLimit: 64 });
		sessions.heardDirectly(DEVICE, macOf(DEVICE));
		air.attach(macOf(id), (frame, from) => {
			if (stations.get(id)?.instance === instance) sessions.receive(frame, from);
		});
		return sessions;
	};
	for (const id of PEERS) stations.set(id, { sessions: boot(id, 0), offered: [], instance: 0 });

	let recorded = 0;
	const record = () => {
		for (; recorded < air.sent.length; recorded++) genuineFrames.add(toHex(air.sent[recorded].payload));
	};
	for (const s of w.steps) {
		switch (s.kind) {
			case "peer-sends": {
				const id = PEERS[s.peer];
				const station = stations.get(id)!;
				const command: AlarmCommand = { kind: s.command, incident: nextIncident++ & 0xffff, origin: DEVICE };
				const key = `${id}/${command.kind}/${command.incident}/${command.origin}`;
				offered.add(key);
				station.offered.push(key);
				station.sessions.send(DEVICE, command);
				break;
			}
			case "device-sends":
				device.send(PEERS[s.peer], { kind: "acknowledge", incident: nextIncident++ & 0xffff, origin: PEERS[s.peer] });
				break;
			case "delivery": {
				const id = PEERS[s.peer];
				const station = stations.get(id)!;
				const delivery = new Uint8Array(s.length).fill(0xd0);
				new DataView(delivery.buffer).setUint32(0, nextDelivery++); // unique, so "once" is checkable
				const key = `${id}/delivery/${toHex(delivery)}`;
				offered.add(key);
				station.offered.push(key);
				station.sessions.sendEpochDelivery(DEVICE, delivery);
				break;
			}
			case "advance":
				timers.advance(s.ms);
				break;
			case "reboot": {
				const id = PEERS[s.peer];
				const station = stations.get(id)!;
				station.sessions.close();
				for (const key of station.offered) rebooted.add(key);
				station.instance++;
				air.detach(macOf(id));
				station.sessions = boot(id, station.instance);
				break;
			}
			case "inject":
				for (const { pick, other, forge, from } of s.frames) {
					// Mostly this run's frames; one in four from earlier runs (other sessions, other keys).
					const pool = air.sent.length > 0 && pick % 4 !== 0 ? air.sent.map((f) => f.payload) : oldFrames.length > 0 ? oldFrames : [new Uint8Array(0)];
					const frame = forge(pool[pick % pool.length], pool[other % pool.length]);
					record();
					if (!w.replays && genuineFrames.has(toHex(frame))) continue;
					counts.injected++;
					receive(frame, from);
				}
				break;
		}
	}
	timers.advance(10_000); // every retry and every frame in flight
	if (timers.pending !== 0) fail(`${timers.pending} timers still pending 10 s after the last step`);
	record();
	for (const f of air.sent) oldFrames[oldFrames.length < OLD_FRAMES ? oldFrames.length : oldFrameSlot++ % OLD_FRAMES] = f.payload;

	if (live) {
		counts.liveRuns++;
		for (const key of offered.keys()) if (!rebooted.has(key) && !handed.has(key)) fail(`sent to D, never handed over: ${key}`);
		counts.liveHanded += handed.size;
		for (const id of PEERS) {
			const mac = device.macOf(id);
			if (mac !== undefined && !sameMac(mac, macOf(id))) fail(`D learnt MAC ${toHex(mac)} for member ${id}`);
		}
	}
	device.close();
	for (const station of stations.values()) station.sessions.close();
}

test(`pairwise sessions: ${INJECTED_FRAMES.toLocaleString("en")} injected frames, only genuine commands handed over, once; forgeries cost no delivery`, (t) => {
	const cpuAtStart = process.cpuUsage();
	const x25519AtStart = crypto.x25519Operations;
	let runs = 0;
	while (counts.injected < INJECTED_FRAMES) {
		const details = fc.check(
			fc.property(world, (w) => {
				run(w);
				runs++;
			}),
			{ numRuns: 100, seed: 0x9a1e + runs },
		);
		// The broken property's own message first (fast-check keeps it apart, as `errorInstance`).
		if (details.failed) {
			t.fail(`${String(details.errorInstance)}\n${fc.defaultReportMessage(details)}`);
			return;
		}
	}
	const cpu = process.cpuUsage(cpuAtStart);
	const rejections = [...counts.rejections].sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${reason} ${count}`);
	t.log(`${runs} runs; ${counts.injected} frames injected, ${counts.fromAir} from the air; ${counts.commands} commands and ${counts.deliveries} deliveries handed over; ${crypto.x25519Operations - x25519AtStart} X25519; ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`);
	t.log(`rejections: ${rejections.join(", ")}`);
	t.log(`${counts.liveRuns} forgery-only runs without loss: all ${counts.liveHanded} commands and deliveries sent to D arrived, once`);
	t.true(counts.commands > 1000 && counts.deliveries > 50 && counts.liveRuns > 100 && counts.liveHanded > 500);
	t.true(counts.rejections.has("bad-tag") && counts.rejections.has("replayed") && counts.rejections.has("bad-mac1"), "message 1s made without the PSK for D stop at mac1, before the roster is asked");
});
