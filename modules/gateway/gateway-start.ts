/**
 * Starts a gateway board's bridge to the command post (main.ts, when the board is a
 * gateway and its host has a post link): the post is the roster's member of role "post",
 * the bridge's identity is the gateway's own provisioning, and its commands go out through
 * the gateway's pairwise sessions.
 *
 * A serial line has no connection event, so the bridge (re)starts the handshake itself:
 * at boot, then every `RECONNECT_MS` while not connected, and again when the post stopped
 * acknowledging what was sent (it restarted and lost the session).
 */
import type { DeviceEvent } from "picket/device/device-events";
import type { HostBindings, PostLinkPort } from "picket/device/host-bindings";
import type { ProvisionedLinks } from "picket/device/provisioned-links";
import { GatewayBridge } from "picket/gateway/gateway-bridge";
import type { GatewayRollout } from "picket/gateway/gateway-rollout";
import { DEFAULT_INITIAL_TTL } from "picket/link/secure-link";

export const RECONNECT_MS = 5_000;

export interface StartedGateway {
	readonly bridge: GatewayBridge;
	/** Give the gateway node's events to the bridge (main.ts chains it after the host's own onEvent). */
	onEvent(event: DeviceEvent): void;
}

/** Returns undefined (and logs) when the roster names no command post. */
export function startGatewayBridge(host: HostBindings, port: PostLinkPort, links: () => ProvisionedLinks, initialTtl = DEFAULT_INITIAL_TTL, rollout?: GatewayRollout): StartedGateway | undefined {
	const post = links().credentials.roster.members().find((member) => member.role === "post");
	if (post === undefined) {
		host.log.warn("gateway: the roster has no command post; the post link stays off");
		return undefined;
	}
	const bridge = new GatewayBridge({
		identity: () => {
			const credentials = links().credentials;
			return { crypto: host.crypto, domainId: credentials.domainId, memberId: credentials.deviceId, staticKeyPair: credentials.staticKeyPair, psk: credentials.handshakePsk, roster: credentials.roster };
		},
		postId: post.id,
		write: (bytes) => port.write(bytes),
		sendCommand: (peer, command) => links().commands.send(peer, command),
		sendEpochDelivery: (peer, delivery) => links().sessions.sendEpochDelivery(peer, delivery),
		applyOwnDelivery: (delivery) => links().applyEpochDelivery(delivery),
		initialTtl,
		epoch: () => links().credentials.epoch,
		log: host.log,
		...(rollout === undefined ? {} : { rollout }),
	});
	port.onReceive((bytes) => bridge.receive(bytes));
	let lastStored = -1;
	const watch = (): void => {
		const { reported, stored } = bridge.stats;
		if (!bridge.connected || (stored < reported && stored === lastStored)) bridge.connect();
		lastStored = bridge.stats.stored;
		host.timers.setTimeout(watch, RECONNECT_MS);
	};
	bridge.connect();
	host.timers.setTimeout(watch, RECONNECT_MS);
	return { bridge, onEvent: (event) => bridge.onDeviceEvent(event) };
}
