/**
 * The gateway ↔ command post channel (picket/gateway/post-link) and its messages: mutual
 * authentication from the roster, and every refusal the issue names — a gateway not in the
 * roster, a post whose key does not match, a wrong PSK, a replayed, altered or re-ordered
 * frame — with its typed code.
 */
import { isPicketError } from "picket/core/picket-error";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { decodeHeartbeat, encodeHeartbeat, HEARTBEAT_LENGTH, ReceiptFlag } from "picket/device/heartbeat";
import { Supervision } from "picket/device/supervision";
import { deriveHandshakePsk } from "picket/link/key-schedule";
import type { Member } from "picket/link/membership";
import { POST_LINK_MESSAGE_1_LENGTH, POST_LINK_MESSAGE_2_LENGTH, PostLinkInitiator, type PostLinkIdentity, acceptGateway } from "picket/gateway/post-link";
import { decodePostMessage, encodePostMessage, type PostMessage } from "picket/gateway/post-messages";
import { portableCases } from "picket/test/harness/portable";
import { TEST_DOMAIN_ID, TEST_DOMAIN_SECRET } from "picket/test/support/handshake-domain";
import { createSeededRandom } from "picket/test/support/seeded-random";

const GATEWAY = 30;
const POST = 40;
const SENSOR = 5;

export default portableCases("gateway/post-link", (test) => {
	const crypto = createSoftwareSuite(createSeededRandom(0x9057));
	const members = new Map<number, Member>();
	const keys = new Map<number, ReturnType<typeof crypto.x25519KeyPair>>();
	for (const [id, role] of [[GATEWAY, "gateway"], [POST, "post"], [SENSOR, "sensor"]] as const) {
		const pair = crypto.x25519KeyPair();
		keys.set(id, pair);
		members.set(id, { id, role, groups: role === "post" ? 0 : 1, staticPublicKey: pair.publicKey });
	}
	const roster = { member: (id: number) => members.get(id), epoch: 1 };
	const psk = deriveHandshakePsk(crypto, TEST_DOMAIN_ID, TEST_DOMAIN_SECRET, 1);
	const identity = (id: number, overrides: Partial<PostLinkIdentity> = {}): PostLinkIdentity => ({ crypto, domainId: TEST_DOMAIN_ID, memberId: id, staticKeyPair: keys.get(id)!, psk, roster, ...overrides });
	const code = (step: () => unknown): string => {
		try {
			step();
			return "none";
		} catch (error) {
			return isPicketError(error) ? error.code : `not a PicketError: ${String(error)}`;
		}
	};
	const connect = () => {
		const initiator = new PostLinkInitiator(identity(GATEWAY), POST);
		const { reply, channel: atPost } = acceptGateway(identity(POST), initiator.message1);
		return { atGateway: initiator.finish(reply), atPost };
	};

	test("a roster gateway and the post authenticate each other in 50 + 48 bytes and agree on the channel", (t) => {
		const initiator = new PostLinkInitiator(identity(GATEWAY), POST);
		t.is(initiator.message1.length, POST_LINK_MESSAGE_1_LENGTH);
		const { reply, channel: atPost } = acceptGateway(identity(POST), initiator.message1);
		t.is(reply.length, POST_LINK_MESSAGE_2_LENGTH);
		const atGateway = initiator.finish(reply);
		t.deepEqual(atGateway.handshakeHash, atPost.handshakeHash);
		t.is(atPost.peerId, GATEWAY);
		t.deepEqual(Array.from(atPost.open(atGateway.seal(Uint8Array.of(1, 2, 3)))), [1, 2, 3]);
		t.deepEqual(Array.from(atGateway.open(atPost.seal(Uint8Array.of(4)))), [4]);
	});

	test("a member that is not a gateway, or an id outside the roster, is refused before any key work", (t) => {
		const asSensor = new PostLinkInitiator(identity(SENSOR), POST);
		t.is(code(() => acceptGateway(identity(POST), asSensor.message1)), "unknown-gateway");
		const stranger = Uint8Array.from(asSensor.message1);
		stranger[0] = 0x1f; // id 0x1f05: nobody
		t.is(code(() => acceptGateway(identity(POST), stranger)), "unknown-gateway");
	});

	test("a gateway told to reach a member that is not the post refuses", (t) => {
		t.is(code(() => new PostLinkInitiator(identity(GATEWAY), SENSOR)), "not-a-post");
	});

	test("a post whose key does not match the roster's, or a wrong PSK, fails the handshake tag", (t) => {
		const impostor = { ...identity(POST), staticKeyPair: crypto.x25519KeyPair() };
		const initiator = new PostLinkInitiator(identity(GATEWAY), POST);
		// The impostor's own roster entry does not match its key: it cannot even answer.
		t.is(code(() => acceptGateway(impostor, initiator.message1)), "not-a-post");
		// With a roster that lists the impostor's key, the genuine gateway's message 1 (made for the real key) fails.
		const forged = new Map(members);
		forged.set(POST, { ...members.get(POST)!, staticPublicKey: impostor.staticKeyPair.publicKey });
		t.is(code(() => acceptGateway({ ...impostor, roster: { member: (id: number) => forged.get(id), epoch: 1 } }, initiator.message1)), "bad-tag");
		const otherEpoch = identity(POST, { psk: deriveHandshakePsk(crypto, TEST_DOMAIN_ID, TEST_DOMAIN_SECRET, 2) });
		t.is(code(() => acceptGateway(otherEpoch, initiator.message1)), "bad-tag");
		const altered = Uint8Array.from(initiator.message1);
		altered[10] ^= 1;
		t.is(code(() => acceptGateway(identity(POST), altered)), "bad-tag");
		t.is(code(() => acceptGateway(identity(POST), initiator.message1.subarray(0, 49))), "truncated");
	});

	test("a replayed, altered or re-ordered transport frame is refused and the stream goes on", (t) => {
		const { atGateway, atPost } = connect();
		const first = atGateway.seal(Uint8Array.of(1));
		const second = atGateway.seal(Uint8Array.of(2));
		const third = atGateway.seal(Uint8Array.of(3));
		t.is(code(() => atPost.open(second)), "out-of-order");
		t.deepEqual(Array.from(atPost.open(first)), [1]);
		t.is(code(() => atPost.open(first)), "replayed");
		const altered = Uint8Array.from(second);
		altered[5] ^= 0x80;
		t.is(code(() => atPost.open(altered)), "bad-tag");
		const counterMoved = Uint8Array.from(second);
		counterMoved[3] ^= 1; // counter 1 → 0 or the like: the tag covers it
		t.is(code(() => atPost.open(counterMoved)), "bad-tag");
		t.deepEqual(Array.from(atPost.open(second)), [2]);
		t.deepEqual(Array.from(atPost.open(third)), [3]);
		t.is(code(() => atPost.open(third.subarray(0, 10))), "truncated");
	});

	test("post messages round-trip and malformed ones are bad-message", (t) => {
		const messages: PostMessage[] = [
			{ kind: "hello", epoch: 7 },
			{ kind: "alert", source: 3, sequence: 70000, group: 1, hops: 2, event: 1, severity: 2, incident: 513, repeat: 0 },
			{ kind: "heartbeat", source: 9, flags: 5, origin: 3, incident: 513 },
			{ kind: "outcome", action: 12, peer: 9, outcome: "dropped" },
			{ kind: "command", action: 12, command: "silence", origin: 3, incident: 513, peers: [9, 10] },
			{ kind: "delivery", action: 13, peer: 9, delivery: Uint8Array.of(1, 2, 3) },
			{ kind: "stored", reports: 99 },
		];
		for (const message of messages) t.deepEqual(decodePostMessage(encodePostMessage(message)), message);
		for (const bad of [[], [0x02, 1], [0x81, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0], [0x81, 0, 0, 0, 1, 1, 0, 0, 0, 0, 2, 0], [0x04, 0, 0, 0, 1, 0, 1, 9], [0x77]]) {
			t.is(code(() => decodePostMessage(Uint8Array.from(bad))), "bad-message");
		}
	});

	test("a heartbeat is 6 bytes carrying the receipt; supervision loses and finds members", (t) => {
		const beat = encodeHeartbeat({ origin: 3, incident: 513, flags: ReceiptFlag.Read | ReceiptFlag.Silenced });
		t.is(beat.length, HEARTBEAT_LENGTH);
		t.deepEqual(decodeHeartbeat(beat), { origin: 3, incident: 513, flags: 9 });
		t.is(code(() => decodeHeartbeat(Uint8Array.of(4, 0x40, 0, 0, 0, 0))), "bad-heartbeat");
		t.is(code(() => decodeHeartbeat(beat.subarray(0, 5))), "bad-heartbeat");
		const supervision = new Supervision({ periodMs: 1000, lostAfterMissed: 3, members: [1, 2], now: 0 });
		supervision.heard(1, 2500);
		t.deepEqual(supervision.check(2999), []);
		t.deepEqual(supervision.check(3000), [{ member: 2, state: "lost", lastHeard: undefined }]);
		t.deepEqual(supervision.check(4000), []); // reported once
		t.deepEqual(supervision.check(5500), [{ member: 1, state: "lost", lastHeard: 2500 }]);
		t.deepEqual(supervision.heard(2, 6000), { member: 2, state: "found", lastHeard: 6000 });
		t.false(supervision.isLost(2));
	});
});
