/**
 * Property tests on Node (fast-check): random and mutated handshake messages and session
 * frames, 100,000 to each parser. Every input is either refused with a PicketError
 * carrying one of the module's codes, or is byte-for-byte a genuine frame: nothing else
 * escapes and no forgery is accepted. A frame refused for its framing or its sender (the
 * cheap checks, mac1 included) must have cost no X25519: the expensive work comes after
 * them. Half the messages 1 get a recomputed mac1 (an insider's), so Noise is fuzzed too.
 *
 * A handshake frame that passes those checks costs two X25519, so the suite is node:crypto
 * with its secret keys kept as KeyObjects (picket/test/support/fast-x25519-suite, ~60 µs a
 * DH instead of ~650 µs), cross-checked against the reference suite below. The genuine
 * message itself comes now and then (rarely: accepting it costs a whole handshake).
 */
import test from "ava";
import fc from "fast-check";
import { concatBytes, toHex, utf8 } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import { HandshakeInitiator, respondToHandshake, type HandshakeErrorCode } from "picket/link/handshake";
import type { SessionErrorCode } from "picket/link/session";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { createFastX25519Suite } from "picket/test/support/fast-x25519-suite";
import { createTestDomain } from "picket/test/support/handshake-domain";

const RUNS = 100_000;
const crypto = createFastX25519Suite();
const domain = createTestDomain(crypto);
const alice = domain.identity(17);
const bob = domain.identity(4242);

/**
 * Public keys of small order (the all-zero DH output, RFC 7748 §6.1), as X25519 reads them
 * (high bit masked): 0, 1, the two points of order 8, p − 1, p, p + 1.
 */
const LOW_ORDER_POINTS = [
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((hex) => Uint8Array.from(Buffer.from(hex, "hex")));

/** A way to get a frame from the genuine one (mutations apply to whichever frame is genuine at the time). */
type Mutation = (genuine: Uint8Array) => Uint8Array;

/**
 * Random frames, and the genuine frame bit-flipped, truncated, extended, with its body
 * after `keep` bytes replaced, or with a low-order point where its ephemeral key
 * (`ephemeralAt`) stands; now and then the genuine frame itself. Most fail the cheap checks;
 * about a third reach X25519 (the flips past the header, the replaced bodies, the weak points).
 */
function mutations(length: number, keep: number, ephemeralAt?: number): fc.Arbitrary<Mutation> {
	const variants: fc.WeightedArbitrary<Mutation>[] = [
		{ weight: 4, arbitrary: fc.uint8Array({ minLength: 0, maxLength: length + 16 }).map((random) => () => random) },
		{
			weight: 4,
			arbitrary: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => (genuine) => {
				const mutated = genuine.slice();
				for (const [index, mask] of flips) mutated[index % mutated.length] ^= mask;
				return mutated;
			}),
		},
		{ weight: 4, arbitrary: fc.nat({ max: length - 1 }).map((cut) => (genuine) => genuine.slice(0, cut)) },
		{ weight: 4, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => (genuine) => concatBytes(genuine, extra)) },
		{ weight: 4, arbitrary: fc.uint8Array({ minLength: length - keep, maxLength: length - keep }).map((body) => (genuine) => concatBytes(genuine.subarray(0, keep), body)) },
		{ weight: 1, arbitrary: fc.constant((genuine: Uint8Array) => genuine.slice()) },
	];
	if (ephemeralAt !== undefined) {
		variants.push({
			weight: 1,
			arbitrary: fc.tuple(fc.constantFrom(...LOW_ORDER_POINTS), fc.boolean()).map(([point, highBit]) => (genuine) => {
				const mutated = genuine.slice();
				mutated.set(point, ephemeralAt);
				if (highBit) mutated[ephemeralAt + 31] |= 0x80;
				return mutated;
			}),
		});
	}
	return fc.oneof(...variants);
}

function refusedWith(error: unknown, codes: readonly string[]): boolean {
	if (!isPicketError(error) || !codes.includes(error.code)) throw new Error(`escaped: ${String(error)}`);
	return true;
}

/** Refusals decided before any X25519 (framing, the roster lookup of message 1's sender, and its mac1). */
const CHEAP_CODES: readonly HandshakeErrorCode[] = ["truncated", "oversized", "unknown-version", "unexpected-message", "unknown-sender", "bad-mac1"];

/** Message 1 with mac1 recomputed as handshake.ts's table says: what an insider holding the PSK can send, so the fuzzing reaches Noise. */
function withInsiderMac1(frame: Uint8Array): Uint8Array {
	if (frame.length !== 51) return frame;
	const key = crypto.hmacSha256(bob.psk, utf8("picket v1 mac1"));
	return concatBytes(frame.subarray(0, 47), crypto.hmacSha256(key, concatBytes(Uint8Array.of(4242 >>> 8, 4242 & 255), frame.subarray(0, 47))).subarray(0, 4));
}

/** What each outcome cost, for the test's log: counts, X25519 operations, CPU time. */
class Tally {
	readonly #counts = new Map<string, number>();
	readonly #cpuAtStart = process.cpuUsage();
	#x25519 = 0;

	add(outcome: string, x25519: number): void {
		this.#counts.set(outcome, (this.#counts.get(outcome) ?? 0) + 1);
		this.#x25519 += x25519;
	}

	count(outcome: string): number {
		return this.#counts.get(outcome) ?? 0;
	}

	toString(): string {
		const outcomes = [...this.#counts].sort((a, b) => b[1] - a[1]).map(([outcome, count]) => `${outcome} ${count}`);
		const cpu = process.cpuUsage(this.#cpuAtStart);
		return `${outcomes.join(", ")}; ${this.#x25519} X25519 in all; ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`;
	}
}

test("the fast X25519 agrees with the reference suite, weak points included", (t) => {
	const reference = createNodeCryptoSuite();
	const outcome = (run: () => Uint8Array) => {
		try {
			return toHex(run());
		} catch (error) {
			return isPicketError(error) ? error.code : `escaped: ${String(error)}`;
		}
	};
	const secrets = [alice.staticKeyPair.secretKey, bob.staticKeyPair.secretKey, crypto.x25519KeyPair().secretKey];
	const publics = [...LOW_ORDER_POINTS, ...fc.sample(fc.uint8Array({ minLength: 32, maxLength: 32 }), { numRuns: 60, seed: 5 })];
	for (const secretKey of secrets) {
		t.is(toHex(crypto.x25519PublicKey(secretKey)), toHex(reference.x25519PublicKey(secretKey)));
		for (const publicKey of publics) t.is(outcome(() => crypto.x25519SharedSecret(secretKey, publicKey)), outcome(() => reference.x25519SharedSecret(secretKey, publicKey)));
	}
	const pair = crypto.x25519KeyPair();
	t.is(toHex(reference.x25519PublicKey(pair.secretKey)), toHex(pair.publicKey));
});

const HANDSHAKE_CODES: readonly HandshakeErrorCode[] = ["truncated", "oversized", "unknown-version", "unexpected-message", "unknown-sender", "bad-mac1", "bad-tag", "weak-public-key"];
const SESSION_CODES: readonly SessionErrorCode[] = ["truncated", "oversized", "unknown-version", "unexpected-message", "bad-tag", "replayed", "stale", "bad-command"];

test(`message 1: ${RUNS.toLocaleString("en")} random and mutated frames, only the genuine one answered, cheap refusals cost no X25519`, (t) => {
	const genuine = new HandshakeInitiator(alice, 4242).message1;
	const tally = new Tally();
	fc.assert(
		fc.property(mutations(genuine.length, 3, 3), fc.boolean(), (mutation, insider) => {
			const frame = insider ? withInsiderMac1(mutation(genuine)) : mutation(genuine);
			const before = crypto.x25519Operations;
			try {
				respondToHandshake(bob, frame);
			} catch (error) {
				refusedWith(error, HANDSHAKE_CODES);
				const code = isPicketError(error) ? error.code : "";
				tally.add(code, crypto.x25519Operations - before);
				return !CHEAP_CODES.includes(code as HandshakeErrorCode) || crypto.x25519Operations === before;
			}
			tally.add("answered", crypto.x25519Operations - before);
			return toHex(frame) === toHex(genuine);
		}),
		{ numRuns: RUNS },
	);
	t.log(`${tally}`);
	t.true(tally.count("answered") > RUNS / 100);
});

test(`message 2: ${RUNS.toLocaleString("en")} random and mutated frames, only the genuine one completes, cheap refusals cost no X25519`, (t) => {
	let initiator = new HandshakeInitiator(alice, 4242);
	let genuine = respondToHandshake(bob, initiator.message1).reply;
	const tally = new Tally();
	fc.assert(
		fc.property(mutations(genuine.length, 1, 1), (mutation) => {
			const frame = mutation(genuine);
			const before = crypto.x25519Operations;
			try {
				initiator.finish(frame);
			} catch (error) {
				refusedWith(error, HANDSHAKE_CODES);
				const code = isPicketError(error) ? error.code : "";
				tally.add(code, crypto.x25519Operations - before);
				return !CHEAP_CODES.includes(code as HandshakeErrorCode) || crypto.x25519Operations === before;
			}
			tally.add("completed", crypto.x25519Operations - before);
			const accepted = toHex(frame) === toHex(genuine);
			initiator = new HandshakeInitiator(alice, 4242);
			genuine = respondToHandshake(bob, initiator.message1).reply;
			return accepted;
		}),
		{ numRuns: RUNS },
	);
	t.log(`${tally}`);
	t.true(tally.count("completed") > RUNS / 100); // the genuine message 2 of each new handshake, each time
});

test(`session frames: ${RUNS.toLocaleString("en")} random and mutated frames, only genuine unseen ones open`, (t) => {
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
		fc.property(fc.nat({ max: genuineFrames.length - 1 }).chain((which) => mutations(genuineFrames[which].length, 5).map((mutation) => mutation(genuineFrames[which]))), (frame) => {
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
		{ numRuns: RUNS },
	);
	t.is(opened.size, genuineFrames.length);
});
