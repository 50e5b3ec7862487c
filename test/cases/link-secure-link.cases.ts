import { createSoftwareSuite } from "picket/crypto/software-suite";
import { toHex, writeU32 } from "picket/core/bytes";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { decodeAlertFrame, withTtl } from "picket/link/alert-frame";
import { deobfuscateAlertFrame, sealAlert } from "picket/link/alert-layers";
import { derivePrivacyKey } from "picket/link/key-schedule";
import type { Member, Membership } from "picket/link/membership";
import { SecureLink, type ReceiveOutcome } from "picket/link/secure-link";
import { portableCases } from "picket/test/harness/portable";
import { FixedMembership, countingSuite, epochKeysFor, testMember } from "picket/test/support/link-fixtures";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { slotName } from "picket/core/power-safe-storage";
import { createSeededRandom } from "picket/test/support/seeded-random";

const SENSOR = testMember(1, "sensor", [0]);
const RESPONDER = testMember(2, "responder", [0, 1]);
const RELAY = testMember(3, "relay", []);
const ALARM = testMember(4, "alarm", [1]);
const REVOKED = testMember(5, "sensor", [0]);
const ROSTER = new FixedMembership([SENSOR, RESPONDER, RELAY, ALARM, REVOKED]);
const PAYLOAD = Uint8Array.of(0x4d, 0x01); // "motion, zone 1"

const random = createSeededRandom(42);
const software = createSoftwareSuite(random);
/** The keys a holder of `networkKey` seals the network layer and masks the header with. */
const networkKeys = (networkKey: Uint8Array) => ({ networkKey, privacyKey: derivePrivacyKey(software, networkKey) });

/** The sequence a frame of `epoch` carries (its low 19 bits), read as a holder of that epoch's network key reads it. */
function sequenceOf(bytes: Uint8Array, epoch = 1): number {
	const decoded = decodeAlertFrame(bytes);
	if (!decoded.ok) throw new Error(decoded.reason);
	return deobfuscateAlertFrame(software, networkKeys(epochKeysFor(software, RELAY, epoch).networkKey).privacyKey, decoded.frame).sequence;
}

interface NodeOptions {
	crypto?: CryptoSuite;
	storage?: MemoryStorage;
	membership?: Membership;
	duplicateCapacity?: number;
	epoch?: number;
}

function node(member: Member, options: NodeOptions = {}): SecureLink {
	const crypto = options.crypto ?? software;
	const link = new SecureLink({
		crypto,
		storage: options.storage ?? new MemoryStorage(),
		random,
		membership: options.membership ?? ROSTER,
		self: member.id,
		duplicateCapacity: options.duplicateCapacity ?? 16,
	});
	link.installEpoch(epochKeysFor(software, member, options.epoch ?? 1), { keepPrevious: false });
	return link;
}

function reason(outcome: ReceiveOutcome): string {
	return outcome.kind === "rejected" ? outcome.reason : outcome.kind;
}

export default portableCases("link/secure-link", (test) => {
	test("a group member reads the alert and relays it with TTL − 1", (t) => {
		const frame = node(SENSOR).sendAlert(0, PAYLOAD);
		const outcome = node(RESPONDER).receive(frame);
		if (outcome.kind !== "alert") return t.fail(reason(outcome));
		t.deepEqual([outcome.source, outcome.group, outcome.epoch, outcome.sequence], [1, 0, 1, 0]);
		t.deepEqual(outcome.payload, PAYLOAD);
		const relayed = outcome.relay === undefined ? undefined : decodeAlertFrame(outcome.relay.frame);
		t.true(relayed !== undefined && relayed.ok && relayed.frame.ttl === 3);
	});

	test("a relay and a member of another group forward without reading", (t) => {
		const frame = node(SENSOR).sendAlert(0, PAYLOAD);
		for (const member of [RELAY, ALARM]) {
			const outcome = node(member).receive(frame);
			t.is(outcome.kind, "relay-only");
			t.false("payload" in outcome);
			t.true(outcome.relay !== undefined);
		}
	});

	test("relayed copies are duplicates, never replays; a copy alone is delivered", (t) => {
		const sensor = node(SENSOR);
		const relay = node(RELAY);
		const frame = sensor.sendAlert(0, PAYLOAD);
		const relayed = relay.receive(frame).relay;
		if (relayed === undefined) return t.fail("relay must forward");
		const responder = node(RESPONDER);
		t.is(responder.receive(frame).kind, "alert");
		t.is(reason(responder.receive(relayed.frame)), "duplicate");
		t.is(reason(responder.receive(frame)), "duplicate");
		t.is(reason(sensor.receive(relayed.frame)), "duplicate", "its own alert echoed back");
		t.is(reason(relay.receive(relayed.frame)), "duplicate");
		t.is(node(RESPONDER).receive(relayed.frame).kind, "alert");
		const last = node(RESPONDER).receive(withTtl(frame, 0));
		t.is(last.kind, "alert");
		t.is(last.relay, undefined, "TTL 0 is delivered, not forwarded");
	});

	test("issue 12 item 1: a copy rewritten to TTL 0 that arrives first does not stop the genuine copy; TTLs above the domain's are capped", (t) => {
		const frame = node(SENSOR).sendAlert(0, PAYLOAD);
		for (const member of [RELAY, RESPONDER]) {
			const link = node(member);
			const zeroed = link.receive(withTtl(frame, 0));
			t.not(zeroed.kind, "rejected");
			t.is(zeroed.relay, undefined, "TTL 0 travels no further");
			const genuine = link.receive(frame);
			t.is(reason(genuine), "duplicate", "read once");
			const forwarded = genuine.relay === undefined ? undefined : decodeAlertFrame(genuine.relay.frame);
			t.true(forwarded !== undefined && forwarded.ok && forwarded.frame.ttl === 3, `${member.role} forwards the copy with more hops left`);
			t.is(link.receive(frame).relay, undefined, "forwarded once per TTL");
			t.is(link.receive(withTtl(frame, 2)).relay, undefined, "a copy with fewer hops left is a plain duplicate");
		}
		const capped = node(RELAY).receive(withTtl(frame, 15)).relay;
		const cappedFrame = capped === undefined ? undefined : decodeAlertFrame(capped.frame);
		t.true(cappedFrame !== undefined && cappedFrame.ok && cappedFrame.frame.ttl === 3, "TTL 15 counts as the domain's 4");
		const relay = node(RELAY);
		relay.receive(frame);
		t.is(relay.receive(withTtl(frame, 15)).relay, undefined, "raising the TTL beyond the domain's buys nothing");
		const damaged = withTtl(frame, 0);
		damaged[7] ^= 1; // same identity (source, sequence, network tag; the mask too: byte 7 is ciphertext), other content
		const other = node(RELAY);
		t.is(reason(other.receive(withTtl(frame, 0))), "relay-only");
		const upgraded = withTtl(damaged, 4);
		t.is(reason(other.receive(upgraded)), "bad-tag", "a higher-TTL copy is checked before it is forwarded");
	});

	test("CCM and X25519 operations: send 2, read 2, relay-only 1, duplicate 0", (t) => {
		const counting = countingSuite(software);
		const sensor = node(SENSOR, { crypto: counting.suite });
		const responder = node(RESPONDER, { crypto: counting.suite });
		const relay = node(RELAY, { crypto: counting.suite });
		counting.reset();
		const frame = sensor.sendAlert(0, PAYLOAD);
		t.deepEqual({ ...counting.counts }, { ccm: 2, x25519: 0 });
		counting.reset();
		responder.receive(frame);
		t.deepEqual({ ...counting.counts }, { ccm: 2, x25519: 0 });
		counting.reset();
		relay.receive(frame);
		t.deepEqual({ ...counting.counts }, { ccm: 1, x25519: 0 });
		counting.reset();
		responder.receive(frame);
		t.deepEqual({ ...counting.counts }, { ccm: 0, x25519: 0 });
	});

	test("flipping any obfuscated header bit (group, source, sequence) gets the frame rejected, nothing remembered", (t) => {
		const frame = node(SENSOR).sendAlert(0, PAYLOAD);
		const responder = node(RESPONDER);
		const relay = node(RELAY);
		const maskedBits: [number, number][] = [0, 1, 2, 3, 4].map((bit): [number, number] => [1, 1 << bit]);
		for (const offset of [2, 3, 4, 5]) for (let bit = 0; bit < 8; bit++) maskedBits.push([offset, 1 << bit]);
		t.is(maskedBits.length, 37);
		for (const [offset, bit] of maskedBits) {
			const altered = frame.slice();
			altered[offset] ^= bit;
			t.is(responder.receive(altered).kind, "rejected", `byte ${offset} bit ${bit}`);
			t.is(relay.receive(altered).kind, "rejected", `relay: byte ${offset} bit ${bit}`);
		}
		t.is(responder.receive(frame).kind, "alert", "the genuine frame is still read after them");
		t.is(relay.receive(frame).kind, "relay-only");
	});

	test("forgeries and strangers are rejected with their reason", (t) => {
		const frame = node(SENSOR).sendAlert(0, PAYLOAD);
		const altered = frame.slice();
		altered[7] ^= 1;
		t.is(reason(node(RESPONDER).receive(altered)), "bad-tag");
		// A stranger: member 9 is in its own roster but not in the receivers'.
		const stranger = testMember(9, "sensor", [0]);
		const strangerFrame = node(stranger, { membership: new FixedMembership([stranger]) }).sendAlert(0, PAYLOAD);
		t.is(reason(node(RESPONDER).receive(strangerFrame)), "unknown-sender");
		// The sensor claims group 1, which the receivers' roster does not grant it.
		const ambitious = testMember(1, "sensor", [0, 1]);
		const ambitiousFrame = node(ambitious, { membership: new FixedMembership([ambitious]) }).sendAlert(1, PAYLOAD);
		t.is(reason(node(RESPONDER).receive(ambitiousFrame)), "not-authorised");
		// An insider with the network key (the relay) forges group-0 content under a made-up group key.
		const relayKeys = epochKeysFor(software, RELAY, 1);
		const insider = sealAlert(software, { ...networkKeys(relayKeys.networkKey), groupKey: new Uint8Array(16) }, { ttl: 4, epoch: 1, group: 0, source: 1, sequence: 77 }, PAYLOAD);
		const responder = node(RESPONDER);
		const insiderOutcome = responder.receive(insider);
		t.is(reason(insiderOutcome), "bad-app-tag");
		t.is(insiderOutcome.relay, undefined);
		t.is(node(RELAY).receive(insider).kind, "relay-only", "a relay cannot tell: the app layer is what keeps insiders out of content");
		t.is(reason(node(RESPONDER, { epoch: 2 }).receive(frame)), "wrong-epoch");
		t.is(reason(node(RESPONDER).receive(new Uint8Array(3))), "truncated");
	});

	/** What any member can do with the network key alone: a frame "from" `source`, content sealed under a key it made up. */
	const insiderForgery = (source: number, group: number, sequence: number) =>
		sealAlert(software, { ...networkKeys(epochKeysFor(software, ALARM, 1).networkKey), groupKey: new Uint8Array(16).fill(7) }, { ttl: 4, epoch: 1, group, source, sequence }, PAYLOAD);

	test("an insider forging a far-ahead sequence does not make relays drop the source's genuine alerts", (t) => {
		// ALARM (group 1 only) claims "sensor, group 0, sequence 100000": relays cannot tell and forward it,
		// but it must not move the sensor's window there, or every genuine sensor alert would be "too-old".
		const relayStorage = new MemoryStorage();
		const relay = node(RELAY, { storage: relayStorage });
		const responder = node(RESPONDER);
		const forged = insiderForgery(SENSOR.id, 0, 100_000);
		t.is(relay.receive(forged).kind, "relay-only");
		t.is(reason(responder.receive(forged)), "bad-app-tag", "a reader of group 0 is not fooled");
		const sensor = node(SENSOR);
		const genuine = sensor.sendAlert(0, PAYLOAD);
		const relayed = relay.receive(genuine);
		t.is(reason(relayed), "relay-only");
		t.true(relayed.relay !== undefined, "the genuine alert travels on");
		t.is(responder.receive(genuine).kind, "alert");
		t.is(node(RELAY, { storage: relayStorage }).receive(sensor.sendAlert(0, PAYLOAD)).kind, "relay-only", "nothing poisoned was persisted either");
	});

	test("an insider forging the source's next sequence does not shadow the genuine frame as a duplicate", (t) => {
		const sensor = node(SENSOR);
		const relay = node(RELAY);
		const otherGroup = node(ALARM);
		const responder = node(RESPONDER);
		const forged = insiderForgery(SENSOR.id, 0, 0); // sequence 0 is the sensor's next: predictable
		for (const link of [relay, otherGroup]) t.is(link.receive(forged).kind, "relay-only");
		t.is(reason(responder.receive(forged)), "bad-app-tag");
		const genuine = sensor.sendAlert(0, PAYLOAD);
		for (const link of [relay, otherGroup]) {
			const outcome = link.receive(genuine);
			t.is(reason(outcome), "relay-only");
			t.true(outcome.relay !== undefined);
			t.is(reason(link.receive(withTtl(genuine, 2))), "duplicate", "relayed copies of the genuine frame are still duplicates");
			t.is(reason(link.receive(withTtl(forged, 2))), "duplicate", "and so are copies of the forgery: each is flooded once");
		}
		t.is(responder.receive(genuine).kind, "alert");
		t.is(reason(responder.receive(forged)), "replayed", "after the genuine frame, the forgery dies at the window (1 CCM)");
	});

	test("accepted cost: an old frame replayed after it left a relay's duplicate cache is relayed again; readers still reject it", (t) => {
		const sensor = node(SENSOR);
		const first = sensor.sendAlert(0, PAYLOAD);
		const second = sensor.sendAlert(0, PAYLOAD);
		const relay = node(RELAY, { duplicateCapacity: 1 });
		const responder = node(RESPONDER, { duplicateCapacity: 1 });
		for (const frame of [first, second]) {
			t.is(relay.receive(frame).kind, "relay-only");
			t.is(responder.receive(frame).kind, "alert");
		}
		t.is(relay.receive(first).kind, "relay-only", "the relay has only its bounded cache for frames it cannot read");
		t.is(reason(responder.receive(first)), "replayed");
	});

	test("issue 12 item 4: a relay does not re-flood frames more than 64 below their source's highest, even after a reboot empties its memory", (t) => {
		const sensor = node(SENSOR);
		const frames = Array.from({ length: 100 }, () => sensor.sendAlert(0, PAYLOAD));
		const storage = new MemoryStorage();
		const relay = node(RELAY, { duplicateCapacity: 4, storage });
		for (const frame of frames) t.not(relay.receive(frame).relay, undefined);
		const relayed = (link: SecureLink, frame: Uint8Array) => link.receive(withTtl(frame, 15)).relay !== undefined;
		t.deepEqual([0, 10, 35].map((index) => reason(relay.receive(withTtl(frames[index], 15)))), ["too-old", "too-old", "too-old"]);
		t.true(relayed(relay, frames[40]), "among the last 64 and out of the 4-frame memory: relayed once more");
		t.false(relayed(relay, frames[40]), "then remembered");
		const rebooted = node(RELAY, { duplicateCapacity: 4, storage });
		t.deepEqual([0, 10, 20].map((index) => reason(rebooted.receive(frames[index]))), ["too-old", "too-old", "too-old"], "the horizon is stored");
		t.is(storage.writes <= 100 / 16 + 2, true, `${storage.writes} writes for 100 alerts relayed`);
		// An insider's far-ahead forgery does not move the horizon: the source's next alerts still travel.
		const insider = sealAlert(software, { ...networkKeys(epochKeysFor(software, RELAY, 1).networkKey), groupKey: new Uint8Array(16) }, { ttl: 4, epoch: 1, group: 0, source: 1, sequence: 524_287 }, PAYLOAD);
		t.is(relay.receive(insider).kind, "relay-only");
		t.true(relayed(relay, sensor.sendAlert(0, PAYLOAD)));
	});

	test("issue 12 item 6: past 2^19 the sender goes on into the next era; readers and relays follow, and no nonce repeats", (t) => {
		const storage = new MemoryStorage();
		const reservation = new Uint8Array(8);
		writeU32(reservation, 0, 1);
		// A sensor that has used 524,216 sequences of epoch 1; a lone record may be one block behind, so it resumes at 524,280.
		writeU32(reservation, 4, 524_216);
		storage.write("picket-link", "seq", reservation);
		const sensor = node(SENSOR, { storage });
		const responder = node(RESPONDER);
		const relay = node(RELAY);
		const sealed = new Set<string>();
		for (let i = 0; i < 20; i++) {
			const frame = sensor.sendAlert(0, PAYLOAD);
			t.is(sequenceOf(frame), (524_280 + i) % 524_288, "the low 19 bits travel");
			const read = responder.receive(frame);
			t.is(read.kind, "alert", `alert ${i}`);
			t.is(read.kind === "alert" ? read.sequence : -1, 524_280 + i, "the reader infers the era");
			t.not(relay.receive(frame).relay, undefined, `the relay forwards alert ${i}`);
			sealed.add(toHex(frame.subarray(6)));
		}
		t.is(reason(responder.receive(sensor.sendAlert(0, PAYLOAD))), "alert");
		// The first alert of era 1 and an era-0 alert with the same 19 bits: other nonces, other bytes.
		const era0 = node(SENSOR).sendAlert(0, PAYLOAD);
		t.false(sealed.has(toHex(era0.subarray(6))));
		t.is(reason(node(RELAY).receive(withTtl(era0, 3))), "relay-only", "era 0 still verifies where nothing is held");
	});

	test("replays and old frames past the duplicate cache hit the replay window", (t) => {
		const sensor = node(SENSOR);
		const frames = Array.from({ length: 70 }, () => sensor.sendAlert(0, PAYLOAD));
		const responder = node(RESPONDER, { duplicateCapacity: 1 });
		t.is(responder.receive(frames[0]).kind, "alert");
		t.is(responder.receive(frames[1]).kind, "alert");
		t.is(reason(responder.receive(frames[0])), "replayed");
		t.is(responder.receive(frames[65]).kind, "alert", "1 + 64: the furthest one frame moves the window");
		t.is(reason(responder.receive(frames[1])), "too-old");
		t.is(responder.receive(frames[10]).kind, "alert", "65 − 10 < 64: late but in the window");
	});

	test("reboots: the sender never reuses a sequence, the receiver still knows what it accepted", (t) => {
		const senderStorage = new MemoryStorage();
		const receiverStorage = new MemoryStorage();
		const first = node(SENSOR, { storage: senderStorage }).sendAlert(0, PAYLOAD);
		t.is(node(RESPONDER, { storage: receiverStorage }).receive(first).kind, "alert");
		const second = node(SENSOR, { storage: senderStorage }).sendAlert(0, PAYLOAD);
		t.true(sequenceOf(second) > sequenceOf(first));
		const rebooted = node(RESPONDER, { storage: receiverStorage });
		t.is(reason(rebooted.receive(first)), "replayed");
		t.is(rebooted.receive(second).kind, "alert");
	});

	test("a sequence counter damaged in flash: no alert sent in the epoch in use, alerts still read and relayed, the next epoch sends", (t) => {
		const senderStorage = new MemoryStorage();
		const sensor = node(SENSOR, { storage: senderStorage });
		for (let i = 0; i < 70; i++) sensor.sendAlert(0, PAYLOAD); // two reservations: both records written
		for (const slot of [0, 1]) senderStorage.flash.flipBit("picket-link", slotName("seq", slot), 40);
		const rebooted = node(SENSOR, { storage: senderStorage });
		t.throws(() => rebooted.sendAlert(0, PAYLOAD), { code: "counter-corrupt" });
		const heard = rebooted.receive(node(RESPONDER).sendAlert(0, PAYLOAD));
		t.is(heard.kind, "alert", "it still reads");
		t.true(heard.kind === "alert" && heard.relay !== undefined, "and relays");
		rebooted.installEpoch(epochKeysFor(software, SENSOR, 2), { keepPrevious: false });
		t.is(sequenceOf(rebooted.sendAlert(0, PAYLOAD), 2), 0, "a new epoch is a fresh nonce space");
	});

	test("rotation with grace: both epochs are read until the previous one retires; no cross-epoch replay", (t) => {
		const sensor = node(SENSOR);
		const responder = node(RESPONDER, { duplicateCapacity: 1 });
		const oldFrame = sensor.sendAlert(0, PAYLOAD);
		const olderFrame = sensor.sendAlert(0, PAYLOAD);
		responder.installEpoch(epochKeysFor(software, RESPONDER, 2), { keepPrevious: true });
		t.is(responder.graceEpoch, 1);
		t.is(responder.receive(oldFrame).kind, "alert", "a sender not yet rotated is still heard");
		sensor.installEpoch(epochKeysFor(software, SENSOR, 2), { keepPrevious: true });
		const newFrame = sensor.sendAlert(0, PAYLOAD);
		t.is(sequenceOf(newFrame, 2), 0, "a new epoch restarts the sequence");
		const outcome = responder.receive(newFrame);
		t.true(outcome.kind === "alert" && outcome.epoch === 2);
		t.is(reason(responder.receive(olderFrame)), "wrong-epoch", "the source moved on to epoch 2");
		responder.retirePreviousEpoch();
		t.is(reason(node(RESPONDER, { epoch: 2 }).receive(oldFrame)), "wrong-epoch");
		t.throws(() => responder.installEpoch(epochKeysFor(software, RESPONDER, 1), { keepPrevious: true }), { code: "epoch-rollback" });
	});

	test("an epoch with the same key-id bits (8 later) starts with no duplicates of the old one", (t) => {
		// Sequences restart at 0 in every epoch, and the duplicate cache keys on epoch mod 8:
		// an entry left from epoch 1 must not swallow the first alerts of epoch 9.
		const sensor = node(SENSOR);
		const responder = node(RESPONDER);
		t.is(responder.receive(sensor.sendAlert(0, PAYLOAD)).kind, "alert");
		sensor.installEpoch(epochKeysFor(software, SENSOR, 9), { keepPrevious: false });
		responder.installEpoch(epochKeysFor(software, RESPONDER, 9), { keepPrevious: false });
		const outcome = responder.receive(sensor.sendAlert(0, PAYLOAD));
		t.true(outcome.kind === "alert" && outcome.epoch === 9 && outcome.sequence === 0, reason(outcome));
		for (let epoch = 10; epoch <= 17; epoch++) {
			sensor.installEpoch(epochKeysFor(software, SENSOR, epoch), { keepPrevious: true });
			responder.installEpoch(epochKeysFor(software, RESPONDER, epoch), { keepPrevious: true });
		}
		t.is(responder.receive(sensor.sendAlert(0, PAYLOAD)).kind, "alert", "one rotation at a time, with grace, back to the same bits");
	});

	test("revocation: the revoked device can neither read new alerts nor get its frames relayed", (t) => {
		const revoked = node(REVOKED);
		const rosterAfter = new FixedMembership([SENSOR, RESPONDER, RELAY, ALARM], 2);
		const remaining = (member: Member) => {
			const link = node(member, { membership: rosterAfter });
			link.installEpoch(epochKeysFor(software, member, 2), { keepPrevious: false });
			return link;
		};
		const relay = remaining(RELAY);
		const responder = remaining(RESPONDER);
		const fromRevoked = revoked.sendAlert(0, PAYLOAD);
		t.is(reason(relay.receive(fromRevoked)), "wrong-epoch");
		t.is(reason(responder.receive(fromRevoked)), "wrong-epoch");
		const newAlert = remaining(SENSOR).sendAlert(0, PAYLOAD);
		t.is(reason(revoked.receive(newAlert)), "wrong-epoch");
	});

	test("local mistakes throw typed errors", (t) => {
		t.throws(() => node(RELAY).sendAlert(0, PAYLOAD), { code: "not-authorised" });
		t.throws(() => node(SENSOR).sendAlert(1, PAYLOAD), { code: "not-authorised" });
		t.throws(() => node(SENSOR).sendAlert(0, new Uint8Array(233)), { code: "payload-too-long" });
		t.is(node(SENSOR).sendAlert(0, new Uint8Array(232)).length, 250);
		const bare = new SecureLink({ crypto: software, storage: new MemoryStorage(), random, membership: ROSTER, self: 1 });
		t.throws(() => bare.sendAlert(0, PAYLOAD), { code: "no-keys" });
		t.throws(() => bare.installEpoch({ epoch: 1, networkKey: new Uint8Array(15), groupKeys: new Map() }, { keepPrevious: false }), { code: "bad-key" });
		t.is(reason(bare.receive(node(SENSOR).sendAlert(0, PAYLOAD))), "wrong-epoch", "no keys at all");
	});
});
