/**
 * The update side of a running board (main.ts): the installer over the host's firmware slot
 * and a RolloutAgent fed by the device node with every frame of kind FrameKind.Update.
 *
 * Started only when both halves exist: the host has a slot (`HostBindings.firmware`) and an
 * update key was pinned at provisioning (update-anchor.ts). Otherwise the board takes part in
 * no rollout and the node drops update frames (counted "update-unsupported").
 *
 * Healthy boot: main.ts calls `confirmAfterHealthyBoot` once provisioning loaded, the radio
 * opened, the node started and its first turn ran. That is deliberately simple: a firmware
 * that cannot read its keys, open its radio or run its event loop never confirms, and the
 * bootloader goes back to the old image at the next reset.
 *
 * Restart after install (`restartWhenSafe`): once the image is checked and marked bootable,
 * the board resets itself into it (HostBindings.restart) at a safe moment:
 * - no alert of its own under way (its repeats would stop) and no output sounding;
 * - its progress report sent and no chunk waiting to go;
 * - a serving board (relay, gateway) also waits until no neighbour has asked it for chunks for
 *   SERVER_QUIET_MS: after the reset it runs the new image and serves that rollout no more, so
 *   going sooner would strand the boards behind it.
 * Until then it checks again every RESTART_CHECK_MS.
 */
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import type { Storage, Timers } from "picket/core/host-contracts";
import { constantTimeEqual } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import type { FirmwareSlot } from "picket/update/firmware-slot";
import { RolloutAgent, type RolloutEvent } from "picket/update/rollout-agent";
import { loadUpdateAnchor } from "picket/update/update-anchor";
import { RolloutProgress, updateFrameKey } from "picket/update/update-frame";
import { type RunningFirmware, UpdateInstaller } from "picket/update/update-installer";

/** What a target with a firmware slot gives the app (HostBindings.firmware). */
export interface FirmwareHost {
	readonly slot: FirmwareSlot;
	/** The version and security counter of the image that runs now. */
	readonly running: RunningFirmware;
}

/**
 * What the firmware built from this tree runs as, on the boards' targets (ESP32, lin): the
 * release signs its image with this version and SEC_CNT (`picket image sign --version 1.0.0
 * --security-counter 1`) and raises both here in the same commit. The host simulator reads
 * them from its slot's running image instead.
 */
export const BUILT_FIRMWARE: RunningFirmware = { version: { major: 1, minor: 0, revision: 0, build: 0 }, securityCounter: 1 };

export interface DeviceUpdatesOptions {
	readonly firmware: FirmwareHost;
	readonly crypto: CryptoSuite;
	readonly storage: Storage;
	readonly timers: Timers;
	readonly random: RandomSource;
	/** The network key of the key epoch in force, read again as epochs change. */
	readonly networkKey: () => Uint8Array;
	readonly self: number;
	/** The board passes the image on (its `servesUpdates` setting; rollout-agent.ts `serves`). */
	readonly serves: boolean;
	readonly broadcast: (frame: Uint8Array) => void;
	readonly onEvent?: (event: RolloutEvent) => void;
	/** Resets the board (HostBindings.restart); absent: the image waits for the next reset. */
	readonly restart?: () => void;
	/** True while the board must not reset: an alert of its own under way, an output sounding. */
	readonly busy?: () => boolean;
}

/** A board that serves nobody resets this long after the install at the earliest (its report goes out first). */
export const RESTART_CHECK_MS = 300;
/**
 * A serving board resets once nobody asked it for chunks for this long: longer than a board
 * takes to leave a busy server and come back to it (rollout-agent.ts SERVER_PATIENCE reports,
 * then DISTRUST_MS), since after the reset it serves that rollout no more.
 */
export const SERVER_QUIET_MS = 15_000;

export interface DeviceUpdates {
	readonly slot: FirmwareSlot;
	readonly installer: UpdateInstaller;
	readonly agent: RolloutAgent;
}

/** The board's installer and agent, resumed after a reset; undefined when no update key is pinned. */
export function startDeviceUpdates(options: DeviceUpdatesOptions): DeviceUpdates | undefined {
	let anchor: Uint8Array;
	try {
		anchor = loadUpdateAnchor(options.storage);
	} catch (error) {
		if (!isPicketError(error)) throw error;
		return undefined; // "no-anchor" or "bad-anchor": this board accepts no update
	}
	const installer = new UpdateInstaller({ crypto: options.crypto, storage: options.storage, slot: options.firmware.slot, anchor, running: options.firmware.running });
	installer.resume();
	const restart = options.restart;
	const agent: RolloutAgent = new RolloutAgent({
		crypto: options.crypto,
		timers: options.timers,
		random: options.random,
		frameKey: epochFrameKey(options.crypto, options.networkKey),
		self: options.self,
		broadcast: options.broadcast,
		installer,
		serves: options.serves,
		onEvent: (event) => {
			options.onEvent?.(event);
			if (restart !== undefined && event.type === "chunk" && event.outcome === "installed") {
				restartWhenSafe({ installer, agent, timers: options.timers, serves: options.serves, restart, busy: options.busy ?? (() => false), installedAt: options.timers.now() });
			}
		},
	});
	return { slot: options.firmware.slot, installer, agent };
}

/**
 * The update frame key of the key epoch in force: derived again when the network key changes
 * (a key-epoch delivery installed), so the board hears and tags rollouts under the new epoch
 * without a reboot. One HKDF per epoch, not per frame.
 */
export function epochFrameKey(crypto: CryptoSuite, networkKey: () => Uint8Array): () => Uint8Array {
	let from: Uint8Array | undefined;
	let key: Uint8Array = new Uint8Array(0);
	return () => {
		const current = networkKey();
		if (from === undefined || !constantTimeEqual(from, current)) {
			key = updateFrameKey(crypto, current);
			from = current.slice();
		}
		return key;
	};
}

/** Resets the board into the installed image once the moment is safe (header). */
export function restartWhenSafe(watch: { installer: UpdateInstaller; agent: RolloutAgent; timers: Timers; serves: boolean; restart: () => void; busy: () => boolean; installedAt: number }): void {
	watch.timers.setTimeout(() => {
		if (watch.installer.state !== "marked") return; // a newer rollout or a refusal since: nothing to boot
		const quietSince = watch.serves ? Math.max(watch.agent.lastAskedAt, watch.installedAt) : watch.installedAt;
		const quietFor = watch.timers.now() - quietSince;
		if (watch.busy() || watch.agent.pending > 0 || watch.agent.reportsQueued > 0 || (watch.serves && quietFor < SERVER_QUIET_MS)) return restartWhenSafe(watch);
		watch.restart();
	}, RESTART_CHECK_MS);
}

/**
 * Confirms an image on trial (installer.confirmHealthy): call once the boot was healthy
 * (header). The board then tells the seeder (a progress report, rollout-agent.ts).
 */
export function confirmAfterHealthyBoot(updates: DeviceUpdates | undefined): boolean {
	if (updates === undefined || !updates.slot.bootState().trial) return false;
	const rollout = updates.installer.offer?.rollout;
	updates.installer.confirmHealthy();
	if (rollout !== undefined) updates.agent.reportProgress(rollout, RolloutProgress.Confirmed);
	return true;
}
