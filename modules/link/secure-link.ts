/**
 * The secure link of one device for alerts: what the alarm policy calls to send an alert
 * and what the radio's receive path calls for every alert frame heard.
 *
 * Receive pipeline, cheapest checks first, and nothing remembered before it is authentic:
 *
 *   decode (alert-frame.ts) → key epoch from the key id → unmask the header (1 HMAC, its
 *   privacy key; none for another copy of one of the last 8 alerts unmasked;
 *   alert-layers.ts) → own echo → sender in roster → sender in the group → relay memory
 *   (0 CCM; a copy with more hops left than any before is re-checked and forwarded,
 *   relay-filter.ts) → network tag (1 CCM) → replay window check → app tag if this device
 *   holds the group key (1 CCM), else the relay horizon (relay-horizon.ts: nothing stale
 *   travels) → remember → relay decision (TTL capped at the domain's maximum)
 *
 * What "remember" means depends on what was verified. The network tag proves only that
 * *some member* sent the frame: every member holds the network key, so a member of
 * another group can forge "source X, sequence n" for any X and n. Such a frame is relayed
 * (a relay cannot tell; the app layer keeps insiders out of the content, and final readers
 * reject it as "bad-app-tag"), but it must not cost X anything:
 *
 * | verified by this device | replay window      | duplicate cache                          |
 * |-------------------------|--------------------|------------------------------------------|
 * | network + app tag (read) | checked, updated  | remembered, keyed with the network tag   |
 * | network tag only (relay) | checked, unchanged | remembered, keyed with the network tag   |
 *
 * and both move the source's relay horizon, by a bounded leap (relay-horizon.ts).
 *
 * So a forged "X, sequence 100000" never makes X's genuine alerts "too-old" at a relay,
 * and a forged copy of X's predictable next sequence takes a cache slot of its own (its
 * tag differs) instead of shadowing X's genuine frame as a "duplicate" (relay-filter.ts).
 * A relay remembers a frame it cannot read in the bounded relay memory and, by its
 * sequence, in the relay horizon: an outsider replaying an old genuine frame after it left
 * the relay memory gets it relayed again only while it is among the last 64 of its source
 * (the horizon drops older ones as "too-old"), and every device that reads it still
 * rejects it through its window ("replayed" / "too-old").
 * A member of a group that X is in can, as with any symmetric group key, forge X's alerts
 * in that group to the group's readers, and its forgery then occupies X's sequence in
 * their (per-source) windows; nobody outside X's groups can.
 *
 * Key epochs: the device holds the current epoch's keys and, during a grace period, the
 * previous epoch's, so that a rotation needs no flag day (members switch as the session
 * layer reaches them). It always sends under the current epoch. A revocation is a new
 * epoch installed with `keepPrevious: false` (or `retirePreviousEpoch()` once the grace is
 * over): the revoked device lacks the new network key, so its frames fail as "wrong-epoch"
 * (or "bad-tag") at the first hop and are never relayed, and it lacks the new group keys,
 * so it reads nothing new. Keys are handed in by the caller (provisioning at boot, the
 * session layer on delivery); this module persists only the sequence counter and the
 * replay windows.
 */
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import type { Clock, Storage } from "picket/core/host-contracts";
import { PicketError } from "picket/core/picket-error";
import { ALERT_PAYLOAD_MAX, EPOCH_KEY_ID_MASK, MAX_TTL, type AlertDecodeFailure, decodeAlertFrame, extendSequence, networkTagValue } from "picket/link/alert-frame";
import { HeaderMasks, deobfuscateAlertFrame, openAlertPayload, sealAlert, verifyNetworkTag } from "picket/link/alert-layers";
import { FrameKind, frameKind } from "picket/link/frame-kind";
import { LINK_KEY_LENGTH, MAX_GROUP, derivePrivacyKey } from "picket/link/key-schedule";
import { type MeshDecodeFailure, type MeshEnvelope, decodeMeshEnvelope, sealMeshEnvelope, verifyMeshEnvelope } from "picket/link/mesh-envelope";
import { type Membership, memberInGroup } from "picket/link/membership";
import { DEFAULT_DUPLICATE_CAPACITY, DEFAULT_MAX_JITTER_MS, RelayFilter, type RelayInstruction, decideRelay } from "picket/link/relay-filter";
import { RelayHorizon } from "picket/link/relay-horizon";
import { ReplayWindow, type ReplayRejection } from "picket/link/replay-window";
import { DEFAULT_SEQUENCE_BLOCK, SequenceCounter } from "picket/link/sequence-counter";

export type { RelayInstruction } from "picket/link/relay-filter";

/** Why an alert frame was dropped. Every one is a value, none is an exception. */
export type AlertRejection =
	| AlertDecodeFailure // "truncated" | "oversized" | "unknown-version" | "unknown-kind"
	| "wrong-epoch" // key id names an epoch this device holds no keys for, or older than the source's window
	| "unknown-sender" // source not in the roster
	| "not-authorised" // source not a member of the frame's group
	| "duplicate" // a copy of an alert already accepted or sent by this device
	| "bad-tag" // network tag does not verify: forged or damaged
	| "bad-app-tag" // app tag does not verify: forged by a holder of the network key, or damaged
	| Exclude<ReplayRejection, "wrong-epoch">; // "replayed" | "too-old"

interface AlertIdentity {
	readonly source: number;
	readonly group: number;
	readonly epoch: number;
	readonly sequence: number;
}

export type ReceiveOutcome =
	| (AlertIdentity & { readonly kind: "alert"; readonly payload: Uint8Array; readonly relay: RelayInstruction | undefined })
	| (AlertIdentity & { readonly kind: "relay-only"; readonly relay: RelayInstruction | undefined })
	/** `relay` only for a "duplicate" with more hops left than every copy before it (relay-filter.ts). */
	| { readonly kind: "rejected"; readonly reason: AlertRejection; readonly relay: RelayInstruction | undefined };

export type SecureLinkErrorCode = "no-keys" | "not-authorised" | "payload-too-long" | "bad-key" | "epoch-rollback" | "bad-options";

export interface EpochKeys {
	readonly epoch: number;
	/** 16 B: every member holds it, relays hold nothing else. */
	readonly networkKey: Uint8Array;
	/** 16 B per group this device is authorised for (from the roster); none for a pure relay. */
	readonly groupKeys: ReadonlyMap<number, Uint8Array>;
}

export interface SecureLinkOptions {
	readonly crypto: CryptoSuite;
	readonly storage: Storage;
	readonly random: RandomSource;
	/** Milliseconds, for how long a copy with more hops left is still forwarded (relay-filter.ts); without it, always. */
	readonly clock?: Clock;
	readonly membership: Membership;
	/** This device's member id (its source id on the air). */
	readonly self: number;
	/** Whether this device forwards alerts (default true: every member floods). */
	readonly relays?: boolean;
	/** TTL of the alerts this device originates (default 4). */
	readonly initialTtl?: number;
	/** The domain's largest TTL: a copy claiming more hops left counts as this many (default `initialTtl`). */
	readonly maxTtl?: number;
	readonly maxJitterMs?: number;
	readonly duplicateCapacity?: number;
	readonly sequenceBlock?: number;
	/** Storage domain for the counter and the windows (default "picket-link"). */
	readonly storageDomain?: string;
}

export const DEFAULT_INITIAL_TTL = 4;

/** An installed epoch: its keys, the privacy key derived from its network key, and the header masks last computed with it. */
interface HeldEpoch extends EpochKeys {
	readonly privacyKey: Uint8Array;
	readonly masks: HeaderMasks;
}

export class SecureLink {
	readonly #crypto: CryptoSuite;
	readonly #random: RandomSource;
	readonly #membership: Membership;
	readonly #self: number;
	readonly #relays: boolean;
	readonly #initialTtl: number;
	readonly #maxTtl: number;
	readonly #maxJitterMs: number;
	readonly #counter: SequenceCounter;
	readonly #window: ReplayWindow;
	readonly #duplicates: RelayFilter;
	readonly #horizon: RelayHorizon;
	#current: HeldEpoch | undefined;
	#previous: HeldEpoch | undefined;
	/** The epoch a revocation replaced: for mesh envelopes only, until `retireEnvelopeGrace` (sealEnvelope). */
	#envelopeGrace: HeldEpoch | undefined;
	/** The epoch this device last left: its privacy key names who still sends under it (`behindSource`). */
	#left: { readonly epochBits: number; readonly privacyKey: Uint8Array } | undefined;

	constructor(options: SecureLinkOptions) {
		const domain = options.storageDomain ?? "picket-link";
		this.#crypto = options.crypto;
		this.#random = options.random;
		this.#membership = options.membership;
		this.#self = options.self;
		this.#relays = options.relays ?? true;
		this.#initialTtl = options.initialTtl ?? DEFAULT_INITIAL_TTL;
		if (!Number.isInteger(this.#initialTtl) || this.#initialTtl < 0 || this.#initialTtl > MAX_TTL) {
			throw new PicketError<SecureLinkErrorCode>("bad-options", `initial TTL ${this.#initialTtl}`);
		}
		this.#maxTtl = options.maxTtl ?? this.#initialTtl;
		if (!Number.isInteger(this.#maxTtl) || this.#maxTtl < this.#initialTtl || this.#maxTtl > MAX_TTL) {
			throw new PicketError<SecureLinkErrorCode>("bad-options", `maximum TTL ${this.#maxTtl}`);
		}
		this.#maxJitterMs = options.maxJitterMs ?? DEFAULT_MAX_JITTER_MS;
		this.#counter = new SequenceCounter({ storage: options.storage, domain, key: "seq", blockSize: options.sequenceBlock ?? DEFAULT_SEQUENCE_BLOCK });
		this.#window = new ReplayWindow({ storage: options.storage, domain, keyPrefix: "w" });
		this.#duplicates = new RelayFilter(options.duplicateCapacity ?? DEFAULT_DUPLICATE_CAPACITY, options.clock);
		this.#horizon = new RelayHorizon({ storage: options.storage, domain, keyPrefix: "h" });
	}

	/** The epoch alerts are sent under, if keys are installed. */
	get epoch(): number | undefined {
		return this.#current?.epoch;
	}

	/** The previous epoch still accepted during its grace period, if any. */
	get graceEpoch(): number | undefined {
		return this.#previous?.epoch;
	}

	/**
	 * Installs the keys of a key epoch. Reinstalling the current epoch replaces its keys; a
	 * newer one becomes current, and the old current stays receivable only when
	 * `keepPrevious` (a routine rotation) and its key id bits differ. Revocations pass
	 * `keepPrevious: false`. Older epochs are refused ("epoch-rollback").
	 */
	installEpoch(keys: EpochKeys, options: { readonly keepPrevious: boolean }): void {
		checkEpochKeys(keys);
		const privacyKey = derivePrivacyKey(this.#crypto, keys.networkKey);
		const copy: HeldEpoch = {
			epoch: keys.epoch,
			networkKey: keys.networkKey.slice(),
			privacyKey,
			masks: new HeaderMasks(privacyKey),
			groupKeys: new Map([...keys.groupKeys].map(([group, key]) => [group, key.slice()])),
		};
		const current = this.#current;
		if (current === undefined || keys.epoch === current.epoch) {
			this.#current = copy;
			return;
		}
		if (keys.epoch < current.epoch) throw new PicketError<SecureLinkErrorCode>("epoch-rollback", `epoch ${keys.epoch} is older than ${current.epoch}`);
		const distinguishable = (keys.epoch & EPOCH_KEY_ID_MASK) !== (current.epoch & EPOCH_KEY_ID_MASK);
		this.#previous = options.keepPrevious && distinguishable ? current : undefined;
		this.#envelopeGrace = this.#previous === undefined && distinguishable && keys.epoch === current.epoch + 1 ? current : undefined;
		this.#left = distinguishable ? { epochBits: current.epoch & EPOCH_KEY_ID_MASK, privacyKey: current.privacyKey } : undefined;
		this.#current = copy;
		this.#forgetOtherEpochs();
	}

	/** Ends the grace period: frames of the previous epoch become "wrong-epoch". */
	retirePreviousEpoch(): void {
		this.#previous = undefined;
		this.#envelopeGrace = undefined;
		this.#forgetOtherEpochs();
	}

	/** Duplicate-cache entries of epochs no longer held would shadow a later epoch with the same key-id bits. */
	#forgetOtherEpochs(): void {
		const held = [this.#current, this.#previous].filter((keys) => keys !== undefined).map((keys) => keys.epoch);
		this.#duplicates.retainEpochs(held);
	}

	/**
	 * Seals `payload` for `group` under the current epoch and returns the frame to
	 * broadcast. Throws PicketError: "no-keys", "not-authorised", "payload-too-long",
	 * "sequence-exhausted" (wait for a new epoch: sequences are never reused).
	 */
	sendAlert(group: number, payload: Uint8Array): Uint8Array {
		const keys = this.#current;
		if (keys === undefined) throw new PicketError<SecureLinkErrorCode>("no-keys", "no key epoch installed");
		const groupKey = keys.groupKeys.get(group);
		const self = this.#membership.member(this.#self);
		if (groupKey === undefined || self === undefined || !memberInGroup(self, group)) {
			throw new PicketError<SecureLinkErrorCode>("not-authorised", `member ${this.#self} may not send to group ${group}`);
		}
		if (payload.length > ALERT_PAYLOAD_MAX) throw new PicketError<SecureLinkErrorCode>("payload-too-long", `${payload.length} B > ${ALERT_PAYLOAD_MAX} B`);
		const sequence = this.#counter.next(keys.epoch);
		// Our own alert coming back through relays is a "duplicate" by its source: receive() needs no cache entry for it.
		return sealAlert(this.#crypto, { networkKey: keys.networkKey, privacyKey: keys.privacyKey, groupKey }, { ttl: this.#initialTtl, epoch: keys.epoch, group, source: this.#self, sequence }, payload);
	}

	/** Judges one frame from the air. Never throws on what the air delivers. */
	receive(bytes: Uint8Array): ReceiveOutcome {
		const decoded = decodeAlertFrame(bytes);
		if (!decoded.ok) return rejected(decoded.reason);
		const keys = this.#keysFor(decoded.frame.epochBits);
		if (keys === undefined) return rejected("wrong-epoch");
		// Group, source and sequence travel masked; the tags below cover them in clear. Every
		// copy of an alert has the same mask: one HMAC per alert, not per copy (HeaderMasks).
		const frame = keys.masks.unmask(this.#crypto, decoded.frame);
		const { source, group, sequence } = frame;
		const epoch = keys.epoch;
		if (source === this.#self) return rejected("duplicate");
		const sender = this.#membership.member(source);
		if (sender === undefined) return rejected("unknown-sender");
		if (!memberInGroup(sender, group)) return rejected("not-authorised");
		const copy = { source, epoch, sequence, networkTag: networkTagValue(frame) };
		// The era never travels: the highest sequence held for the source says which one this is.
		const extended = extendSequence(sequence, highest(this.#window.highest(source, epoch), this.#horizon.highest(source, epoch)));
		// Hops left are unauthenticated: never more than the domain allows.
		const ttl = Math.min(frame.ttl, this.#maxTtl);
		const bestTtl = this.#duplicates.bestTtl(copy);
		if (bestTtl !== undefined) {
			if (!this.#relays || ttl <= bestTtl || !this.#duplicates.stillTravelling(copy)) return rejected("duplicate");
			// A copy whose TTL was lowered on the way (an attacker's TTL 0) reached us first: forward this one.
			if (this.#horizon.isStale(source, epoch, extended)) return rejected("duplicate");
			if (!verifyNetworkTag(this.#crypto, keys.networkKey, epoch, frame, extended)) return rejected("bad-tag");
			this.#duplicates.remember(copy, ttl);
			return { kind: "rejected", reason: "duplicate", relay: decideRelay(bytes, ttl, this.#random, this.#maxJitterMs) };
		}
		if (!verifyNetworkTag(this.#crypto, keys.networkKey, epoch, frame, extended)) return rejected("bad-tag");
		const verdict = this.#window.check(source, epoch, extended);
		if (verdict !== "fresh") return rejected(verdict);
		const groupKey = keys.groupKeys.get(group);
		// No window for what this device cannot read: the relay horizon keeps stale replays from travelling.
		if (groupKey === undefined && this.#relays && this.#horizon.isStale(source, epoch, extended)) return rejected("too-old");
		let payload: Uint8Array | undefined;
		if (groupKey !== undefined) {
			payload = openAlertPayload(this.#crypto, groupKey, epoch, frame, extended);
			// Only a holder of the network key can get here with a bad app tag: drop, remember nothing, relay nothing.
			if (payload === undefined) return rejected("bad-app-tag");
			// Only the app tag proves the source sent this sequence: only now may it move the source's window.
			this.#window.accept(source, epoch, extended);
		}
		this.#duplicates.remember(copy, ttl);
		if (this.#relays) this.#horizon.note(source, epoch, extended);
		const relay = this.#relays ? decideRelay(bytes, ttl, this.#random, this.#maxJitterMs) : undefined;
		const identity = { source, group, epoch, sequence: extended };
		return payload === undefined ? { kind: "relay-only", ...identity, relay } : { kind: "alert", ...identity, payload, relay };
	}

	/**
	 * Seals `inner` (a handshake or session frame) in a mesh envelope to member
	 * `destination` (picket/link/mesh-envelope), under the current epoch's network key and a
	 * sequence from the alerts' counter. Throws as `sendAlert` does ("no-keys", the counter's codes).
	 */
	sealEnvelope(destination: number, inner: Uint8Array, flood: boolean, behind = false): Uint8Array {
		const keys = this.#current;
		if (keys === undefined) throw new PicketError<SecureLinkErrorCode>("no-keys", "no key epoch installed");
		const sequence = this.#counter.next(keys.epoch);
		const sealing = behind && this.#envelopeGrace !== undefined ? this.#envelopeGrace : keys;
		const header = { ttl: this.#initialTtl, epoch: sealing.epoch, flood, behind: sealing !== keys, source: this.#self, sequence, destination };
		return sealMeshEnvelope(this.#crypto, sealing.networkKey, header, inner);
	}

	/**
	 * Ends the envelope grace of a revocation. Until then the replaced epoch's network key
	 * still seals envelopes for members `behind` (a laggard has no other key) and checks
	 * envelopes, so relays carry a laggard's delivery and acknowledgement both ways; the
	 * revoked device knows that key, but the roster check drops its envelopes at the first
	 * member that moved on, and what it can still send a laggard costs that laggard airtime,
	 * never its delivery (delivery-reassembly.ts). Alerts of that epoch are refused throughout.
	 */
	retireEnvelopeGrace(): void {
		this.#envelopeGrace = undefined;
	}

	/**
	 * Judges a mesh envelope as a relay judges an alert it cannot read: decode → key epoch →
	 * own echo → source and destination in the roster → duplicate cache (0 CCM) → network tag
	 * (1 CCM) → remember. The inner frame stays closed: its session layer judges it.
	 */
	checkEnvelope(bytes: Uint8Array): EnvelopeCheck {
		const decoded = decodeMeshEnvelope(bytes);
		if (!decoded.ok) return { kind: "rejected", reason: decoded.reason };
		const envelope = decoded.envelope;
		const grace = this.#envelopeGrace;
		const keys = this.#keysFor(envelope.epochBits) ?? (grace !== undefined && (grace.epoch & EPOCH_KEY_ID_MASK) === envelope.epochBits ? grace : undefined);
		if (keys === undefined) return { kind: "rejected", reason: "wrong-epoch" };
		if (envelope.source === this.#self) return { kind: "rejected", reason: "duplicate" };
		if (this.#membership.member(envelope.source) === undefined || this.#membership.member(envelope.destination) === undefined) return { kind: "rejected", reason: "unknown-sender" };
		// The era as for an alert: from the highest sequence this device holds for the source (one counter seals both).
		const sequence = extendSequence(envelope.sequence, highest(this.#window.highest(envelope.source, keys.epoch), this.#horizon.highest(envelope.source, keys.epoch)));
		const copy = { source: envelope.source, epoch: keys.epoch, sequence, networkTag: envelope.networkTag };
		if (this.#duplicates.has(copy)) return { kind: "rejected", reason: "duplicate" };
		if (!verifyMeshEnvelope(this.#crypto, keys.networkKey, keys.epoch, bytes, envelope, sequence)) return { kind: "rejected", reason: "bad-tag" };
		this.#duplicates.remember(copy);
		return { kind: "envelope", envelope, epoch: keys.epoch };
	}

	/**
	 * Who sent a frame of the epoch this device last left (a member left behind,
	 * picket/link/delivery-tracker): an
	 * envelope's source travels in clear; an alert's is masked (item 9 of issue 12), so it is
	 * unmasked with that epoch's privacy key. Unauthenticated (no CCM spent): a hint that only
	 * prompts a rate-limited resend of a delivery held for that member.
	 */
	behindSource(bytes: Uint8Array): number | undefined {
		const left = this.#left;
		if (bytes.length === 0 || left === undefined) return undefined;
		if (frameKind(bytes[0]) === FrameKind.Mesh) {
			const decoded = decodeMeshEnvelope(bytes);
			return decoded.ok && decoded.envelope.epochBits === left.epochBits ? decoded.envelope.source : undefined;
		}
		const decoded = decodeAlertFrame(bytes);
		if (!decoded.ok || decoded.frame.epochBits !== left.epochBits) return undefined;
		return deobfuscateAlertFrame(this.#crypto, left.privacyKey, decoded.frame).source;
	}

	#keysFor(epochBits: number): HeldEpoch | undefined {
		if (this.#current !== undefined && (this.#current.epoch & EPOCH_KEY_ID_MASK) === epochBits) return this.#current;
		if (this.#previous !== undefined && (this.#previous.epoch & EPOCH_KEY_ID_MASK) === epochBits) return this.#previous;
		return undefined;
	}
}

/** The larger of two highest sequences, either possibly unknown. */
function highest(a: number | undefined, b: number | undefined): number | undefined {
	return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** What `checkEnvelope` decided: an authentic, first-seen envelope, or why not. */
export type EnvelopeCheck =
	| { readonly kind: "envelope"; readonly envelope: MeshEnvelope; readonly epoch: number }
	| { readonly kind: "rejected"; readonly reason: MeshDecodeFailure | "wrong-epoch" | "unknown-sender" | "duplicate" | "bad-tag" };

function rejected(reason: AlertRejection): ReceiveOutcome {
	return { kind: "rejected", reason, relay: undefined };
}

function checkEpochKeys(keys: EpochKeys): void {
	if (!Number.isInteger(keys.epoch) || keys.epoch < 0 || keys.epoch > 0xffffffff) throw new PicketError<SecureLinkErrorCode>("bad-key", `epoch ${keys.epoch}`);
	if (keys.networkKey.length !== LINK_KEY_LENGTH) throw new PicketError<SecureLinkErrorCode>("bad-key", "network key must be 16 bytes");
	for (const [group, key] of keys.groupKeys) {
		if (!Number.isInteger(group) || group < 0 || group > MAX_GROUP) throw new PicketError<SecureLinkErrorCode>("bad-key", `group ${group}`);
		if (key.length !== LINK_KEY_LENGTH) throw new PicketError<SecureLinkErrorCode>("bad-key", `group ${group} key must be 16 bytes`);
	}
}
