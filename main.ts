/**
 * The device entry, the same file on every target. Moddable's runtime imports the
 * manifest's "main" module and calls its default export with no arguments
 * (xs/platforms/mc/xsHosts.c, setStepDone: xsCallFunction0), so the host comes from the
 * default parameter; the host simulator calls `main(bindings)` once per simulated device
 * (hosts/sim/domain-simulation.ts) and keeps what it returns, as an operator with a cable
 * would keep hold of the device. "picket/host" is mapped per target: tsconfig.json and
 * manifest.json → hosts/esp32 or hosts/moddable-sim; Node and the host XS runtime → hosts/sim.
 */
import { targetHost } from "picket/host";
import { isPicketError } from "picket/core/picket-error";
import { type DeviceNode, type UpdateReceiver, startDevice } from "picket/device/device-node";
import type { HostBindings } from "picket/device/host-bindings";
import type { DeviceSettings } from "picket/device/device-settings";
import { type StartedGateway, startGatewayBridge } from "picket/gateway/gateway-start";
import { type ProvisionedLinks, createProvisionedLinks, loadProvisioning } from "picket/device/provisioned-links";
import { type DeviceUpdates, confirmAfterHealthyBoot, epochFrameKey, startDeviceUpdates } from "picket/update/device-updates";
import { GatewayRollout } from "picket/gateway/gateway-rollout";
import { loadUpdateAnchor } from "picket/update/update-anchor";

/** A started device: its node, and the links built from its provisioning. */
export interface RunningDevice {
	readonly node: DeviceNode;
	readonly links: ProvisionedLinks;
	/** The installer and rollout agent, on a board with a firmware slot and a pinned update key. */
	readonly updates: DeviceUpdates | undefined;
	/** A gateway's seeder of the command post's rollouts. */
	readonly seeding: GatewayRollout | undefined;
}

export default function main(host: HostBindings = targetHost()): RunningDevice | undefined {
	let provisioning;
	try {
		// Keystore from Storage (Preference on a device): signed roster, keys, identity.
		provisioning = loadProvisioning(host);
	} catch (error) {
		if (!isPicketError(error)) throw error;
		// An unprovisioned or damaged device stays off the air rather than guessing keys.
		host.log.warn(`not provisioned (${error.code}): write this device's bundle with \`npm run picket -- target sim\` (Moddable simulator) or \`npm run picket -- target nvs\` (ESP32 board)`);
		return undefined;
	}
	let links: ProvisionedLinks | undefined;
	// A gateway with a wire to the command post bridges its node's events there (picket/gateway).
	let gateway: StartedGateway | undefined;
	const port = provisioning.identity.role === "gateway" ? host.postLink : undefined;
	const nodeHost: HostBindings =
		port === undefined
			? host
			: {
					...host,
					onEvent: (event) => {
						host.onEvent?.(event);
						gateway?.onEvent(event);
					},
				};
	let updates: DeviceUpdates | undefined;
	let seeding: GatewayRollout | undefined;
	const firmware = host.firmware;
	const createOwnUpdates =
		firmware === undefined
			? undefined
			: (broadcast: (frame: Uint8Array) => void, settings: DeviceSettings) =>
					(updates = startDeviceUpdates({
						firmware,
						crypto: host.crypto,
						storage: host.storage,
						timers: host.timers,
						random: host.random,
						// The epoch in force: after a key-epoch change the board keeps taking part in rollouts.
						networkKey: () => (links ?? provisioning).credentials.networkKey,
						self: provisioning.identity.memberId,
						// Relays, gateways and responders carry the image on, as relays carry alerts (the rollout's hops).
						serves: settings.servesUpdates === 1,
						broadcast,
						...(host.restart === undefined ? {} : { restart: restartInto(host, host.restart) }),
						// Not while its own alert repeats or an output sounds: the reset would cut them short.
						busy: () => node !== undefined && (node.policy.activeIncident !== undefined || node.outputs.playing("siren") !== undefined || node.outputs.playing("vibration") !== undefined),
					}))?.agent;
	// A gateway also seeds the rollouts its command post starts (picket/gateway/gateway-rollout).
	const createUpdates =
		port === undefined
			? createOwnUpdates
			: (broadcast: (frame: Uint8Array) => void, settings: DeviceSettings): UpdateReceiver => {
					const own = createOwnUpdates?.(broadcast, settings);
					seeding = new GatewayRollout({
						crypto: host.crypto,
						timers: host.timers,
						random: host.random,
						self: provisioning.identity.memberId,
						frameKey: epochFrameKey(host.crypto, () => (links ?? provisioning).credentials.networkKey),
						anchor: () => loadUpdateAnchor(host.storage),
						broadcast,
						...(own === undefined ? {} : { own }),
					});
					return seeding;
				};
	// Declared before it is built: the updates' `busy` reads it at restart time, long after.
	let node: DeviceNode | undefined;
	node = startDevice(nodeHost, provisioning.identity, (context) => (links = createProvisionedLinks(context, provisioning)), createUpdates);
	// startDevice builds the links before it returns (DeviceNode's constructor).
	if (links === undefined) throw new RangeError("startDevice did not build the links");
	const built = links;
	if (port !== undefined) gateway = startGatewayBridge(host, port, () => built, node.settings.initialTtl, seeding);
	// A healthy boot: provisioning loaded, the radio open, the node started, and its first turn
	// (a 0 ms timer, queued after the node's own) ran. Then an image on trial confirms itself;
	// a firmware that gets no further than that is rolled back at the next reset.
	const started = updates;
	if (started !== undefined) {
		host.timers.setTimeout(() => {
			if (confirmAfterHealthyBoot(started)) host.log.info("firmware confirmed after a healthy boot");
		}, 0);
	}
	return { node, links, updates, seeding };
}

/** The host's reset, with a log line first (the last thing the console shows of this firmware). */
function restartInto(host: HostBindings, restart: () => void): () => void {
	return () => {
		host.log.info("restarting into the installed firmware");
		restart();
	};
}
