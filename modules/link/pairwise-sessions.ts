/**
 * The pairwise session layer of one device: handshakes on demand (picket/link/handshake,
 * Noise KKpsk0), one session per peer (picket/link/session), the commands they carry
 * (picket/link/session-command), and the key-epoch deliveries reassembled from chunks.
 * It is the device node's `SessionPort` (frames from the air) and the alarm policy's
 * `CommandChannel` (commands to a peer).
 *
 * Sending a command to member P:
 *   confirmed session with P → seal, unicast to P's MAC.
 *   none, P's MAC known → queue the command, unicast message 1 to that MAC, resend it every
 *   `retryMs` up to `attempts` times; message 2 completes the session and flushes the
 *   queue. After the last attempt the queue is dropped ("peer-unreachable"), P's MAC is
 *   forgotten and P's cool-down starts: for `unreachableCooldownMs` commands to P are
 *   dropped at once ("peer-unreachable"), with no radio traffic.
 *   none, P's MAC unknown → through the mesh: P's mesh address (`meshAddress`,
 *   picket/link/mesh-envelope) stands for its MAC, and `transmit` envelopes each frame for
 *   the relays (picket/link/mesh-link); without `meshAddress`, dropped at once
 *   ("not-neighbour"). A MAC is known from P's handshake or from an alert heard directly
 *   from P (`heardDirectly`; why that rule, and what a faked TTL costs: neighbour-table.ts).
 *   Never a broadcast message 1 for a command: every neighbour would pay 2 X25519 to reject
 *   it; an envelope names its addressee, so only P pays.
 * Sending a key-epoch delivery to P: as a command, except that with P's MAC unknown message
 *   1 is broadcast (P is most likely a neighbour the carrier never heard transmit), and every
 *   third failed handshake goes through the mesh instead; P's cool-down does not apply. Deliveries are rare and operator-driven
 *   (a revocation: one per remaining member, provisioning/epoch-delivery), nothing on the
 *   air can trigger one. `identityFor` lets a carrier handshake with a member still in the
 *   previous epoch under that epoch's PSK; delivery-tracker.ts resends until acknowledged.
 *
 * Receiving:
 *   message 1 → first its mac1 (handshake.ts: two HMACs, no X25519, no state: a message 1
 *     that fails it creates no peer), then the replay checks below, then the admission
 *     limits (handshake-admission.ts: per initiator and global token buckets, "rate-limited"),
 *     and only then answer as responder (message 2 unicast to the transmitter's MAC). The new
 *     session stays *pending*: KK's message 1 can be forged by whoever holds this device's
 *     static key and the domain PSK (key compromise impersonation, handshake.ts), so the
 *     pending session neither replaces a confirmed one nor teaches P's MAC until P's first
 *     authentic session frame arrives on it (Noise §7.7 source property 2 at the responder).
 *     The same message 1 again from the same MAC (our message 2 was lost) gets the same
 *     message 2, no new keys; from any other MAC it is a replay and gets nothing (else one
 *     recording, replayed from many MACs, would fill the radio's 20-entry peer list with
 *     answers in flight). An answer waits `pendingResponseMs` (2 s) for the peer's first
 *     session frame, then it is dropped: an honest initiator sends that frame within
 *     milliseconds of message 2.
 *     Both sides initiating at once: the lower member id's handshake wins.
 *
 * Replayed message 1. An old message 1 of P recorded off the air is still authentic (same
 * epoch, same PSK, same statics) and would be answered; were the answer to *replace* P's
 * pending response, a replay sent right after P's new message 1 would make this device
 * reject every frame of P's new session. So:
 *   - up to `maxPendingResponses` answers per peer wait for confirmation at once; P's first
 *     authentic session frame confirms whichever one it opens and the others are dropped
 *     (the oldest goes first when the set is full);
 *   - the ephemeral keys of the last `answeredMemory` messages 1 answered since boot are
 *     remembered (48-bit fingerprints, in memory only), and a message 1 whose ephemeral is
 *     among them is answered with nothing ("replayed"), and costs no X25519, unless it is
 *     byte for byte a pending one's message 1: that is the "lost message 2" case above.
 * Residual risk: after a reboot (or once `answeredMemory` newer handshakes have pushed a
 *   fingerprint out) old messages 1 of the current epoch are answered again, once each and
 *   within the admission limits. Each costs the responder a handshake's X25519 work and
 *   gives the attacker nothing (message 2 is useless without the initiator's ephemeral
 *   secret); its answer expires after `pendingResponseMs`; P's new handshake is lost only if more than
 *   `maxPendingResponses` such replays land between P's message 1 and P's first session
 *   frame, and then P's repeated command goes over a fresh handshake (below). A new key
 *   epoch (new PSK) retires every recorded message 1.
 *   message 2 → finish the pending initiation it matches (by the MAC its message 1 went to,
 *     or any whose message 1 was broadcast).
 *   session frame → the sessions of the peer(s) whose MAC sent it, newest first; the old
 *     session stays receivable after a new one replaces it, for frames already in flight.
 *
 * A repeated command (the same bytes to the same peer over the same session) means the
 * first had no effect: a responder acknowledges again only because the alert kept coming.
 * The likely cause is a peer that rebooted and lost the session, so the repeat goes over a
 * fresh handshake.
 *
 * Memory is bounded: at most `maxPeers` peers (least recently used evicted), `queueLimit`
 * queued items per peer, `maxPendingResponses` unconfirmed answers per peer, `answeredMemory`
 * fingerprints (8 B each) for all peers together, `maxNeighbours` directly heard MACs and
 * cool-downs (neighbour-table.ts), key-epoch deliveries in reassembly per peer and session,
 * a few at once of at most `maxDeliveryBytes` each (delivery-reassembly.ts: why per peer).
 * Nothing from the air throws out of `receive`: every failure is a typed rejection.
 */
import { concatBytes, constantTimeEqual, readU16, readU32 } from "picket/core/bytes";
import type { TimerId, Timers } from "picket/core/host-contracts";
import { isPicketError } from "picket/core/picket-error";
import { BROADCAST_MAC } from "picket/device/radio";
import { FrameKind, frameDetail, frameKind } from "picket/link/frame-kind";
import { HandshakeInitiator, type HandshakeIdentity, checkMessage1Mac, handshakeEphemeral, handshakeInitiatorId, respondToHandshake } from "picket/link/handshake";
import { HandshakeAdmission, type HandshakeAdmissionOptions } from "picket/link/handshake-admission";
import { DeliveryReassembly } from "picket/link/delivery-reassembly";
import { DEFAULT_NEIGHBOUR_CAPACITY, NeighbourTable } from "picket/link/neighbour-table";
import type { OpenedSessionFrame, Session } from "picket/link/session";
import { type AlarmCommand, type SessionCommand, encodeSessionCommand, epochDeliveryChunks } from "picket/link/session-command";

export type PairwiseSessionsErrorCode =
	| "rate-limited" // a message 1 beyond the admission limits (handshake-admission.ts): not answered
	| "unknown-peer" // not in the roster, or a session frame from a MAC with no session
	| "peer-unreachable" // message 1 unanswered after every attempt, or since then within the cool-down
	| "not-neighbour" // a command for a peer never heard directly: no MAC to send it to
	| "queue-full" // the oldest queued item was dropped for a newer one
	| "evicted" // the peer's state made room for another peer
	| "delivery-too-large" // a key-epoch delivery beyond maxDeliveryBytes
	| "revoked"; // the peer left the roster with a new key epoch

export type PairwiseOutcome =
	| { readonly kind: "command"; readonly peer: number; readonly command: AlarmCommand }
	| { readonly kind: "handled" }
	| { readonly kind: "rejected"; readonly reason: string };

export interface PairwiseSessionsOptions {
	/** This device in every handshake: keys, the epoch's PSK, the roster pinning peers. */
	readonly identity: HandshakeIdentity;
	readonly timers: Timers;
	/** Puts a frame on the air to `to` (a peer's MAC, or BROADCAST_MAC). */
	readonly transmit: (frame: Uint8Array, to: Uint8Array) => void;
	/**
	 * Where a peer with no known MAC is reached: its mesh address (picket/link/mesh-envelope),
	 * which `transmit` envelopes for the relays. Absent: such a peer is "not-neighbour".
	 */
	readonly meshAddress?: (peer: number) => Uint8Array;
	/**
	 * The identity to handshake with `peer` under when not the current one: the previous
	 * epoch's, for a member we carry a delivery to (it still holds the old PSK). Our
	 * static key and the peer's are the same in both epochs.
	 */
	readonly identityFor?: (peer: number) => HandshakeIdentity | undefined;
	/** `peer` acknowledged a key-epoch delivery: it now holds key epoch `epoch` (delivery-tracker.ts). */
	readonly onDeliveryAck?: (peer: number, epoch: number) => void;
	/** A whole key-epoch delivery from `peer`, still sealed. A PicketError it throws becomes the frame's rejection. */
	readonly onEpochDelivery?: (delivery: Uint8Array, peer: number) => void;
	/** Something queued for `peer` was given up, and why (for the device's log). */
	readonly onDrop?: (peer: number, reason: PairwiseSessionsErrorCode) => void;
	/** Wait for message 2 before sending message 1 again (default 250 ms). */
	readonly retryMs?: number;
	/** The same through the mesh (default 1 s: a round trip over several hops, each with relay jitter). */
	readonly meshRetryMs?: number;
	/** Times message 1 is sent before giving up (default 4). */
	readonly attempts?: number;
	/** After giving up on a peer, commands to it are dropped at once for this long (default 10 s). */
	readonly unreachableCooldownMs?: number;
	/** Members whose directly heard MAC is remembered (default 32; neighbour-table.ts). */
	readonly maxNeighbours?: number;
	readonly maxPeers?: number;
	readonly queueLimit?: number;
	/** Answers to a peer's messages 1 waiting for its first session frame at once (default 3). */
	readonly maxPendingResponses?: number;
	/** Messages 1 answered since boot whose ephemeral is remembered, all peers together (default 64). */
	readonly answeredMemory?: number;
	/** An answered message 1 waits this long for the peer's first session frame (default 2 s). */
	readonly pendingResponseMs?: number;
	/** Rate limits on answering messages 1 (handshake-admission.ts). */
	readonly admission?: HandshakeAdmissionOptions;
	readonly maxDeliveryBytes?: number;
}

export const DEFAULT_RETRY_MS = 250;
export const DEFAULT_ATTEMPTS = 4;
export const DEFAULT_MESH_RETRY_MS = 1_000;
/**
 * A failed handshake (4 × 250 ms) is not retried for 10 s: with the default repeat schedule
 * (0.5, 1, 2, 4, 8, 8 s) an unreachable origin costs about two handshakes per incident
 * instead of one per repeat, and a peer that was only briefly out of reach is tried again
 * while its incident still runs.
 */
export const DEFAULT_UNREACHABLE_COOLDOWN_MS = 10_000;
export const DEFAULT_MAX_PEERS = 16;
export const DEFAULT_QUEUE_LIMIT = 4;
export const DEFAULT_MAX_PENDING_RESPONSES = 3;
export const DEFAULT_ANSWERED_MEMORY = 64;
export const DEFAULT_PENDING_RESPONSE_MS = 2_000;
/** A delivery is about the size of the roster (39 B per member): 16 KiB covers ~400 members. */
export const DEFAULT_MAX_DELIVERY_BYTES = 16384;

type Outgoing =
	| { readonly kind: "command"; readonly command: AlarmCommand }
	| { readonly kind: "delivery"; readonly bytes: Uint8Array }
	| { readonly kind: "delivery-ack"; readonly epoch: number };

interface PendingResponse {
	readonly session: Session;
	readonly message1: Uint8Array;
	readonly reply: Uint8Array;
	readonly mac: Uint8Array;
	/** When it was answered (timers.now()): it expires `pendingResponseMs` later. */
	readonly answeredAt: number;
}

interface Peer {
	readonly id: number;
	/** Learnt from an authenticated handshake step or confirmed session; undefined: see the neighbour table. */
	mac: Uint8Array | undefined;
	/** Confirmed: sends and receives. */
	session: Session | undefined;
	/** The session `session` replaced: receives only, for frames already in flight. */
	previous: Session | undefined;
	/** Answered messages 1 waiting for the peer's first session frame, oldest first. */
	responses: PendingResponse[];
	/** Our handshake under way; message 1 goes to `to` (a MAC, or BROADCAST_MAC for a delivery to an unheard peer). */
	initiation: { readonly handshake: HandshakeInitiator; readonly to: Uint8Array; sent: number } | undefined;
	timer: TimerId | undefined;
	queue: Outgoing[];
	/** The last alarm command sealed on `session`, to notice a repeat. */
	lastCommand: Uint8Array | undefined;
	/** A key-epoch delivery went out over the current session. */
	deliveredOnSession: boolean;
	/** Handshakes for a key-epoch delivery to this peer that went unanswered. */
	failedDeliveryHandshakes: number;
}

export class PairwiseSessions {
	#identity: HandshakeIdentity;
	readonly #options: PairwiseSessionsOptions;
	readonly #retryMs: number;
	readonly #meshRetryMs: number;
	readonly #attempts: number;
	readonly #cooldownMs: number;
	readonly #neighbours: NeighbourTable;
	readonly #maxPeers: number;
	readonly #queueLimit: number;
	readonly #maxPendingResponses: number;
	readonly #answered: AnsweredEphemerals;
	readonly #pendingResponseMs: number;
	readonly #admission: HandshakeAdmission;
	/** Insertion order is recency order: a touched peer moves to the end, the first is evicted. */
	readonly #peers = new Map<number, Peer>();
	readonly #incoming: DeliveryReassembly<Session>;

	constructor(options: PairwiseSessionsOptions) {
		this.#identity = options.identity;
		this.#options = options;
		this.#retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
		this.#meshRetryMs = options.meshRetryMs ?? DEFAULT_MESH_RETRY_MS;
		this.#attempts = options.attempts ?? DEFAULT_ATTEMPTS;
		this.#cooldownMs = options.unreachableCooldownMs ?? DEFAULT_UNREACHABLE_COOLDOWN_MS;
		this.#neighbours = new NeighbourTable(options.maxNeighbours ?? DEFAULT_NEIGHBOUR_CAPACITY);
		this.#maxPeers = options.maxPeers ?? DEFAULT_MAX_PEERS;
		this.#queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
		this.#maxPendingResponses = Math.max(1, options.maxPendingResponses ?? DEFAULT_MAX_PENDING_RESPONSES);
		this.#answered = new AnsweredEphemerals(options.answeredMemory ?? DEFAULT_ANSWERED_MEMORY);
		this.#pendingResponseMs = options.pendingResponseMs ?? DEFAULT_PENDING_RESPONSE_MS;
		this.#admission = new HandshakeAdmission(options.timers.now(), options.admission);
		this.#incoming = new DeliveryReassembly(options.maxDeliveryBytes ?? DEFAULT_MAX_DELIVERY_BYTES);
	}

	/** Peers with state held (at most `maxPeers`). */
	get peerCount(): number {
		return this.#peers.size;
	}

	/** True when a confirmed session with `peer` is up. */
	hasSession(peer: number): boolean {
		return this.#peers.get(peer)?.session !== undefined;
	}

	/** The MAC learnt for `peer` from a handshake, if any. */
	macOf(peer: number): Uint8Array | undefined {
		return this.#peers.get(peer)?.mac?.slice();
	}

	/**
	 * SessionPort: member `peer` was heard transmitting an authenticated alert itself (not
	 * relayed) from `mac`, so a command can reach it there. The caller judges "itself"
	 * (neighbour-table.ts); a MAC learnt from a handshake still takes precedence.
	 */
	heardDirectly(peer: number, mac: Uint8Array): void {
		if (this.#isPeerId(peer)) this.#neighbours.heard(peer, mac);
	}

	/** CommandChannel: sends `command` to `peer`, handshaking first when needed. Never throws. */
	send(peerId: number, command: AlarmCommand): void {
		const held = this.#peers.get(peerId);
		if (held?.session === undefined && held?.initiation === undefined && this.#isPeerId(peerId)) {
			if (this.#neighbours.coolingDown(peerId, this.#options.timers.now())) return this.#drop(peerId, "peer-unreachable");
			if ((this.#macFor(peerId) ?? this.#options.meshAddress?.(peerId)) === undefined) return this.#drop(peerId, "not-neighbour");
		}
		const peer = this.#peerFor(peerId);
		if (peer === undefined) return this.#drop(peerId, "unknown-peer");
		const bytes = encodeSessionCommand(command);
		if (peer.session !== undefined && peer.lastCommand !== undefined && constantTimeEqual(peer.lastCommand, bytes)) {
			this.#retire(peer);
		}
		this.#enqueue(peer, { kind: "command", command });
	}

	/**
	 * Carries a sealed key-epoch delivery (picket/provisioning/epoch-delivery) to `peer`
	 * in chunks over their session. Throws PicketError "bad-command-length" when it cannot
	 * fit 255 chunks; "unknown-peer" is reported through `onDrop`.
	 */
	sendEpochDelivery(peerId: number, delivery: Uint8Array): void {
		epochDeliveryChunks(delivery); // refuses an impossible size before anything is queued
		const peer = this.#peerFor(peerId);
		if (peer === undefined) return this.#drop(peerId, "unknown-peer");
		// A resend (delivery-tracker.ts): the copy still queued behind a handshake is replaced,
		// not doubled; one already sent over the current session went unacknowledged, so the
		// session may be dead on the peer's side (it rebooted, or lost it): a fresh handshake.
		peer.queue = peer.queue.filter((item) => item.kind !== "delivery" || !constantTimeEqual(item.bytes, delivery));
		if (peer.session !== undefined && peer.deliveredOnSession) this.#retire(peer);
		this.#enqueue(peer, { kind: "delivery", bytes: delivery.slice() });
	}

	/** Tells `peer`, over their session, that its key-epoch delivery reached us: we hold `epoch` now. */
	acknowledgeDelivery(peerId: number, epoch: number): void {
		const peer = this.#peerFor(peerId);
		if (peer === undefined) return this.#drop(peerId, "unknown-peer");
		this.#enqueue(peer, { kind: "delivery-ack", epoch });
	}

	/**
	 * A new key epoch: later handshakes use its PSK and roster. Peers gone from the roster
	 * are forgotten with their sessions; handshakes under way restart under the new PSK.
	 * Sessions with remaining peers stay: their keys came from a handshake both sides
	 * authenticated, not from the epoch.
	 */
	updateIdentity(identity: HandshakeIdentity): void {
		this.#identity = identity;
		this.#incoming.forget();
		this.#neighbours.retain((member) => identity.roster.member(member) !== undefined);
		for (const peer of [...this.#peers.values()]) {
			if (identity.roster.member(peer.id) === undefined) {
				this.#forget(peer, "revoked");
				continue;
			}
			peer.responses = [];
			if (peer.initiation !== undefined) {
				this.#clearTimer(peer);
				peer.initiation = undefined;
				this.#connect(peer);
			}
		}
	}

	/** SessionPort: one handshake or session frame from the MAC `from`. Never throws on air input. */
	receive(frame: Uint8Array, from: Uint8Array): PairwiseOutcome {
		try {
			if (frame.length === 0) return rejected("truncated");
			const kind = frameKind(frame[0]);
			if (kind === FrameKind.Handshake) return frameDetail(frame[0]) === 2 ? this.#onMessage2(frame, from) : this.#onMessage1(frame, from);
			if (kind === FrameKind.Session) return this.#onSessionFrame(frame, from);
			return rejected("unexpected-message");
		} catch (error) {
			if (isPicketError(error)) return rejected(error.code);
			throw error;
		}
	}

	close(): void {
		for (const peer of this.#peers.values()) this.#clearTimer(peer);
		this.#peers.clear();
		this.#incoming.forget();
	}

	#onMessage1(frame: Uint8Array, from: Uint8Array): PairwiseOutcome {
		checkMessage1Mac(this.#identity, frame); // throws "bad-mac1" before any state or public-key work
		const initiatorId = handshakeInitiatorId(frame);
		const known = initiatorId === undefined ? undefined : this.#peers.get(initiatorId);
		if (known !== undefined) this.#expireResponses(known);
		const pending = known?.responses.find((response) => constantTimeEqual(response.message1, frame));
		if (pending !== undefined) {
			if (!constantTimeEqual(pending.mac, from)) return rejected("replayed");
			this.#options.transmit(pending.reply, from);
			return { kind: "handled" };
		}
		const ephemeral = handshakeEphemeral(frame);
		if (ephemeral !== undefined && this.#answered.has(ephemeral)) return rejected("replayed");
		// Both sides initiated: the lower id's handshake goes on, the other side answers it.
		if (known?.initiation !== undefined && this.#identity.memberId < known.id) return { kind: "handled" };
		if (initiatorId !== undefined && this.#isPeerId(initiatorId) && !this.#admission.admit(initiatorId, this.#options.timers.now())) return rejected("rate-limited");
		const { reply, session, initiatorId: peerId } = respondToHandshake(this.#identity, frame); // throws the typed rejection
		this.#admission.answered(peerId, this.#options.timers.now());
		const peer = this.#peerFor(peerId);
		if (peer === undefined) return rejected("unknown-peer");
		if (ephemeral !== undefined) this.#answered.remember(ephemeral);
		if (peer.initiation !== undefined) {
			this.#clearTimer(peer);
			peer.initiation = undefined;
		}
		peer.responses.push({ session, message1: frame.slice(), reply, mac: from.slice(), answeredAt: this.#options.timers.now() });
		if (peer.responses.length > this.#maxPendingResponses) peer.responses.shift();
		this.#options.transmit(reply, from);
		// Commands waiting for this peer go out once it confirms; if it never does, we initiate.
		if (peer.queue.length > 0 && peer.timer === undefined) this.#schedule(peer);
		return { kind: "handled" };
	}

	#onMessage2(frame: Uint8Array, from: Uint8Array): PairwiseOutcome {
		let reason = "unexpected-message";
		for (const peer of [...this.#peers.values()]) {
			const initiation = peer.initiation;
			// Message 2 names nobody: try the initiation to this MAC, or any whose message 1 was broadcast.
			if (initiation === undefined || !(constantTimeEqual(initiation.to, BROADCAST_MAC) || constantTimeEqual(initiation.to, from))) continue;
			let session: Session;
			try {
				session = initiation.handshake.finish(frame);
			} catch (error) {
				if (!isPicketError(error)) throw error;
				reason = error.code;
				continue;
			}
			this.#clearTimer(peer);
			peer.initiation = undefined;
			peer.responses = [];
			peer.mac = from.slice();
			this.#install(peer, session);
			this.#flush(peer);
			return { kind: "handled" };
		}
		return rejected(reason);
	}

	#onSessionFrame(frame: Uint8Array, from: Uint8Array): PairwiseOutcome {
		let reason = "unknown-peer";
		for (const peer of [...this.#peers.values()]) {
			this.#expireResponses(peer);
			const fromPeer = peer.mac !== undefined && constantTimeEqual(peer.mac, from);
			const candidates: (Session | undefined)[] = [];
			if (fromPeer) candidates.push(peer.session);
			for (let i = peer.responses.length - 1; i >= 0; i--) {
				if (constantTimeEqual(peer.responses[i].mac, from)) candidates.push(peer.responses[i].session);
			}
			if (fromPeer) candidates.push(peer.previous);
			for (const session of candidates) {
				if (session === undefined) continue;
				let opened: OpenedSessionFrame;
				try {
					opened = session.openFrame(frame);
				} catch (error) {
					if (!isPicketError(error)) throw error;
					// Authentic but malformed: no other session would open it.
					if (error.code === "bad-command" || error.code === "bad-command-length") return rejected(error.code);
					if (reason === "unknown-peer") reason = error.code;
					continue;
				}
				const response = peer.responses.find((pending) => pending.session === session);
				if (response !== undefined) this.#confirm(peer, response);
				this.#touch(peer);
				return this.#dispatch(peer, session, opened);
			}
		}
		return rejected(reason);
	}

	/** Drops answers older than `pendingResponseMs`: the peer never used them (a replay, or a lost handshake). */
	#expireResponses(peer: Peer): void {
		const now = this.#options.timers.now();
		if (peer.responses.some((response) => now - response.answeredAt >= this.#pendingResponseMs)) {
			peer.responses = peer.responses.filter((response) => now - response.answeredAt < this.#pendingResponseMs);
		}
	}

	/** The peer's first authentic frame on a session we answered: now it is the peer's session; the other answers were replays or superseded. */
	#confirm(peer: Peer, response: PendingResponse): void {
		peer.responses = [];
		peer.mac = response.mac;
		this.#install(peer, response.session);
		if (peer.initiation === undefined) this.#clearTimer(peer);
		this.#flush(peer);
	}

	#dispatch(peer: Peer, session: Session, { command, counter }: OpenedSessionFrame): PairwiseOutcome {
		if (command.kind === "delivery-ack") {
			this.#options.onDeliveryAck?.(peer.id, command.epoch);
			return { kind: "handled" };
		}
		if (command.kind !== "epoch-delivery") return { kind: "command", peer: peer.id, command };
		const delivery = this.#incoming.add(peer.id, session, counter, command);
		if (typeof delivery === "string") return rejected(delivery);
		if (delivery !== undefined) this.#options.onEpochDelivery?.(delivery, peer.id);
		return { kind: "handled" };
	}

	#enqueue(peer: Peer, item: Outgoing): void {
		peer.queue.push(item);
		if (peer.queue.length > this.#queueLimit) {
			peer.queue.shift();
			this.#drop(peer.id, "queue-full");
		}
		if (peer.session !== undefined) this.#flush(peer);
		else this.#connect(peer);
	}

	/** Seals and sends what is queued for `peer` over its confirmed session. */
	#flush(peer: Peer): void {
		while (peer.session !== undefined && peer.queue.length > 0) {
			const item = peer.queue.shift()!;
			const commands: SessionCommand[] = item.kind === "command" ? [item.command] : item.kind === "delivery-ack" ? [{ kind: "delivery-ack", epoch: item.epoch }] : epochDeliveryChunks(item.bytes);
			try {
				for (const command of commands) this.#options.transmit(peer.session.seal(command), peer.mac ?? BROADCAST_MAC);
				if (item.kind === "command") peer.lastCommand = encodeSessionCommand(item.command);
				if (item.kind === "delivery") peer.deliveredOnSession = true;
			} catch (error) {
				// "exhausted": this direction's counter ran out; a new handshake brings new keys.
				if (!isPicketError(error)) throw error;
				peer.queue.unshift(item);
				this.#retire(peer);
				this.#connect(peer);
			}
		}
	}

	/** Starts a handshake with `peer`, unless one is under way or the peer's own is waiting to confirm. */
	#connect(peer: Peer): void {
		if (peer.initiation !== undefined || peer.timer !== undefined) return;
		if (peer.responses.length > 0) return this.#schedule(peer);
		const to = this.#macFor(peer.id) ?? this.#unheardAddress(peer);
		if (to === undefined) {
			// Only commands are queued and the MAC is gone (evicted from the neighbour table): no broadcast for commands.
			peer.queue = [];
			return this.#drop(peer.id, "not-neighbour");
		}
		let handshake: HandshakeInitiator;
		try {
			handshake = new HandshakeInitiator(this.#options.identityFor?.(peer.id) ?? this.#identity, peer.id);
		} catch (error) {
			if (!isPicketError(error)) throw error;
			return this.#forget(peer, "unknown-peer");
		}
		peer.initiation = { handshake, to, sent: 0 };
		this.#sendMessage1(peer);
	}

	#sendMessage1(peer: Peer): void {
		const initiation = peer.initiation!;
		initiation.sent++;
		this.#options.transmit(initiation.handshake.message1, initiation.to);
		this.#schedule(peer);
	}

	/** Where message 1 for `peer` can go: the MAC of its handshake, else where it was heard directly. */
	#macFor(peerId: number): Uint8Array | undefined {
		return this.#peers.get(peerId)?.mac ?? this.#neighbours.macOf(peerId);
	}

	/**
	 * Where message 1 goes for a peer never heard: a delivery's is broadcast (the peer is most
	 * likely a neighbour the carrier never heard transmit, and its answer teaches its MAC), and
	 * every third failed handshake goes through the mesh instead, for a member out of the
	 * carrier's range; the cool-down does not hold a delivery back. A command's goes through the
	 * mesh. Why broadcast twice before the mesh: at 30% loss over 3 hops, a direct handshake
	 * takes 1 s and mostly succeeds, a mesh one takes 4 s (1 s retries) and often fails; going
	 * to the mesh after the first failure left members installing 5–11 s after the revocation
	 * (bench/sim's sweep), twice then the mesh brings the worst to 7 s, with less airtime.
	 */
	#unheardAddress(peer: Peer): Uint8Array | undefined {
		const delivery = peer.queue.some((item) => item.kind === "delivery");
		if (delivery && peer.failedDeliveryHandshakes % 3 !== 2) return BROADCAST_MAC;
		return this.#options.meshAddress?.(peer.id);
	}

	#schedule(peer: Peer): void {
		this.#clearTimer(peer);
		peer.timer = this.#options.timers.setTimeout(() => {
			peer.timer = undefined;
			this.#onTimeout(peer);
		}, peer.initiation !== undefined && this.#options.meshAddress !== undefined && constantTimeEqual(peer.initiation.to, this.#options.meshAddress(peer.id)) ? this.#meshRetryMs : this.#retryMs);
	}

	#onTimeout(peer: Peer): void {
		if (this.#peers.get(peer.id) !== peer || peer.session !== undefined) return;
		const initiation = peer.initiation;
		if (initiation === undefined) {
			// The peer's own handshake never confirmed: ours instead.
			if (peer.queue.length > 0) {
				peer.responses = [];
				this.#connect(peer);
			}
			return;
		}
		if (initiation.sent < this.#attempts) return this.#sendMessage1(peer);
		peer.initiation = undefined;
		peer.mac = undefined; // perhaps stale: the next alert heard directly tells again
		if (peer.queue.some((item) => item.kind === "delivery")) peer.failedDeliveryHandshakes++;
		this.#neighbours.unreachable(peer.id, this.#options.timers.now() + this.#cooldownMs);
		const dropped = peer.queue.length;
		peer.queue = [];
		if (dropped > 0) this.#drop(peer.id, "peer-unreachable");
	}

	#install(peer: Peer, session: Session): void {
		this.#neighbours.reachable(peer.id);
		peer.previous = peer.session;
		peer.session = session;
		peer.lastCommand = undefined;
		peer.deliveredOnSession = false;
	}

	/** Stops sending on the session (it stays receivable) so the next item handshakes anew. */
	#retire(peer: Peer): void {
		peer.previous = peer.session;
		peer.session = undefined;
		peer.lastCommand = undefined;
		peer.deliveredOnSession = false;
	}

	#isPeerId(id: number): boolean {
		return id !== this.#identity.memberId && this.#identity.roster.member(id) !== undefined;
	}

	#peerFor(id: number): Peer | undefined {
		const known = this.#peers.get(id);
		if (known !== undefined) return this.#touch(known);
		if (!this.#isPeerId(id)) return undefined;
		if (this.#peers.size >= this.#maxPeers) {
			const oldest = this.#peers.values().next().value;
			if (oldest !== undefined) this.#forget(oldest, "evicted");
		}
		const peer: Peer = { id, mac: undefined, session: undefined, previous: undefined, responses: [], initiation: undefined, timer: undefined, queue: [], lastCommand: undefined, deliveredOnSession: false, failedDeliveryHandshakes: 0 };
		this.#peers.set(id, peer);
		return peer;
	}

	#touch(peer: Peer): Peer {
		this.#peers.delete(peer.id);
		this.#peers.set(peer.id, peer);
		return peer;
	}

	#forget(peer: Peer, reason: PairwiseSessionsErrorCode): void {
		this.#clearTimer(peer);
		this.#peers.delete(peer.id);
		if (peer.queue.length > 0) this.#drop(peer.id, reason);
	}

	#clearTimer(peer: Peer): void {
		if (peer.timer !== undefined) this.#options.timers.clearTimeout(peer.timer);
		peer.timer = undefined;
	}

	#drop(peer: number, reason: PairwiseSessionsErrorCode): void {
		this.#options.onDrop?.(peer, reason);
	}
}

function rejected(reason: string): PairwiseOutcome {
	return { kind: "rejected", reason };
}


/**
 * The ephemerals of the messages 1 answered since boot, the last `capacity` of them, by a
 * 48-bit fingerprint (their first 6 bytes; an honest ephemeral is uniformly random, so two
 * meet by chance with probability capacity / 2^48). Only authentic messages 1 enter, so
 * nobody without the PSK and a static key can fill it.
 */
class AnsweredEphemerals {
	readonly #seen = new Set<number>();
	readonly #ring: Float64Array;
	#next = 0;

	constructor(capacity: number) {
		this.#ring = new Float64Array(Math.max(1, capacity)).fill(-1);
	}

	has(ephemeral: Uint8Array): boolean {
		return this.#seen.has(fingerprint(ephemeral));
	}

	remember(ephemeral: Uint8Array): void {
		const print = fingerprint(ephemeral);
		if (this.#seen.has(print)) return;
		if (this.#ring[this.#next] >= 0) this.#seen.delete(this.#ring[this.#next]);
		this.#ring[this.#next] = print;
		this.#next = (this.#next + 1) % this.#ring.length;
		this.#seen.add(print);
	}
}

function fingerprint(ephemeral: Uint8Array): number {
	return readU16(ephemeral, 0) * 2 ** 32 + readU32(ephemeral, 2);
}
