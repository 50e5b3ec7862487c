/**
 * The attacker of the simulated domain: a promiscuous station that records every frame it
 * hears and transmits its own — replays, bit flips, forgeries sealed under random keys,
 * and replays re-labelled with another key epoch. It holds no key of the domain (the
 * threat of DESIGN.md: anyone with an ESP32 near the building).
 *
 * Each transmission is an `AttackAttempt`; the simulation matches what receivers' links
 * say about those exact bytes back to the attempt, so the summary can show the reason each
 * receiver rejected it.
 *
 * Portable: randomness from the SeededRandom it is given, crypto from the CryptoSuite.
 */
import type { Storage, Timers } from "picket/core/host-contracts";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { BROADCAST_MAC, type Radio, type ReceivedFrame } from "picket/device/radio";
import { toHex } from "picket/core/bytes";
import { EPOCH_KEY_ID_MASK, MAX_SEQUENCE, MAX_TTL, decodeAlertFrame } from "picket/link/alert-frame";
import { sealAlert } from "picket/link/alert-layers";
import { HANDSHAKE_MESSAGE_1_LENGTH } from "picket/link/handshake";
import { derivePrivacyKey } from "picket/link/key-schedule";
import { FrameKind, frameByte0, frameDetail, frameKind } from "picket/link/frame-kind";
import type { PairwiseSessions } from "picket/link/pairwise-sessions";
import type { Medium, Station } from "picket/hosts/sim/medium";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { PROVISIONING_STORAGE_DOMAIN, storeBundle } from "picket/provisioning/keystore";
import type { SeededRandom } from "picket/hosts/sim/seeded-random";

export type AttackKind = "replay" | "tamper" | "forge" | "epoch-replay" | AirAttackKind | HandshakeAttackKind;

/**
 * The attacks of issue 12 on the alert frame and the relays (items 1, 4, 7): an outsider
 * that rewrites the unauthenticated TTL or re-floods recordings, and a dishonest member
 * that forges with the keys it holds.
 */
export type AirAttackKind = "ttl-zero" | "replay-flood" | "insider-leap";
/** Attacks on the handshake (issue 12, items 2 and 3): see the block "Handshake attacks" below. */
export type HandshakeAttackKind = "handshake-forge" | "handshake-replay";

/** One frame the attacker heard. */
export interface RecordedFrame {
	readonly time: number;
	readonly from: Uint8Array;
	readonly payload: Uint8Array;
}

/** One alert as a listener without keys reads its header (attacker.startListening). */
export interface OverheardAlert {
	readonly time: number;
	readonly frame: Uint8Array;
	readonly epochBits: number;
	readonly group: number;
	readonly source: number;
	readonly sequence: number;
}

/** One frame the attacker put on the air. */
export interface AttackAttempt {
	readonly id: number;
	readonly kind: AttackKind;
	readonly time: number;
	readonly frame: Uint8Array;
	/** What was done, for people: "replay of n3's alert #2", "bit 37 flipped", … */
	readonly description: string;
}

export interface AttackerOptions {
	readonly medium: Medium;
	readonly station: Station;
	readonly timers: Timers;
	readonly random: SeededRandom;
	readonly crypto: CryptoSuite;
	/** More stations of the same attacker (its accomplices' ESP32s): they record and transmit too. */
	readonly accomplices?: readonly Station[];
}

/** Offset of the key id in an alert frame (alert-frame.ts). */
const KEY_ID_OFFSET = 1;

export class Attacker {
	readonly #radio: Radio;
	readonly #medium: Medium;
	readonly #station: Station;
	/** Extra stations beside the attacker, each with its own MAC (handshake-replay), opened on first use. */
	readonly #disguises: Radio[] = [];
	readonly #timers: Timers;
	readonly #random: SeededRandom;
	readonly #crypto: CryptoSuite;
	readonly #recorded: RecordedFrame[] = [];
	readonly #attempts: AttackAttempt[] = [];
	readonly #listeners: ((attempt: AttackAttempt) => void)[] = [];
	readonly #radios: Radio[] = [];

	constructor(options: AttackerOptions) {
		this.#medium = options.medium;
		this.#station = options.station;
		this.#timers = options.timers;
		this.#random = options.random;
		this.#crypto = options.crypto;
		for (const station of [options.station, ...(options.accomplices ?? [])]) {
			const radio = options.medium.openRadio(station, {
				onReadable: () => {
					for (let frame: ReceivedFrame | undefined = radio.read(); frame !== undefined; frame = radio.read()) {
						const recorded = { time: this.#timers.now(), from: frame.from.slice(), payload: frame.payload.slice() };
						this.#recorded.push(recorded);
						this.#onHeard(radio, recorded);
					}
				},
			});
			this.#radios.push(radio);
		}
		this.#radio = this.#radios[0];
	}

	/** Every frame heard so far, in order. */
	get recorded(): readonly RecordedFrame[] {
		return this.#recorded;
	}

	/** Recorded alert frames (byte 0 kind = alert). */
	get recordedAlerts(): readonly RecordedFrame[] {
		return this.#recorded.filter((frame) => frame.payload.length > 0 && frameKind(frame.payload[0]) === FrameKind.Alert);
	}

	get attempts(): readonly AttackAttempt[] {
		return this.#attempts;
	}

	onAttempt(listener: (attempt: AttackAttempt) => void): void {
		this.#listeners.push(listener);
	}

	/** Sends a recorded frame again, unchanged. */
	replay(recorded: RecordedFrame, description = "replay of a recorded frame"): AttackAttempt {
		return this.#transmit("replay", recorded.payload.slice(), description);
	}

	/**
	 * Sends a recorded alert with one random bit of its (masked) sequence number flipped, so
	 * that it claims to be a new alert: the mask is the same, so the flip survives unmasking. (A flip in the payload or app tag leaves the frame's identity
	 * — source, sequence, network tag — unchanged, so a receiver that already holds the
	 * genuine copy drops it as a duplicate before any tag is checked; a flip in the network
	 * tag makes a new identity and fails the tag check.)
	 */
	tamper(recorded: RecordedFrame): AttackAttempt {
		const frame = recorded.payload.slice();
		const bit = this.#random.nextInt(16); // the low 16 of the 19 sequence bits: bytes 4..5
		frame[5 - (bit >> 3)] ^= 1 << (bit & 7);
		return this.#transmit("tamper", frame, `recorded alert with sequence bit ${bit} flipped`);
	}

	/** Sends a recorded frame with one random bit flipped anywhere after byte 0. */
	flipBit(recorded: RecordedFrame): AttackAttempt {
		const frame = recorded.payload.slice();
		const bit = 8 + this.#random.nextInt((frame.length - 1) * 8);
		frame[bit >> 3] ^= 1 << (bit & 7);
		return this.#transmit("tamper", frame, `recorded frame with bit ${bit} flipped`);
	}

	/**
	 * Sends a well-formed alert sealed under random keys, claiming to come from `source`
	 * (a real member id makes the forgery reach the tag check). TTL, group and epoch as given.
	 */
	forge(header: { readonly source: number; readonly group: number; readonly epoch: number; readonly ttl?: number }, payload: Uint8Array): AttackAttempt {
		const networkKey = this.#random.fill(new Uint8Array(16));
		// Without the domain's privacy key the header it means unmasks, at a receiver, to another one.
		const keys = { networkKey, privacyKey: derivePrivacyKey(this.#crypto, networkKey), groupKey: this.#random.fill(new Uint8Array(16)) };
		const sequence = this.#random.nextInt(MAX_SEQUENCE + 1);
		const frame = sealAlert(this.#crypto, keys, { ttl: header.ttl ?? 3, epoch: header.epoch, group: header.group, source: header.source, sequence }, payload);
		return this.#transmit("forge", frame, `alert as member ${header.source}, group ${header.group}, sequence ${sequence}, random keys`);
	}

	/** Sends a recorded alert with its key id re-labelled to another epoch (mod 8): the cross-epoch replay. */
	replayAsEpoch(recorded: RecordedFrame, epoch: number): AttackAttempt {
		const frame = recorded.payload.slice();
		frame[KEY_ID_OFFSET] = (frame[KEY_ID_OFFSET] & 0x1f) | ((epoch & EPOCH_KEY_ID_MASK) << 5);
		return this.#transmit("epoch-replay", frame, `recorded alert re-labelled as epoch ${epoch}`);
	}

	/** Sends random bytes behind a valid alert byte 0: noise that must not crash anyone. */
	garbage(length: number): AttackAttempt {
		const frame = this.#random.fill(new Uint8Array(length));
		frame[0] = frameByte0(FrameKind.Alert, 3);
		return this.#transmit("forge", frame, `${length} random bytes`);
	}

	// ── Issue 12, items 1, 4, 7: the TTL, re-floods, a dishonest member ───────

	/**
	 * From now on every station re-broadcasts each alert it hears, at once, with its TTL
	 * field set to 0 (item 1). The TTL is outside both tags so that relays can decrement it
	 * without a key, so the copy is authentic; sent before any relay's jitter (0–40 ms) ends,
	 * it reaches relays first. Once per alert and station: the copies differ only in byte 0.
	 */
	startTtlZeroing(): void {
		this.#zeroing = true;
	}

	/**
	 * Sends every alert recorded so far `times` times over, each with TTL `ttl` (item 4):
	 * the recording outlives any bounded duplicate cache.
	 */
	replayFlood(times: number, ttl: number = MAX_TTL): AttackAttempt[] {
		const alerts = uniqueAlerts(this.recordedAlerts);
		const attempts: AttackAttempt[] = [];
		for (let round = 0; round < times; round++) {
			for (const recorded of alerts) attempts.push(this.#transmit("replay-flood", setTtlField(recorded.payload, ttl), `replay ${round + 1}/${times} of a recorded alert at TTL ${ttl}`));
		}
		return attempts;
	}

	/**
	 * A dishonest member that holds the network key and `groupKey` forges "source `source`,
	 * sequence `sequence`" (default the highest) in `group` (item 7): every tag genuine.
	 */
	insiderForge(keys: { readonly networkKey: Uint8Array; readonly groupKey: Uint8Array }, header: { readonly source: number; readonly group: number; readonly epoch: number; readonly ttl: number; readonly sequence?: number }, payload: Uint8Array): AttackAttempt {
		const sequence = header.sequence ?? MAX_SEQUENCE;
		const frame = sealAlert(this.#crypto, { ...keys, privacyKey: derivePrivacyKey(this.#crypto, keys.networkKey) }, { ttl: header.ttl, epoch: header.epoch, group: header.group, source: header.source, sequence }, payload);
		return this.#transmit("insider-leap", frame, `insider's alert as member ${header.source}, group ${header.group}, sequence ${sequence}, real keys`);
	}

	// ── Issue 12, item 9: a passive listener ─────────────────────────────────

	/**
	 * From now on keeps, for each alert heard (once, whatever its TTL), the header as a
	 * listener without keys reads it (item 9): which source, which sequence, which group.
	 */
	startListening(): void {
		this.#listening = true;
	}

	/** What the listener read, alert by alert. */
	get overheard(): readonly OverheardAlert[] {
		return this.#overheard;
	}

	#listening = false;
	readonly #overheard: OverheardAlert[] = [];
	readonly #overheardFrames = new Set<string>();

	#listen(recorded: RecordedFrame): void {
		const decoded = decodeAlertFrame(recorded.payload);
		if (!decoded.ok) return;
		const key = toHex(setTtlField(recorded.payload, 0));
		if (this.#overheardFrames.has(key)) return;
		this.#overheardFrames.add(key);
		const { epochBits, group, source, sequence } = decoded.frame;
		this.#overheard.push({ time: recorded.time, frame: recorded.payload, epochBits, group, source, sequence });
	}

	#zeroing = false;
	readonly #zeroed = new Set<string>();

	#onHeard(radio: Radio, recorded: RecordedFrame): void {
		if (this.#listening) this.#listen(recorded);
		const frame = recorded.payload;
		if (!this.#zeroing || frame.length === 0 || frameKind(frame[0]) !== FrameKind.Alert || frameDetail(frame[0]) === 0) return;
		const copy = setTtlField(frame, 0);
		const key = `${this.#radios.indexOf(radio)} ${toHex(copy)}`;
		if (this.#zeroed.has(key)) return;
		this.#zeroed.add(key);
		this.#transmit("ttl-zero", copy, "a heard alert re-broadcast at once with TTL 0", radio);
	}


	// ── Handshake attacks (issue 12, items 2 and 3) ─────────────────────────────────────────

	/** Recorded handshake messages 1 (51 B, byte 0 = handshake, message 1). */
	get recordedMessages1(): readonly RecordedFrame[] {
		return this.#recorded.filter((frame) => frame.payload.length === HANDSHAKE_MESSAGE_1_LENGTH && frame.payload[0] === frameByte0(FrameKind.Handshake, 1));
	}

	/**
	 * A message 1 claiming to come from member `initiator`, random after its header: without
	 * the PSK it cannot carry a valid mac1. Before mac1 each cost every receiver two X25519.
	 */
	forgeMessage1(initiator: number): AttackAttempt {
		const frame = this.#random.fill(new Uint8Array(HANDSHAKE_MESSAGE_1_LENGTH));
		frame.set([frameByte0(FrameKind.Handshake, 1), initiator >>> 8, initiator & 255], 0);
		return this.#transmit("handshake-forge", frame, `message 1 as member ${initiator}, random ephemeral, tag and mac1`);
	}

	/**
	 * Replays a recorded message 1 from `count` stations beside the attacker, each with its own
	 * MAC. Were each answered, every answer would take an entry of the responder's 20-entry
	 * ESP-NOW peer list while its unicast to a MAC nobody acknowledges is retried.
	 */
	replayFromMacs(recorded: RecordedFrame, count: number): AttackAttempt[] {
		while (this.#disguises.length < count) {
			const n = this.#disguises.length + 2;
			const station = this.#medium.addStation(Uint8Array.of(0x02, 0xba, 0xd0, 0, n >>> 8, n & 255), this.#station.position, { label: `attacker-${n}` });
			this.#disguises.push(this.#medium.openRadio(station, {}));
		}
		return this.#disguises.slice(0, count).map((radio, i) =>
			this.#transmit("handshake-replay", recorded.payload.slice(), `recorded message 1 replayed from MAC #${i + 1} of ${count}`, radio),
		);
	}

	// ── end of handshake attacks ────────────────────────────────────────────────────────────

	#transmit(kind: AttackKind, frame: Uint8Array, description: string, radio: Radio = this.#radio): AttackAttempt {
		const attempt: AttackAttempt = { id: this.#attempts.length + 1, kind, time: this.#timers.now(), frame, description };
		this.#attempts.push(attempt);
		for (const listener of this.#listeners) listener(attempt);
		radio.write(BROADCAST_MAC, frame);
		return attempt;
	}
}

/** A copy of an alert with its TTL field rewritten: no key needed, no tag covers it. */
function setTtlField(frame: Uint8Array, ttl: number): Uint8Array {
	const copy = frame.slice();
	copy[0] = (copy[0] & 0xf0) | ttl;
	return copy;
}

/** One recording per alert: relayed copies differ only in their TTL. */
function uniqueAlerts(recorded: readonly RecordedFrame[]): RecordedFrame[] {
	const seen = new Set<string>();
	return recorded.filter((frame) => {
		const key = toHex(setTtlField(frame.payload, 0));
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

// ── A dishonest member (issue 12, item 8) ───────────────────────────────────────────────────

/**
 * A member turned against the domain (a stolen sensor, reflashed): it holds its own keys,
 * so its session frames are authentic; only its role, from the signed roster, can tell the
 * origin not to obey. It takes the origin's MAC from the air (ESP-NOW sends it in the clear)
 * and acknowledges and silences `origin`'s `incident` over `sessions`, its own session
 * layer. Before role checks any member ended a panic this way.
 */
export function commandAsDishonestMember(sessions: PairwiseSessions, origin: number, originMac: Uint8Array, incident: number): void {
	sessions.heardDirectly(origin, originMac);
	sessions.send(origin, { kind: "acknowledge", incident, origin });
	sessions.send(origin, { kind: "silence", incident, origin });
}

// ── Provisioning attacks (issue 12, item 10) ────────────────────────────────────────────────

/**
 * Someone with the board in hand rewrites its provisioning entries (not the trust anchor's)
 * with `bundle`, an older genuine one or another domain's, as a flash writer would. Before
 * the anchor the device booted into whatever was written: another domain, or an old epoch
 * that still lists a revoked member.
 */
export function rewriteBundleEntries(storage: Storage, bundle: Uint8Array, crypto: CryptoSuite): void {
	const elsewhere = new MemoryStorage();
	storeBundle(elsewhere, bundle, crypto); // the keystore's own layout, on a blank store
	for (const key of storage.keys(PROVISIONING_STORAGE_DOMAIN)) storage.delete(PROVISIONING_STORAGE_DOMAIN, key);
	for (const key of elsewhere.keys(PROVISIONING_STORAGE_DOMAIN)) storage.write(PROVISIONING_STORAGE_DOMAIN, key, elsewhere.read(PROVISIONING_STORAGE_DOMAIN, key)!);
}
