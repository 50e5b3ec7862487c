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
import type { Timers } from "picket/core/host-contracts";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { BROADCAST_MAC, type Radio, type ReceivedFrame } from "picket/device/radio";
import { EPOCH_KEY_ID_MASK, MAX_SEQUENCE } from "picket/link/alert-frame";
import { sealAlert } from "picket/link/alert-layers";
import { FrameKind, frameByte0, frameKind } from "picket/link/frame-kind";
import type { Medium, Station } from "picket/hosts/sim/medium";
import type { SeededRandom } from "picket/hosts/sim/seeded-random";

export type AttackKind = "replay" | "tamper" | "forge" | "epoch-replay";

/** One frame the attacker heard. */
export interface RecordedFrame {
	readonly time: number;
	readonly from: Uint8Array;
	readonly payload: Uint8Array;
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
}

/** Offset of the key id in an alert frame (alert-frame.ts). */
const KEY_ID_OFFSET = 1;

export class Attacker {
	readonly #radio: Radio;
	readonly #timers: Timers;
	readonly #random: SeededRandom;
	readonly #crypto: CryptoSuite;
	readonly #recorded: RecordedFrame[] = [];
	readonly #attempts: AttackAttempt[] = [];
	readonly #listeners: ((attempt: AttackAttempt) => void)[] = [];

	constructor(options: AttackerOptions) {
		this.#timers = options.timers;
		this.#random = options.random;
		this.#crypto = options.crypto;
		const radio = options.medium.openRadio(options.station, {
			onReadable: () => {
				for (let frame: ReceivedFrame | undefined = radio.read(); frame !== undefined; frame = radio.read()) {
					this.#recorded.push({ time: this.#timers.now(), from: frame.from.slice(), payload: frame.payload.slice() });
				}
			},
		});
		this.#radio = radio;
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
	 * Sends a recorded alert with one random bit of its sequence number flipped, so that it
	 * claims to be a new alert. (A flip in the payload or app tag leaves the frame's identity
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
		const keys = { networkKey: this.#random.fill(new Uint8Array(16)), groupKey: this.#random.fill(new Uint8Array(16)) };
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

	#transmit(kind: AttackKind, frame: Uint8Array, description: string): AttackAttempt {
		const attempt: AttackAttempt = { id: this.#attempts.length + 1, kind, time: this.#timers.now(), frame, description };
		this.#attempts.push(attempt);
		for (const listener of this.#listeners) listener(attempt);
		this.#radio.write(BROADCAST_MAC, frame);
		return attempt;
	}
}
