/**
 * Everything a target gives the device app. `main.ts` is the same file on every target;
 * what differs is the `HostBindings` that `picket/host` returns:
 *
 * | target                     | module                          | gpio / radio                        |
 * |----------------------------|---------------------------------|-------------------------------------|
 * | ESP32 boards (mcconfig)    | hosts/esp32/target-host.ts      | embedded:io/digital / esp_now_* (C) |
 * | Moddable simulator (lin/mac)| hosts/moddable-sim/target-host.ts | simulator buttons, LEDs / UDP loopback |
 * | host simulator (Node, XS)  | hosts/sim/target-host.ts        | virtual pins / medium model         |
 */
import type { Storage, Timers } from "picket/core/host-contracts";
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import type { DeviceEventListener } from "picket/device/device-events";
import type { DeviceRole } from "picket/device/device-settings";
import type { Gpio } from "picket/device/gpio";
import type { OutputPins } from "picket/device/outputs";
import type { RadioFactory } from "picket/device/radio";
import type { DeviceCredentials, VerifiedRoster } from "picket/provisioning/keystore";
import type { FirmwareHost } from "picket/update/device-updates";

/** Where things are connected on this board; an absent pin means the board lacks it. */
export interface BoardPins extends OutputPins {
	/** PIR output. */
	readonly motion?: number | string;
	/** Panic button on an alarm; silence button on a responder. */
	readonly button?: number | string;
	/** Level the PIR drives on motion (default 1). */
	readonly motionActiveLevel?: 0 | 1;
	/** Level while the button is pressed (default 0: to ground with a pull-up). */
	readonly buttonActiveLevel?: 0 | 1;
}

/** Where the device's log lines go: the serial console / xsbug on a device, a timeline in the simulator. */
export interface Logger {
	info(message: string): void;
	warn(message: string): void;
}

export interface HostBindings {
	/** Short target name for logs: "esp32/picket-responder", "moddable-sim", "sim". */
	readonly target: string;
	readonly gpio: Gpio;
	readonly radio: RadioFactory;
	readonly timers: Timers;
	readonly storage: Storage;
	readonly random: RandomSource;
	readonly crypto: CryptoSuite;
	readonly pins: BoardPins;
	/** The role the board was built as (manifest `config.picket.role`); the roster must agree. */
	readonly role: DeviceRole;
	/** The manifest's `config.picket.settings` (unvalidated: `resolveSettings` checks it). */
	readonly manifestSettings?: unknown;
	/** Overrides read from Preference domain SETTINGS_DOMAIN (unvalidated). */
	readonly settingsOverrides?: unknown;
	readonly log: Logger;
	/** Watches what the node and its links decide (device-events.ts); optional on every target. */
	readonly onEvent?: DeviceEventListener;
	/**
	 * A roster this host has already verified. The keystore skips the signature check only
	 * when the stored bundle carries exactly these bytes under this authority key. For the
	 * host simulator, whose devices share one roster; a board leaves it unset and verifies its own.
	 */
	readonly verifiedRoster?: VerifiedRoster;
	/**
	 * Credentials the host already holds, verified: the device boots from them instead of a
	 * bundle in Storage. Only the host simulator at scale sets it (10,000 bundles would each
	 * carry the whole roster); a board leaves it unset and loads its own from Preference.
	 */
	readonly provisioned?: DeviceCredentials;
	/**
	 * A gateway's wire to the command post (a UART on the ESP32, TCP on loopback in the
	 * simulators): main.ts starts the gateway bridge (picket/gateway/gateway-start) on it.
	 */
	readonly postLink?: PostLinkPort;
	/**
	 * The slot a new firmware is written to and what runs now (picket/update/device-updates):
	 * set where the target has one (the ESP32's next OTA partition, lin's file, the host
	 * simulator's memory). Absent: the board takes part in no rollout, update frames are dropped.
	 */
	readonly firmware?: FirmwareHost;
	/**
	 * Resets the board (the ESP32's esp_restart; the host simulator models a reboot; the
	 * Moddable simulator logs that it should be relaunched). main.ts calls it once an update is
	 * installed and the moment is safe (picket/update/device-updates restartWhenSafe).
	 */
	readonly restart?: () => void;
}

/** A byte stream to the command post, both ways; framing and security are the bridge's. */
export interface PostLinkPort {
	write(bytes: Uint8Array): void;
	/** Sets the one receiver of what arrives. */
	onReceive(receiver: (bytes: Uint8Array) => void): void;
}
