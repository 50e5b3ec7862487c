/**
 * A device's links built from its provisioning, the same on every target (main.ts, the
 * host simulator):
 *
 *   Storage ─ keystore (signed roster verified, this device listed with its key) ─┐
 *     ├─ SecureLink: alerts under the bundle's epoch keys (network key, group keys)
 *     ├─ PairwiseSessions: KKpsk0 with the static key and the epoch's handshake PSK,
 *     │  the roster pinning every peer; commands for the alarm policy; key-epoch
 *     │  deliveries → keystore.applyEpochDelivery → SecureLink.installEpoch.
 *     └─ MeshLink: a peer with no known MAC is reached at its mesh address; its frames are
 *        enveloped under the network key (SecureLink's counter and duplicate cache) and
 *        routed or flooded across the relays (picket/link/mesh-link).
 *
 * A key-epoch delivery is a revocation (DESIGN.md "Revocation is a new key epoch"): the
 * new epoch is installed with `keepPrevious: false`, so frames of the old epoch — the only
 * ones a revoked device can still make — are "wrong-epoch" from then on and never relayed.
 */
import type { TimerId } from "picket/core/host-contracts";
import { PicketError, isPicketError } from "picket/core/picket-error";
import { DeliveryTracker } from "picket/link/delivery-tracker";
import type { HostBindings } from "picket/device/host-bindings";
import type { DeviceIdentity, DeviceLinks, LinkContext } from "picket/device/device-node";
import type { HandshakeIdentity } from "picket/link/handshake";
import type { Membership } from "picket/link/membership";
import { meshAddress, meshMember } from "picket/link/mesh-envelope";
import { MeshLink, type MeshLinkOptions } from "picket/link/mesh-link";
import { PairwiseSessions, type PairwiseSessionsOptions } from "picket/link/pairwise-sessions";
import { type EpochKeys, SecureLink, type SecureLinkOptions } from "picket/link/secure-link";
import { epochDeliveryAddressee } from "picket/provisioning/epoch-delivery";
import { type DeviceCredentials, applyEpochDelivery, loadCredentials } from "picket/provisioning/keystore";

/** What main.ts needs from provisioning: who the device is, and the verified credentials the links run on. */
export interface DeviceProvisioning {
	readonly identity: DeviceIdentity;
	readonly credentials: DeviceCredentials;
}

/** Loads and verifies the bundle committed in the host's Storage. Throws the keystore's PicketError codes. */
export function loadProvisioning(host: HostBindings): DeviceProvisioning {
	if (host.provisioned !== undefined) return provisioningFrom(host.provisioned);
	return provisioningFrom(loadCredentials(host.storage, host.crypto, host.verifiedRoster === undefined ? {} : { verifiedRoster: host.verifiedRoster }));
}

/** The provisioning of already verified credentials (the simulator opens bundles against a shared roster). */
export function provisioningFrom(credentials: DeviceCredentials): DeviceProvisioning {
	const role = credentials.self.role;
	// The command post's entry pins its key for the gateway link; it never runs as a board.
	if (role === "post") throw new PicketError<"not-a-device">("not-a-device", `member ${credentials.deviceId} is the command post`);
	return { identity: { memberId: credentials.deviceId, role }, credentials };
}

/** Tuning the simulator and tests may pass; devices use the defaults. */
export interface ProvisionedLinkOptions {
	/** No `initialTtl`: the settings' is the one the device node also judges "heard directly" by. */
	readonly link?: Pick<SecureLinkOptions, "maxJitterMs" | "relays">;
	readonly sessions?: Pick<PairwiseSessionsOptions, "retryMs" | "attempts" | "unreachableCooldownMs" | "maxNeighbours" | "maxPeers" | "queueLimit" | "maxDeliveryBytes">;
	readonly mesh?: Pick<MeshLinkOptions, "routeCapacity" | "floodAfterMs" | "floodBudget">;
}

export interface ProvisionedLinks extends DeviceLinks {
	readonly alerts: SecureLink;
	readonly sessions: PairwiseSessions;
	readonly commands: PairwiseSessions;
	readonly mesh: MeshLink;
	/** The credentials in force (they change when a key-epoch delivery is applied). */
	readonly credentials: DeviceCredentials;
	/** Applies a sealed key-epoch delivery addressed to this device. Throws the keystore's PicketError codes. */
	applyEpochDelivery(delivery: Uint8Array): void;
	/**
	 * Carries a sealed key-epoch delivery to its addressee over their pairwise session (through
	 * the mesh when it is not a neighbour), again with backoff until it acknowledges
	 * (picket/link/delivery-tracker). Throws the delivery codec's PicketError codes.
	 */
	carryEpochDelivery(delivery: Uint8Array): void;
	/** A member heard sending under an old key epoch: the delivery held for it, if any, goes again. */
	heardBehind(member: number): void;
}

/**
 * After a revocation, how long the replaced epoch still carries envelopes and handshakes to
 * members behind: a carrier's retries (delivery-tracker.ts: 1, 2, 4, 8, 16 s…) within it.
 */
export const ENVELOPE_GRACE_MS = 120_000;

export function createProvisionedLinks(context: LinkContext, provisioning: DeviceProvisioning, options: ProvisionedLinkOptions = {}): ProvisionedLinks {
	const { host } = context;
	let credentials = provisioning.credentials;
	// The roster changes with each key epoch; the link reads whichever is in force.
	const membership: Membership = {
		member: (id) => credentials.roster.member(id),
		get epoch() {
			return credentials.roster.epoch;
		},
	};
	const alerts = new SecureLink({ initialTtl: context.settings.initialTtl, ...options.link, crypto: host.crypto, storage: host.storage, random: host.random, clock: host.timers, membership, self: credentials.deviceId });
	alerts.installEpoch(epochKeys(credentials), { keepPrevious: false });
	const mesh = new MeshLink({
		maxJitterMs: options.link?.maxJitterMs,
		relays: options.link?.relays,
		...options.mesh,
		link: alerts,
		timers: host.timers,
		random: host.random,
		self: credentials.deviceId,
		transmit: (frame, to) => context.transmit(frame, to),
		behind: (member) => tracker.holds(member),
		floodsFor: (member) => tracker.holds(member),
	});

	/** The epoch before the current one, while its grace lasts: for handshakes with members we carry a delivery to. */
	let previousIdentity: HandshakeIdentity | undefined;
	let graceTimer: TimerId | undefined;
	const apply = (delivery: Uint8Array, from?: number): void => {
		let next: DeviceCredentials;
		try {
			next = applyEpochDelivery(host.storage, credentials, delivery, host.crypto);
		} catch (error) {
			// "stale-epoch": a carrier's retransmission of what we already hold, not a refusal.
			if (isPicketError(error) && error.code !== "stale-epoch") host.onEvent?.({ kind: "epoch-refused", reason: error.code, ...(from === undefined ? {} : { from }) });
			throw error;
		}
		alerts.installEpoch(epochKeys(next), { keepPrevious: false });
		previousIdentity = handshakeIdentity(host, credentials);
		credentials = next;
		sessions.updateIdentity(handshakeIdentity(host, next));
		// The laggards' grace (secure-link.ts retireEnvelopeGrace): what the carriers' retries need, then no longer.
		if (graceTimer !== undefined) host.timers.clearTimeout(graceTimer);
		graceTimer = host.timers.setTimeout(() => {
			graceTimer = undefined;
			previousIdentity = undefined;
			alerts.retireEnvelopeGrace();
		}, ENVELOPE_GRACE_MS);
		host.log.info(`key epoch ${next.epoch} installed (${next.roster.size} members)`);
		host.onEvent?.({ kind: "epoch-installed", epoch: next.epoch, members: next.roster.size, ...(from === undefined ? {} : { from }) });
	};
	const sessions: PairwiseSessions = new PairwiseSessions({
		...options.sessions,
		identity: handshakeIdentity(host, credentials),
		timers: host.timers,
		transmit: (frame, to) => {
			const member = meshMember(to);
			if (member === undefined) context.transmit(frame, to);
			else mesh.send(member, frame);
		},
		meshAddress,
		identityFor: (peer) => (tracker.holds(peer) ? previousIdentity : undefined),
		onEpochDelivery: (delivery, peer) => {
			host.log.info(`key-epoch delivery from ${peer}`);
			try {
				apply(delivery, peer);
			} catch (error) {
				// Opened, but not newer than what we hold: the carrier missed our acknowledgement.
				if (isPicketError(error, "stale-epoch")) sessions.acknowledgeDelivery(peer, credentials.epoch);
				throw error;
			}
			sessions.acknowledgeDelivery(peer, credentials.epoch);
		},
		onDeliveryAck: (peer, epoch) => {
			if (tracker.acknowledged(peer, epoch)) host.onEvent?.({ kind: "delivery-acknowledged", peer, epoch });
		},
		onDrop: (peer, reason) => {
			host.log.warn(`session with ${peer}: ${reason}`);
			host.onEvent?.({ kind: "session-dropped", peer, reason });
		},
	});
	const tracker = new DeliveryTracker({ timers: host.timers, send: (peer, delivery) => sessions.sendEpochDelivery(peer, delivery) });
	return {
		alerts,
		sessions,
		commands: sessions,
		members: membership,
		mesh,
		get credentials() {
			return credentials;
		},
		applyEpochDelivery: (delivery) => apply(delivery),
		carryEpochDelivery: (delivery) => {
			const { deviceId, epoch } = epochDeliveryAddressee(delivery);
			tracker.hold(deviceId, delivery, epoch);
		},
		heardBehind: (member) => tracker.heardBehind(member),
		close: () => {
			if (graceTimer !== undefined) host.timers.clearTimeout(graceTimer);
			tracker.close();
			sessions.close();
		},
	};
}

function epochKeys(credentials: DeviceCredentials): EpochKeys {
	return { epoch: credentials.epoch, networkKey: credentials.networkKey, groupKeys: credentials.groupKeys };
}

function handshakeIdentity(host: HostBindings, credentials: DeviceCredentials): HandshakeIdentity {
	return {
		crypto: host.crypto,
		domainId: credentials.domainId,
		memberId: credentials.deviceId,
		staticKeyPair: credentials.staticKeyPair,
		psk: credentials.handshakePsk,
		roster: credentials.roster,
	};
}
