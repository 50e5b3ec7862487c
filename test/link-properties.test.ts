/**
 * Node-only property tests of the alert receive path (fast-check): at least 100,000
 * random and 100,000 mutated frames each, fed to the frame parser and to SecureLink.receive
 * of a reader, a relay and a member of another group. Properties: nothing throws, and
 * - every alert read ("alert") is one that was genuinely sent (same source, epoch,
 *   sequence, group and payload), each read at most once per receiver;
 * - every frame forwarded unread ("relay-only") is a genuinely sent frame, byte for byte
 *   but for its TTL, and a relay forwards it again only once its duplicate cache had to
 *   forget it (DEFAULT_DUPLICATE_CAPACITY newer frames later): relays keep no replay
 *   window for what they cannot read (secure-link.ts), so that bound is the property.
 * (Forwarding a frame is relaying, not accepting it: an insider holding the network key
 * can get a forgery relayed, never read; these frames are made without any key.)
 * The node:crypto suite runs here for speed; the software suite is cross-checked against
 * it on the genuine frames.
 */
import test from "ava";
import fc from "fast-check";
import { toHex } from "picket/core/bytes";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { ALERT_FRAME_MAX, type AlertFrame, decodeAlertFrame, encodeAlertFrame, withTtl } from "picket/link/alert-frame";
import { deobfuscateAlertFrame } from "picket/link/alert-layers";
import { derivePrivacyKey } from "picket/link/key-schedule";
import type { Member } from "picket/link/membership";
import { DEFAULT_DUPLICATE_CAPACITY } from "picket/link/relay-filter";
import { DEFAULT_INITIAL_TTL, SecureLink, type ReceiveOutcome } from "picket/link/secure-link";
import { FixedMembership, epochKeysFor, testMember } from "picket/test/support/link-fixtures";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { createSeededRandom } from "picket/test/support/seeded-random";

const RUNS = 100_000;
const random = createSeededRandom(2024);
const crypto = createNodeCryptoSuite(random);

const SENDERS = [testMember(1, "sensor", [0]), testMember(2, "alarm", [1]), testMember(3, "responder", [0, 1])];
const READER = testMember(10, "responder", [0, 1]);
const RELAY = testMember(11, "relay", []);
const OTHER_GROUP = testMember(12, "alarm", [1]);
const ROSTER = new FixedMembership([...SENDERS, READER, RELAY, OTHER_GROUP]);
const RECEIVERS = [READER, RELAY, OTHER_GROUP];
const KEYS = new Map<number, ReturnType<typeof epochKeysFor>>();
for (const member of [...SENDERS, ...RECEIVERS]) KEYS.set(member.id, epochKeysFor(crypto, member, 1));
const PRIVACY_KEY = derivePrivacyKey(crypto, KEYS.get(RELAY.id)!.networkKey);

/** A frame's parts with its header unmasked, as a member reads it; undefined if it does not parse. */
function inClear(bytes: Uint8Array): AlertFrame | undefined {
	const decoded = decodeAlertFrame(bytes);
	return decoded.ok ? deobfuscateAlertFrame(crypto, PRIVACY_KEY, decoded.frame) : undefined;
}

function link(member: Member, suite = crypto): SecureLink {
	const secureLink = new SecureLink({ crypto: suite, storage: new MemoryStorage(), random, membership: ROSTER, self: member.id });
	secureLink.installEpoch(KEYS.get(member.id)!, { keepPrevious: false });
	return secureLink;
}

interface Genuine {
	readonly group: number;
	readonly payload: Uint8Array;
	readonly frame: Uint8Array;
}

/** Every alert genuinely sent, by "source/epoch/sequence". */
const genuine = new Map<string, Genuine>();
const pool: Uint8Array[] = [];
{
	const senders = SENDERS.map((member) => link(member));
	const payloads = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 232 }), { numRuns: 300, seed: 7 });
	payloads.forEach((payload, index) => {
		const senderIndex = index % SENDERS.length;
		const member = SENDERS[senderIndex];
		const group = member.groups === 3 ? index % 2 : Math.log2(member.groups);
		const frame = senders[senderIndex].sendAlert(group, payload);
		const clear = inClear(frame);
		if (clear === undefined) throw new Error("genuine frame does not decode");
		genuine.set(`${member.id}/1/${clear.sequence}`, { group, payload, frame });
		pool.push(frame);
	});
}

/** What one receiver did so far: the alerts it read, and when (in frames remembered) it last took each frame. */
class Verdicts {
	readonly read = new Set<string>();
	readonly #rememberedAt = new Map<string, number>();
	#remembered = 0;

	/** Fails unless `outcome` of receiving `bytes` is a rejection, or a genuine alert read once, or a genuine frame forwarded (table above). */
	check(bytes: Uint8Array, outcome: ReceiveOutcome): boolean {
		if (outcome.kind === "rejected") return outcome.relay === undefined || (outcome.reason === "duplicate" && this.#betterCopy(bytes, outcome.relay.frame));
		const id = `${outcome.source}/${outcome.epoch}/${outcome.sequence}`;
		const sent = genuine.get(id);
		if (sent === undefined || sent.group !== outcome.group) return false;
		if (outcome.kind === "alert") {
			if (toHex(outcome.payload) !== toHex(sent.payload) || this.read.has(id)) return false;
			this.read.add(id);
		} else if (toHex(withTtl(bytes, 0)) !== toHex(withTtl(sent.frame, 0))) {
			return false;
		}
		// Every frame taken is remembered once in the FIFO duplicate cache: a repeat means it was forgotten.
		const before = this.#rememberedAt.get(id);
		if (before !== undefined && this.#remembered - before < DEFAULT_DUPLICATE_CAPACITY) return false;
		this.#rememberedAt.set(id, this.#remembered++);
		this.#bestTtl.set(id, Math.min(bytes[0] & 15, DEFAULT_INITIAL_TTL));
		return true;
	}

	readonly #bestTtl = new Map<string, number>();

	/** A duplicate is forwarded only as a genuine frame, with more hops left than any copy taken before (capped at the domain's). */
	#betterCopy(bytes: Uint8Array, forwarded: Uint8Array): boolean {
		const clear = inClear(bytes);
		if (clear === undefined) return false;
		const id = `${clear.source}/1/${clear.sequence}`;
		const sent = genuine.get(id);
		const best = this.#bestTtl.get(id);
		const ttl = Math.min(clear.ttl, DEFAULT_INITIAL_TTL);
		if (sent === undefined || best === undefined || ttl <= best || toHex(withTtl(bytes, 0)) !== toHex(withTtl(sent.frame, 0))) return false;
		this.#bestTtl.set(id, ttl);
		return toHex(forwarded) === toHex(withTtl(sent.frame, ttl - 1));
	}
}

/**
 * Random frames that mostly get past the cheap checks: alert kind, epoch 1, a known source,
 * masked with the domain's privacy key (what only a member could do; a keyless attacker's
 * header unmasks to random fields and mostly stops at the roster check).
 */
const plausibleFrame = fc
	.record({
		ttl: fc.integer({ min: 0, max: 15 }),
		group: fc.integer({ min: 0, max: 1 }),
		source: fc.constantFrom(1, 2, 3),
		sequence: fc.integer({ min: 0, max: 400 }),
		body: fc.uint8Array({ minLength: 12, maxLength: 244 }),
	})
	.map(({ ttl, group, source, sequence, body }) => {
		const packed = source * 2 ** 19 + sequence;
		const header = Uint8Array.of(ttl, (1 << 5) | group, packed >>> 24, (packed >>> 16) & 255, (packed >>> 8) & 255, packed & 255);
		const clear = encodeAlertFrame(header, body.subarray(0, body.length - 4), body.subarray(body.length - 4));
		// The mask is an XOR that depends only on the tags: unmasking a clear header masks it.
		return inClear(clear)!.bytes;
	});

const randomFrame = fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 260 }), plausibleFrame);

type Mutation =
	| { kind: "flip"; index: number; bit: number }
	| { kind: "set"; index: number; value: number }
	| { kind: "truncate"; length: number }
	| { kind: "extend"; extra: Uint8Array }
	| { kind: "ttl"; ttl: number }
	| { kind: "splice"; other: number; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ kind: fc.constant("flip" as const), index: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
	fc.record({ kind: fc.constant("set" as const), index: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
	fc.record({ kind: fc.constant("truncate" as const), length: fc.nat() }),
	fc.record({ kind: fc.constant("extend" as const), extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
	fc.record({ kind: fc.constant("ttl" as const), ttl: fc.integer({ min: 0, max: 15 }) }),
	fc.record({ kind: fc.constant("splice" as const), other: fc.nat(), at: fc.nat() }),
);

function mutate(frame: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
	let bytes = frame.slice();
	for (const change of mutations) {
		if (change.kind === "flip" && bytes.length > 0) bytes[change.index % bytes.length] ^= 1 << change.bit;
		else if (change.kind === "set" && bytes.length > 0) bytes[change.index % bytes.length] = change.value;
		else if (change.kind === "truncate") bytes = bytes.slice(0, change.length % (bytes.length + 1));
		else if (change.kind === "extend") bytes = Uint8Array.from([...bytes, ...change.extra]);
		else if (change.kind === "ttl" && bytes.length > 0) bytes[0] = (bytes[0] & 0xf0) | change.ttl;
		else if (change.kind === "splice") {
			const other = pool[change.other % pool.length];
			const at = change.at % (Math.min(bytes.length, other.length) + 1);
			bytes = Uint8Array.from([...bytes.subarray(0, at), ...other.subarray(at)]);
		}
	}
	return bytes;
}

const mutatedFrame = fc.tuple(fc.nat({ max: pool.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([index, mutations]) => mutate(pool[index], mutations));

test("the software suite seals the same frames as node:crypto", (t) => {
	const softwareSender = link(SENDERS[0], createSoftwareSuite(createSeededRandom(1)));
	const nodeSender = link(SENDERS[0]);
	for (let i = 0; i < 50; i++) {
		const payload = Uint8Array.of(i, i + 1, i + 2);
		t.is(toHex(softwareSender.sendAlert(0, payload)), toHex(nodeSender.sendAlert(0, payload)));
	}
});

test(`decodeAlertFrame: ${RUNS} random and ${RUNS} mutated frames, no exception, parts re-encode to the input`, (t) => {
	const property = (bytes: Uint8Array) => {
		const decoded = decodeAlertFrame(bytes);
		if (!decoded.ok) return ["truncated", "oversized", "unknown-version", "unknown-kind"].includes(decoded.reason);
		const frame = decoded.frame;
		return bytes.length <= ALERT_FRAME_MAX && toHex(encodeAlertFrame(frame.header, frame.sealedPayload, frame.networkTag)) === toHex(bytes);
	};
	fc.assert(fc.property(randomFrame, property), { numRuns: RUNS, seed: 1 });
	fc.assert(fc.property(mutatedFrame, property), { numRuns: RUNS, seed: 2 });
	t.pass();
});

for (const receiver of RECEIVERS) {
	test(`receive as ${receiver.role} ${receiver.id}: ${RUNS} random frames, none accepted, none throws`, (t) => {
		const secureLink = link(receiver);
		const reasons = new Map<string, number>();
		fc.assert(
			fc.property(randomFrame, (bytes) => {
				const outcome = secureLink.receive(bytes);
				const name = outcome.kind === "rejected" ? outcome.reason : outcome.kind;
				reasons.set(name, (reasons.get(name) ?? 0) + 1);
				return outcome.kind === "rejected" && outcome.relay === undefined;
			}),
			{ numRuns: RUNS, seed: 3 + receiver.id },
		);
		t.true((reasons.get("bad-tag") ?? 0) > RUNS / 10, "the random frames reach the network tag check");
		t.log(Object.fromEntries(reasons));
	});

	test(`receive as ${receiver.role} ${receiver.id}: ${RUNS} mutated genuine frames (plus replays), only genuine alerts read (each once) or relayed`, (t) => {
		let secureLink = link(receiver);
		let verdicts = new Verdicts();
		let run = 0;
		const reasons = new Map<string, number>();
		fc.assert(
			fc.property(mutatedFrame, fc.boolean(), (bytes, alsoReplay) => {
				// A fresh receiver now and then, so TTL-only mutations of frames it never saw get accepted too.
				if (++run % 500 === 0) {
					secureLink = link(receiver);
					verdicts = new Verdicts();
				}
				const outcomes = [secureLink.receive(bytes)];
				if (alsoReplay) outcomes.push(secureLink.receive(bytes));
				for (const outcome of outcomes) {
					const name = outcome.kind === "rejected" ? outcome.reason : outcome.kind;
					reasons.set(name, (reasons.get(name) ?? 0) + 1);
					if (!verdicts.check(bytes, outcome)) return false;
				}
				return true;
			}),
			{ numRuns: RUNS, seed: 4 + receiver.id },
		);
		const acceptedTotal = (reasons.get("alert") ?? 0) + (reasons.get("relay-only") ?? 0);
		t.true(acceptedTotal > 0, "some mutations (TTL, no-op splices) stay genuine and are read or relayed");
		t.log(Object.fromEntries(reasons));
	});
}
