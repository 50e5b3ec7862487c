/**
 * Picket's KKpsk0 handshake (picket/link/handshake) and the sessions it yields
 * (picket/link/session), on the portable software suite: sizes, mutual authentication,
 * typed errors, forward secrecy sanity, replay window, key-epoch delivery chunks.
 */
import { toHex, utf8 } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { HANDSHAKE_MESSAGE_1_LENGTH, HANDSHAKE_MESSAGE_2_LENGTH, HandshakeInitiator, handshakeInitiatorId, respondToHandshake } from "picket/link/handshake";
import { Session } from "picket/link/session";
import { EPOCH_DELIVERY_CHUNK_MAX, decodeSessionCommand, encodeSessionCommand, epochDeliveryChunks, type SessionCommand } from "picket/link/session-command";
import { portableCases } from "picket/test/harness/portable";
import { createTestDomain } from "picket/test/support/handshake-domain";
import { createSeededRandom } from "picket/test/support/seeded-random";

const ALICE = 17;
const BOB = 4242;
const CAROL = 3;

export default portableCases("link/handshake", (test) => {
	const crypto = createSoftwareSuite(createSeededRandom(0x4b4b));
	const domain = createTestDomain(crypto);
	const alice = domain.identity(ALICE);
	const bob = domain.identity(BOB);
	const mallory = domain.identity(666);
	domain.roster.remove(666); // mallory holds the PSK but is not (any more) in the roster

	const handshake = (): { initiator: Session; responder: Session; message1: Uint8Array; message2: Uint8Array } => {
		const start = new HandshakeInitiator(alice, BOB);
		const response = respondToHandshake(bob, start.message1);
		return { initiator: start.finish(response.reply), responder: response.session, message1: start.message1, message2: response.reply };
	};
	const established = handshake();

	/** mac1 as handshake.ts's table defines it, for an insider (who holds the PSK) forging message 1. */
	const withMac1 = (psk: Uint8Array, responderId: number, frame: Uint8Array): Uint8Array => {
		const key = crypto.hmacSha256(psk, utf8("picket v1 mac1"));
		const mac1 = crypto.hmacSha256(key, Uint8Array.of(responderId >>> 8, responderId & 255, ...frame.subarray(0, 47))).subarray(0, 4);
		return Uint8Array.of(...frame.subarray(0, 47), ...mac1);
	};

	test("one round trip, 51 + 45 = 96 bytes on air, sessions agree", (t) => {
		t.is(established.message1.length, HANDSHAKE_MESSAGE_1_LENGTH);
		t.is(established.message2.length, HANDSHAKE_MESSAGE_2_LENGTH);
		t.is(established.message1.length + established.message2.length, 96);
		t.deepEqual(withMac1(bob.psk, BOB, established.message1), established.message1, "mac1 follows the byte table");
		t.is(established.message1[0], 0x11);
		t.is(established.message2[0], 0x12);
		t.is(handshakeInitiatorId(established.message1), ALICE);
		t.is(toHex(established.initiator.handshakeHash), toHex(established.responder.handshakeHash));
		t.is(established.initiator.peerId, BOB);
		t.is(established.responder.peerId, ALICE);
	});

	test("commands cross both ways; the responder confirms its peer on the first frame", (t) => {
		const { initiator, responder } = handshake();
		t.true(initiator.peerConfirmed);
		t.false(responder.peerConfirmed);
		const ack: SessionCommand = { kind: "acknowledge", incident: 65535, origin: 4242 };
		t.deepEqual(responder.open(initiator.seal(ack)), ack);
		t.true(responder.peerConfirmed);
		const silence: SessionCommand = { kind: "silence", incident: 300, origin: 17 };
		t.deepEqual(initiator.open(responder.seal(silence)), silence);
	});

	test("the responder sends no key material before its peer is confirmed", (t) => {
		const { initiator, responder } = handshake();
		const [delivery] = epochDeliveryChunks(new Uint8Array(100).fill(9));
		t.throws(() => responder.seal(delivery), { code: "unconfirmed" });
		responder.open(initiator.seal({ kind: "silence", incident: 0, origin: 17 }));
		t.deepEqual(initiator.open(responder.seal(delivery)), delivery);
	});

	test("a sealed key-epoch delivery crosses in chunks that each fit one frame", (t) => {
		const { initiator, responder } = handshake();
		const delivery = Uint8Array.from({ length: 2 * EPOCH_DELIVERY_CHUNK_MAX + 10 }, (_, i) => i & 255);
		const chunks = epochDeliveryChunks(delivery);
		t.is(chunks.length, 3);
		let joined = "";
		for (const chunk of chunks) {
			const frame = initiator.seal(chunk);
			t.true(frame.length <= 250);
			const received = responder.open(frame);
			if (received.kind !== "epoch-delivery") return t.fail("not an epoch-delivery chunk");
			t.is(received.count, 3);
			joined += toHex(received.bytes);
		}
		t.is(joined, toHex(delivery));
		t.throws(() => epochDeliveryChunks(new Uint8Array(0)), { code: "bad-command-length" });
		t.throws(() => epochDeliveryChunks(new Uint8Array(256 * EPOCH_DELIVERY_CHUNK_MAX)), { code: "bad-command-length" });
	});

	test("every handshake gives fresh session keys (ephemerals), and old frames do not open new sessions", (t) => {
		const first = handshake();
		const second = handshake();
		t.not(toHex(first.initiator.handshakeHash), toHex(second.initiator.handshakeHash));
		const frame = first.initiator.seal({ kind: "silence", incident: 1, origin: 17 });
		t.throws(() => second.responder.open(frame), { code: "bad-tag" });
		t.deepEqual(first.responder.open(frame), { kind: "silence", incident: 1, origin: 17 });
	});

	test("session replay rejected, reordering inside the window accepted, older than the window stale", (t) => {
		const { initiator, responder } = handshake();
		const silence = (incident: number): SessionCommand => ({ kind: "silence", incident, origin: 17 });
		const frames = Array.from({ length: 70 }, (_, i) => initiator.seal(silence(i)));
		t.deepEqual(responder.open(frames[5]), silence(5));
		t.deepEqual(responder.open(frames[2]), silence(2));
		t.throws(() => responder.open(frames[5]), { code: "replayed" });
		t.throws(() => responder.open(frames[2]), { code: "replayed" });
		t.deepEqual(responder.open(frames[69]), silence(69));
		t.deepEqual(responder.open(frames[6]), silence(6));
		t.throws(() => responder.open(frames[5]), { code: "stale" });
		t.throws(() => responder.open(frames[3]), { code: "stale" });
		t.throws(() => responder.open(frames[69]), { code: "replayed" });
	});

	test("a frame from the wrong direction or tampered does not open", (t) => {
		const { initiator, responder } = handshake();
		const frame = initiator.seal({ kind: "acknowledge", incident: 2, origin: 1 });
		t.throws(() => initiator.open(frame), { code: "bad-tag" }); // reflected back to its sender
		for (const index of [0, 1, 4, 5, frame.length - 1]) {
			const tampered = frame.slice();
			tampered[index] ^= index === 0 ? 0x80 : 1;
			t.throws(() => responder.open(tampered), { code: index === 0 ? "unknown-version" : "bad-tag" });
		}
		t.throws(() => responder.open(frame.subarray(0, 13)), { code: "truncated" });
		t.throws(() => responder.open(established.message1), { code: "unexpected-message" });
		t.deepEqual(responder.open(frame), { kind: "acknowledge", incident: 2, origin: 1 });
	});

	test("wrong PSK (another epoch) fails message 1's mac1, before any X25519", (t) => {
		const start = new HandshakeInitiator(domain.identity(ALICE, 2), BOB);
		t.throws(() => respondToHandshake(bob, start.message1), { code: "bad-mac1" });
	});

	test("a forged message 1 costs the responder no X25519; a message 1 for another responder fails mac1 too", (t) => {
		let x25519 = 0;
		const counting = { ...crypto, x25519SharedSecret: (secretKey: Uint8Array, publicKey: Uint8Array) => (x25519++, crypto.x25519SharedSecret(secretKey, publicKey)) };
		const countedBob = { ...bob, crypto: counting };
		const forged = crypto.randomBytes(HANDSHAKE_MESSAGE_1_LENGTH);
		forged.set(Uint8Array.of(0x11, ALICE >>> 8, ALICE & 255), 0);
		t.throws(() => respondToHandshake(countedBob, forged), { code: "bad-mac1" });
		domain.identity(CAROL);
		const forCarol = new HandshakeInitiator(alice, CAROL).message1;
		t.throws(() => respondToHandshake(countedBob, forCarol), { code: "bad-mac1" });
		t.is(x25519, 0);
		respondToHandshake(countedBob, new HandshakeInitiator(alice, BOB).message1);
		t.is(x25519, 4, "a genuine message 1 costs es and ss, its answer ee and se");
	});

	test("a wrong static key fails: impostor initiator, or a roster pinning another key", (t) => {
		// Mallory knows the PSK and claims Alice's id, but signs with her own static key.
		const impostor = { ...mallory, memberId: ALICE, roster: { member: (id: number) => (id === ALICE ? { id, staticPublicKey: mallory.staticKeyPair.publicKey } : domain.roster.member(id)) } };
		const forged = new HandshakeInitiator(impostor, BOB);
		t.throws(() => respondToHandshake(bob, forged.message1), { code: "bad-tag" });
		// Alice's roster pins another key for Bob: es and ss differ, Bob refuses message 1.
		const confused = { ...alice, roster: { member: (id: number) => (id === BOB ? { id, staticPublicKey: mallory.staticKeyPair.publicKey } : domain.roster.member(id)) } };
		t.throws(() => respondToHandshake(bob, new HandshakeInitiator(confused, BOB).message1), { code: "bad-tag" });
		// Bob's roster pins another key for Alice: ss differs, the same.
		const misinformed = { ...bob, roster: { member: (id: number) => (id === ALICE ? { id, staticPublicKey: mallory.staticKeyPair.publicKey } : domain.roster.member(id)) } };
		t.throws(() => respondToHandshake(misinformed, new HandshakeInitiator(alice, BOB).message1), { code: "bad-tag" });
	});

	test("unknown initiator, unknown responder, removed self", (t) => {
		const outsider = { ...mallory, roster: { member: (id: number) => (id === 666 ? { id, staticPublicKey: mallory.staticKeyPair.publicKey } : domain.roster.member(id)) } };
		const start = new HandshakeInitiator(outsider, BOB);
		t.throws(() => respondToHandshake(bob, start.message1), { code: "unknown-sender" });
		t.throws(() => new HandshakeInitiator(alice, 999), { code: "not-in-roster" });
		t.throws(() => new HandshakeInitiator(alice, ALICE), { code: "not-in-roster" });
		t.throws(() => new HandshakeInitiator(mallory, BOB), { code: "not-in-roster" });
	});

	test("tampered message 1 or 2: typed errors, and a forged message 2 leaves the handshake pending", (t) => {
		const start = new HandshakeInitiator(alice, BOB);
		const codes: string[] = [];
		for (const index of [0, 1, 2, 3, 34, 35, 50]) {
			const tampered = start.message1.slice();
			tampered[index] ^= 0x01;
			try {
				respondToHandshake(bob, tampered);
				codes.push("accepted");
			} catch (error) {
				codes.push(isPicketError(error) ? error.code : "untyped");
			}
		}
		t.deepEqual(codes, ["unexpected-message", "unknown-sender", "unknown-sender", "bad-mac1", "bad-mac1", "bad-mac1", "bad-mac1"]);
		// An insider who recomputes mac1 still meets the Noise tag.
		for (const index of [3, 34, 35, 46]) {
			const tampered = start.message1.slice();
			tampered[index] ^= 0x01;
			t.throws(() => respondToHandshake(bob, withMac1(bob.psk, BOB, tampered)), { code: "bad-tag" });
		}
		const response = respondToHandshake(bob, start.message1);
		for (const index of [1, 32, 33, 44]) {
			const tampered = response.reply.slice();
			tampered[index] ^= 0x80;
			t.throws(() => start.finish(tampered), { code: "bad-tag" });
		}
		t.throws(() => start.finish(response.reply.subarray(0, 44)), { code: "truncated" });
		t.throws(() => start.finish(start.message1), { code: "unexpected-message" });
		const session = start.finish(response.reply);
		t.deepEqual(response.session.open(session.seal({ kind: "silence", incident: 3, origin: 17 })), { kind: "silence", incident: 3, origin: 17 });
		t.throws(() => start.finish(response.reply), { code: "unexpected-message" });
	});

	test("framing errors: empty, unknown version, wrong kind, wrong message number, lengths", (t) => {
		const message1 = established.message1;
		t.throws(() => respondToHandshake(bob, new Uint8Array(0)), { code: "truncated" });
		t.throws(() => respondToHandshake(bob, Uint8Array.of(0x91, ...message1.subarray(1))), { code: "unknown-version" });
		t.throws(() => respondToHandshake(bob, Uint8Array.of(0x21, ...message1.subarray(1))), { code: "unexpected-message" });
		t.throws(() => respondToHandshake(bob, Uint8Array.of(0x12, ...message1.subarray(1))), { code: "unexpected-message" });
		t.throws(() => respondToHandshake(bob, message1.subarray(0, 50)), { code: "truncated" });
		t.throws(() => respondToHandshake(bob, Uint8Array.of(...message1, 0)), { code: "oversized" });
	});

	test("a low-order ephemeral is refused as a weak public key", (t) => {
		const lowOrder = new Uint8Array(32); // the point of order 1 (u = 0)
		const start = new HandshakeInitiator(alice, BOB);
		const forged = start.message1.slice();
		forged.set(lowOrder, 3);
		t.throws(() => respondToHandshake(bob, forged), { code: "bad-mac1" });
		t.throws(() => respondToHandshake(bob, withMac1(bob.psk, BOB, forged)), { code: "weak-public-key" });
	});

	test("command codec follows its byte table", (t) => {
		const ack = { kind: "acknowledge", incident: 0x0201, origin: 0x1fff } as const;
		t.deepEqual(encodeSessionCommand(ack), Uint8Array.of(1, 2, 1, 0x1f, 0xff));
		t.deepEqual(decodeSessionCommand(encodeSessionCommand(ack)), ack);
		t.deepEqual(decodeSessionCommand(Uint8Array.of(2, 0, 9, 0, 3)), { kind: "silence", incident: 9, origin: 3 });
		const chunk = encodeSessionCommand({ kind: "epoch-delivery", index: 1, count: 2, bytes: Uint8Array.of(0xaa, 0xbb) });
		t.deepEqual(chunk, Uint8Array.of(3, 1, 2, 0xaa, 0xbb));
		t.deepEqual(decodeSessionCommand(chunk), { kind: "epoch-delivery", index: 1, count: 2, bytes: Uint8Array.of(0xaa, 0xbb) });
		t.throws(() => decodeSessionCommand(Uint8Array.of(9)), { code: "bad-command" });
		t.deepEqual(encodeSessionCommand({ kind: "delivery-ack", epoch: 0x01020304 }), Uint8Array.of(4, 1, 2, 3, 4));
		t.deepEqual(decodeSessionCommand(Uint8Array.of(4, 0, 0, 0, 7)), { kind: "delivery-ack", epoch: 7 });
		t.throws(() => decodeSessionCommand(Uint8Array.of(4, 0, 0, 0)), { code: "bad-command-length" });
		t.throws(() => decodeSessionCommand(Uint8Array.of(5, 0, 0, 0, 0)), { code: "bad-command" });
		t.throws(() => decodeSessionCommand(Uint8Array.of(1, 0, 0)), { code: "bad-command-length" });
		t.throws(() => decodeSessionCommand(Uint8Array.of(2, 1)), { code: "bad-command-length" });
		t.throws(() => decodeSessionCommand(Uint8Array.of(3, 0, 1)), { code: "bad-command-length" });
		t.throws(() => decodeSessionCommand(Uint8Array.of(3, 2, 2, 0)), { code: "bad-command" });
		t.throws(() => decodeSessionCommand(new Uint8Array(0)), { code: "bad-command-length" });
		t.throws(() => encodeSessionCommand({ kind: "acknowledge", incident: 65536, origin: 1 }), { code: "bad-command" });
	});
});
