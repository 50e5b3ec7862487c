/**
 * The link factory the simulator hands to the firmware's device node (startDevice's
 * `LinkFactory`): the firmware's own SecureLink (picket/link/secure-link), adapted to the
 * node's AlertLink view, with a probe on both sides so the simulation can report who
 * received, decrypted, relayed and rejected what, and why.
 *
 * Sessions (acknowledge, silence over Noise KKpsk0) are not wired yet: commands the policy
 * sends are reported to the probe and go nowhere, so senders repeat up to their limit.
 */
import type { AlarmCommand, AlertLink, CommandChannel, SessionPort } from "picket/device/alert-link";
import type { DeviceLinks, LinkFactory } from "picket/device/device-node";
import type { Membership } from "picket/link/membership";
import { type EpochKeys, type ReceiveOutcome, SecureLink } from "picket/link/secure-link";

/** What the simulation learns from one device's link. */
export interface LinkProbe {
	/** The link judged a received frame. */
	received(frame: Uint8Array, outcome: ReceiveOutcome): void;
	/** The link sealed an alert of this device. */
	sealed(frame: Uint8Array): void;
	/** The policy asked for a command to a peer (no session layer yet). */
	command(peer: number, command: AlarmCommand): void;
}

/** The keys and roster view the provisioning gave one device. */
export interface LinkProvisioning {
	readonly membership: Membership;
	readonly keys: EpochKeys;
	readonly initialTtl: number;
}

export function simulatedLinks(provisioning: LinkProvisioning, probe: LinkProbe): LinkFactory {
	return (context): DeviceLinks => {
		const { host, identity } = context;
		const link = new SecureLink({
			crypto: host.crypto,
			storage: host.storage,
			random: host.random,
			membership: provisioning.membership,
			self: identity.memberId,
			initialTtl: provisioning.initialTtl,
		});
		link.installEpoch(provisioning.keys, { keepPrevious: false });
		const alerts: AlertLink = {
			sendAlert(group, payload) {
				const frame = link.sendAlert(group, payload);
				probe.sealed(frame);
				return frame;
			},
			receive(frame) {
				const outcome = link.receive(frame);
				probe.received(frame, outcome);
				return outcome;
			},
		};
		const commands: CommandChannel = { send: (peer, command) => probe.command(peer, command) };
		const sessions: SessionPort = { receive: () => ({ kind: "rejected", reason: "no-session-layer" }) };
		return { alerts, sessions, commands };
	};
}
