/**
 * Property tests on Node (fast-check): random and mutated handshake messages and session
 * frames, 150,000 in all (each
 * message 1 or 2 that passes framing costs two X25519, so the handshake parsers get 30,000
 * and 20,000, the session parser 100,000). Every input is either refused with a PicketError carrying one
 * of the module's codes, or is byte-for-byte a genuine frame: nothing else escapes and no
 * forgery is accepted. node:crypto suite for speed (each message 1 costs two X25519).
 */
import test from "ava";
import fc from "fast-check";
import { concatBytes, toHex } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import { HandshakeInitiator, respondToHandshake, type HandshakeErrorCode } from "picket/link/handshake";
import type { SessionErrorCode } from "picket/link/session";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { createTestDomain } from "picket/test/support/handshake-domain";

const crypto = createNodeCryptoSuite();
const domain = createTestDomain(crypto);
const alice = domain.identity(17);
const bob = domain.identity(4242);

/** Random frames, and the genuine frame bit-flipped, truncated, extended, or with its body replaced. */
function frameVariants(genuine: Uint8Array, keep: number): fc.Arbitrary<Uint8Array> {
	const variants: fc.Arbitrary<Uint8Array>[] = [
		fc.uint8Array({ minLength: 0, maxLength: genuine.length + 16 }),
		fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
			const mutated = genuine.slice();
			for (const [index, mask] of flips) mutated[index % mutated.length] ^= mask;
			return mutated;
		}),
		fc.nat({ max: genuine.length - 1 }).map((length) => genuine.slice(0, length)),
		fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => concatBytes(genuine, extra)),
		fc.uint8Array({ minLength: genuine.length - keep, maxLength: genuine.length - keep }).map((body) => concatBytes(genuine.subarray(0, keep), body)),
	];
	// The genuine frame itself now and then (rarely: accepting it costs a whole handshake).
	return fc.oneof(...variants.map((arbitrary) => ({ arbitrary, weight: 4 })), { arbitrary: fc.constant(genuine), weight: 1 });
}

function refusedWith(error: unknown, codes: readonly string[]): boolean {
	if (!isPicketError(error) || !codes.includes(error.code)) throw new Error(`escaped: ${String(error)}`);
	return true;
}

const HANDSHAKE_CODES: readonly HandshakeErrorCode[] = ["truncated", "oversized", "unknown-version", "unexpected-message", "unknown-sender", "bad-tag", "weak-public-key"];
const SESSION_CODES: readonly SessionErrorCode[] = ["truncated", "oversized", "unknown-version", "unexpected-message", "bad-tag", "replayed", "stale", "bad-command"];

test("message 1: 30,000 random and mutated frames, only the genuine one answered", (t) => {
	const genuine = new HandshakeInitiator(alice, 4242).message1;
	fc.assert(
		fc.property(frameVariants(genuine, 3), (frame) => {
			try {
				respondToHandshake(bob, frame);
			} catch (error) {
				return refusedWith(error, HANDSHAKE_CODES);
			}
			return toHex(frame) === toHex(genuine);
		}),
		{ numRuns: 30_000 },
	);
	t.pass();
});

test("message 2: 20,000 random and mutated frames, only the genuine one completes", (t) => {
	let initiator = new HandshakeInitiator(alice, 4242);
	let genuine = respondToHandshake(bob, initiator.message1).reply;
	fc.assert(
		fc.property(frameVariants(genuine, 1), (frame) => {
			try {
				initiator.finish(frame);
			} catch (error) {
				return refusedWith(error, HANDSHAKE_CODES);
			}
			const accepted = toHex(frame) === toHex(genuine);
			initiator = new HandshakeInitiator(alice, 4242);
			genuine = respondToHandshake(bob, initiator.message1).reply;
			return accepted;
		}),
		{ numRuns: 20_000 },
	);
	t.pass();
});

test("session frames: 100,000 random and mutated frames, only genuine unseen ones open", (t) => {
	const initiator = new HandshakeInitiator(alice, 4242);
	const response = respondToHandshake(bob, initiator.message1);
	const sender = initiator.finish(response.reply);
	const receiver = response.session;
	const genuineFrames = [
		sender.seal({ kind: "acknowledge", incident: 99, origin: 3 }),
		sender.seal({ kind: "silence", incident: 30, origin: 3 }),
		sender.seal({ kind: "epoch-delivery", index: 0, count: 1, bytes: new Uint8Array(200).fill(1) }),
	];
	const genuine = new Set(genuineFrames.map(toHex));
	const opened = new Set<string>();
	fc.assert(
		fc.property(fc.nat({ max: genuineFrames.length - 1 }).chain((which) => frameVariants(genuineFrames[which], 5)), (frame) => {
			try {
				receiver.open(frame);
			} catch (error) {
				return refusedWith(error, SESSION_CODES);
			}
			const key = toHex(frame);
			if (!genuine.has(key) || opened.has(key)) return false;
			opened.add(key);
			return true;
		}),
		{ numRuns: 100_000 },
	);
	t.is(opened.size, genuineFrames.length);
});
