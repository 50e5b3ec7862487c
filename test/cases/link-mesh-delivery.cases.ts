/**
 * The delivery tracker (picket/link/delivery-tracker): retransmission with backoff until the
 * addressee acknowledges, acknowledgements bound to the addressee, the member heard under an
 * old epoch brought forward; the mesh envelope's codec against its byte table
 * (picket/link/mesh-envelope); and the mesh link's relay rules (picket/link/mesh-link).
 */
import { toHex } from "picket/core/bytes";
import { BROADCAST_MAC } from "picket/device/radio";
import { MeshLink } from "picket/link/mesh-link";
import { SecureLink } from "picket/link/secure-link";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { FixedMembership, epochKeysFor, testMember } from "picket/test/support/link-fixtures";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { DeliveryTracker } from "picket/link/delivery-tracker";
import { decodeMeshEnvelope, meshAddress, meshMember, sealMeshEnvelope, verifyMeshEnvelope, withMeshTtl } from "picket/link/mesh-envelope";
import { portableCases } from "picket/test/harness/portable";
import { FakeTimers } from "picket/test/support/fake-timers";
import { createSeededRandom } from "picket/test/support/seeded-random";

export default portableCases("link/mesh-delivery", (test) => {
	const setup = (options: { attempts?: number } = {}) => {
		const timers = new FakeTimers();
		const sent: { peer: number; at: number }[] = [];
		const acknowledged: number[] = [];
		const tracker = new DeliveryTracker({
			timers,
			send: (peer) => sent.push({ peer, at: timers.now() }),
			onAcknowledged: (peer) => acknowledged.push(peer),
			firstRetryMs: 1_000,
			maxRetryMs: 4_000,
			...options,
		});
		return { timers, sent, acknowledged, tracker };
	};

	test("a delivery is sent again with doubling delays (capped) until its addressee acknowledges the epoch", (t) => {
		const { timers, sent, acknowledged, tracker } = setup();
		tracker.hold(7, Uint8Array.of(1, 2, 3), 2);
		timers.advance(12_000);
		t.deepEqual(sent.map((send) => send.at), [0, 1_000, 3_000, 7_000, 11_000]);
		t.false(tracker.acknowledged(8, 2), "another member's acknowledgement ends nothing");
		t.false(tracker.acknowledged(7, 1), "an older epoch is not this delivery's");
		t.true(tracker.acknowledged(7, 2));
		timers.advance(60_000);
		t.is(sent.length, 5);
		t.deepEqual(acknowledged, [7]);
		t.deepEqual(tracker.waiting, []);
		t.is(timers.pending, 0);
	});

	test("after its last attempt a delivery is still held: its member heard under the old epoch gets it again, at most once a second", (t) => {
		const { timers, sent, tracker } = setup({ attempts: 2 });
		tracker.hold(7, Uint8Array.of(1), 2);
		timers.advance(30_000);
		t.is(sent.length, 2);
		t.is(timers.pending, 0, "given up: no timer left");
		tracker.heardBehind(7);
		tracker.heardBehind(7); // a second old-epoch frame in the same second buys nothing
		tracker.heardBehind(9); // nothing held for 9
		t.deepEqual(sent.slice(2).map((send) => send.peer), [7]);
		timers.advance(1_000);
		tracker.heardBehind(7);
		t.is(sent.length, 4);
		t.true(tracker.acknowledged(7, 3), "a later epoch acknowledges it too");
	});

	test("mesh envelope: byte table, tag over the header with TTL 0, relays change only the TTL", (t) => {
		const crypto = createSoftwareSuite(createSeededRandom(0x3e));
		const key = createSeededRandom(0x3f)(16);
		const inner = Uint8Array.of(0x20, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9);
		const frame = sealMeshEnvelope(crypto, key, { ttl: 4, epoch: 9, flood: true, source: 0x1abc, sequence: 0x12345, destination: 0x0102 }, inner);
		t.is(frame.length, 12 + inner.length);
		t.is(frame[0], 0x34, "version 0, kind 3, TTL 4");
		t.is(frame[1], (1 << 5) | 0x10, "epoch 9 mod 8 = 1, flood bit");
		t.is(toHex(frame.subarray(2, 6)), ((0x1abc * 2 ** 19 + 0x12345) >>> 0).toString(16).padStart(8, "0"));
		t.is(toHex(frame.subarray(6, 8)), "0102");
		const decoded = decodeMeshEnvelope(frame);
		if (!decoded.ok) return t.fail(decoded.reason);
		t.deepEqual([decoded.envelope.source, decoded.envelope.sequence, decoded.envelope.destination, decoded.envelope.ttl, decoded.envelope.flood], [0x1abc, 0x12345, 0x0102, 4, true]);
		t.is(toHex(decoded.envelope.inner), toHex(inner));
		t.true(verifyMeshEnvelope(crypto, key, 9, frame, decoded.envelope));
		const relayed = withMeshTtl(frame, 3);
		const relayedDecoded = decodeMeshEnvelope(relayed);
		t.true(relayedDecoded.ok && verifyMeshEnvelope(crypto, key, 9, relayed, relayedDecoded.envelope), "the TTL is outside the tag");
		t.false(verifyMeshEnvelope(crypto, key, 17, frame, decoded.envelope), "the full epoch is in the nonce");
		for (const offset of [1, 5, 7, 8, frame.length - 1]) {
			const tampered = frame.slice();
			tampered[offset] ^= 1;
			const again = decodeMeshEnvelope(tampered);
			t.false(again.ok && verifyMeshEnvelope(crypto, key, 9, tampered, again.envelope), `byte ${offset}`);
		}
		t.deepEqual(decodeMeshEnvelope(frame.subarray(0, 12)), { ok: false, reason: "truncated" });
		t.deepEqual(decodeMeshEnvelope(Uint8Array.of(0x24, ...frame.subarray(1))), { ok: false, reason: "unknown-kind" });
		t.is(meshMember(meshAddress(0x1abc)), 0x1abc);
		t.is(meshMember(Uint8Array.of(2, 0, 0, 0, 0, 1)), undefined, "a station's MAC is no mesh address");
		t.is(meshAddress(1)[0] & 1, 1, "the group bit: never a station's MAC");
	});

	test("mesh link: a relay forwards an envelope along the learnt route with TTL − 1, never twice, never a non-member's, and floods at most its budget", (t) => {
		const crypto = createSoftwareSuite(createSeededRandom(0x40));
		const members = [1, 2, 3, 4].map((id) => testMember(id, "responder", [0]));
		const membership = new FixedMembership(members);
		const timers = new FakeTimers();
		const node = (self: number, floodBudget = 4) => {
			const link = new SecureLink({ crypto, storage: new MemoryStorage(), random: createSeededRandom(self), membership, self });
			link.installEpoch(epochKeysFor(crypto, members[self - 1], 1), { keepPrevious: false });
			const sent: { frame: Uint8Array; to: Uint8Array }[] = [];
			const mesh = new MeshLink({ link, timers, random: createSeededRandom(self + 10), self, floodBudget, transmit: (frame, to) => sent.push({ frame, to }) });
			return { link, mesh, sent };
		};
		const origin = node(1);
		const relay = node(2, 1);
		const originMac = Uint8Array.of(2, 0, 0, 0, 0, 1);
		const responderMac = Uint8Array.of(2, 0, 0, 0, 0, 3);
		relay.mesh.heard(1, originMac); // the first copy of member 1's alert came from its own MAC
		const responder = node(3);
		responder.mesh.send(1, Uint8Array.of(0x11, 1, 2, 3));
		const [envelope] = responder.sent;
		t.deepEqual(envelope.to, BROADCAST_MAC, "no route known yet at the responder: flooded");
		const routed = relay.mesh.receive(envelope.frame, responderMac);
		if (routed.kind !== "relay" || routed.relay === undefined) return t.fail(routed.kind);
		t.deepEqual(routed.relay.to, BROADCAST_MAC, "the flood bit: relays do not route it");
		t.is(routed.relay.frame[0] & 15, (envelope.frame[0] & 15) - 1);
		t.deepEqual(relay.mesh.receive(envelope.frame, responderMac), { kind: "rejected", reason: "duplicate" });
		const delivered = origin.mesh.receive(routed.relay.frame, Uint8Array.of(2, 0, 0, 0, 0, 2));
		t.deepEqual(delivered.kind === "deliver" ? [delivered.source, toHex(delivered.inner)] : delivered, [3, "11010203"]);
		// The origin answers along the route the envelope taught it; the relay routes the answer back (it learnt that too).
		origin.mesh.send(3, Uint8Array.of(0x12, 9));
		const answer = origin.sent[0];
		t.deepEqual(answer.to, Uint8Array.of(2, 0, 0, 0, 0, 2));
		relay.mesh.heard(3, responderMac);
		const back = relay.mesh.receive(answer.frame, Uint8Array.of(2, 0, 0, 0, 0, 2));
		t.true(back.kind === "relay" && back.relay !== undefined && toHex(back.relay.to) === toHex(responderMac), "routed, not flooded");
		// A non-member's envelope (sealed with the network key, naming source 9) dies at the first hop.
		const stranger = new SecureLink({ crypto, storage: new MemoryStorage(), random: createSeededRandom(9), membership: new FixedMembership([...members, testMember(9, "relay", [])]), self: 9 });
		stranger.installEpoch(epochKeysFor(crypto, members[0], 1), { keepPrevious: false });
		t.deepEqual(relay.mesh.receive(stranger.sealEnvelope(1, Uint8Array.of(0x11), true, false), responderMac), { kind: "rejected", reason: "unknown-sender" });
		// Budget 1 flood a second: a second flooded envelope within the second is not forwarded.
		responder.mesh.send(4, Uint8Array.of(0x11, 4));
		const second = relay.mesh.receive(responder.sent[1].frame, responderMac);
		t.true(second.kind === "relay" && second.relay === undefined, "over the flood budget");
		timers.advance(1_000);
		responder.mesh.send(4, Uint8Array.of(0x11, 5));
		const third = relay.mesh.receive(responder.sent[2].frame, responderMac);
		t.true(third.kind === "relay" && third.relay !== undefined, "the budget refills");
	});
});
