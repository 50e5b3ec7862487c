/**
 * `picket/host` on the ESP32 boards (hosts/esp32/<board>/ are mcconfig subplatforms; the
 * board's manifest gives `config.picket`: role, pins, settings). Binds:
 *
 * - GPIO → ECMA-419 `embedded:io/digital` (pin numbers, or names from the board's
 *   `embedded:provider/builtin` device.pin);
 * - timers → Moddable's Timer and Time.ticks;
 * - storage → Preference (NVS), settings overrides from Preference domain SETTINGS_DOMAIN;
 * - radio → the native ESP-NOW module (espnow/);
 * - crypto and random → the PSA suite (picket/crypto/native-suite): AES on the accelerator,
 *   random from the hardware RNG;
 * - a gateway's post link → ECMA-419 `embedded:io/serial` on the UART its manifest names
 *   (`config.picket.postLink`), written as the UART's transmit buffer has room.
 */
import Digital from "embedded:io/digital";
import Serial from "embedded:io/serial";
import device from "embedded:provider/builtin";
import config from "mc/config";
import { PicketError } from "picket/core/picket-error";
import { createNativeSuite } from "picket/crypto/native-suite";
import { SETTINGS_DOMAIN, isDeviceRole } from "picket/device/device-settings";
import type { DigitalInputOptions, Gpio } from "picket/device/gpio";
import type { BoardPins, HostBindings, PostLinkPort } from "picket/device/host-bindings";
import type { Radio, RadioFactory } from "picket/device/radio";
import { preferenceNumbers, preferenceStorage } from "picket/hosts/moddable/preference-storage";
import { Esp32FirmwareSlot } from "picket/hosts/esp32/firmware-slot/esp32-firmware-slot";
import { bootRestart } from "picket/hosts/esp32/firmware-slot/boot-state";
import { BUILT_FIRMWARE, type FirmwareHost } from "picket/update/device-updates";
import { WritePacer } from "picket/gateway/write-pacer";
import { consoleLogger, moddableTimers } from "picket/hosts/moddable/runtime";
import EspNow from "picket/hosts/esp32/espnow/espnow";

export type TargetHostErrorCode = "bad-board-config" | "unknown-pin";

/** `config.picket` in the manifests: what the board folder says about itself. */
interface BoardConfig {
	readonly board: string;
	readonly role: unknown;
	readonly pins: BoardPins;
	readonly settings?: unknown;
	readonly postLink?: SerialConfig;
}

interface SerialConfig {
	readonly port: number;
	readonly receive: number;
	readonly transmit: number;
	readonly baud: number;
}

function boardConfig(): BoardConfig {
	const picket: unknown = config.picket;
	if (typeof picket !== "object" || picket === null) throw new PicketError<TargetHostErrorCode>("bad-board-config", "no config.picket in the manifest");
	const { board, role, pins, settings, postLink } = picket as Record<string, unknown>;
	if (typeof pins !== "object" || pins === null) throw new PicketError<TargetHostErrorCode>("bad-board-config", "config.picket.pins");
	if (postLink !== undefined && (typeof postLink !== "object" || postLink === null)) throw new PicketError<TargetHostErrorCode>("bad-board-config", "config.picket.postLink");
	return { board: typeof board === "string" ? board : "esp32", role, pins: pins as BoardPins, settings, ...(postLink === undefined ? {} : { postLink: postLink as SerialConfig }) };
}

function resolvePin(pin: number | string): number {
	if (typeof pin === "number") return pin;
	const named = device.pin[pin];
	if (typeof named !== "number") throw new PicketError<TargetHostErrorCode>("unknown-pin", pin);
	return named;
}

const INPUT_MODES = {
	input: Digital.Input,
	"input-pull-up": Digital.InputPullUp,
	"input-pull-down": Digital.InputPullDown,
} as const;

function edgeOf(options: DigitalInputOptions): number {
	if (options.edge === "rising") return Digital.Rising;
	if (options.edge === "falling") return Digital.Falling;
	return Digital.Rising | Digital.Falling;
}

export const digitalGpio: Gpio = {
	openInput(options) {
		const pin = resolvePin(options.pin);
		const mode = INPUT_MODES[options.mode];
		const onReadable = options.onReadable;
		const digital =
			onReadable === undefined ? new Digital({ pin, mode }) : new Digital({ pin, mode, edge: edgeOf(options), onReadable: () => onReadable() });
		return { read: () => digital.read(), close: () => digital.close() };
	},
	openOutput(options) {
		const digital = new Digital({ pin: resolvePin(options.pin), mode: options.mode === "output" ? Digital.Output : Digital.OutputOpenDrain });
		return { write: (level) => digital.write(level), close: () => digital.close() };
	},
};

export const espNowRadio: RadioFactory = (options) => {
	const espnow = new EspNow({
		onReadable: (count) => options.onReadable?.(count),
		onWritable: (status) => options.onWritable?.({ to: new Uint8Array(status.to), delivered: status.delivered }),
	});
	const radio: Radio = {
		mac: new Uint8Array(espnow.mac),
		write(to, payload) {
			try {
				espnow.write(to, payload);
			} catch (error) {
				// The native side speaks RangeError; the contract speaks PicketError.
				if (error instanceof RangeError) throw new PicketError(error.message.includes("frame-too-long") ? "frame-too-long" : "radio-busy", error.message);
				throw error;
			}
		},
		read() {
			const frame = espnow.read();
			return frame === undefined ? undefined : { from: new Uint8Array(frame.from), payload: new Uint8Array(frame.payload), rssi: frame.rssi };
		},
		close: () => espnow.close(),
		get counts() {
			return espnow.counts;
		},
	};
	return radio;
};

/** The gateway's wire to the command post on a UART: bytes in as they arrive, bytes out as the transmit buffer takes them. */
export function serialPostLink(config: SerialConfig): PostLinkPort {
	let receiver: ((bytes: Uint8Array) => void) | undefined;
	const pacer = new WritePacer();
	const serial = new Serial({
		port: config.port,
		receive: config.receive,
		transmit: config.transmit,
		baud: config.baud,
		format: "buffer",
		onReadable(count) {
			const bytes = this.read(count);
			if (bytes instanceof ArrayBuffer) receiver?.(new Uint8Array(bytes));
		},
		onWritable(count) {
			pacer.writable(count, (bytes) => serial.write(bytes));
		},
	});
	return {
		write(bytes) {
			pacer.push(bytes);
		},
		onReceive(next) {
			receiver = next;
		},
	};
}

/** ESP-IDF's next OTA partition, if the partition table has one (else the board takes no update). */
function firmwareHost(): FirmwareHost | undefined {
	try {
		return { slot: new Esp32FirmwareSlot(preferenceStorage), running: BUILT_FIRMWARE };
	} catch (error) {
		consoleLogger.warn(`no firmware slot, updates off: ${(error as Error).message}`);
		return undefined;
	}
}

function withFirmware(firmware: FirmwareHost | undefined): { firmware?: FirmwareHost } {
	return firmware === undefined ? {} : { firmware };
}

export function targetHost(): HostBindings {
	const board = boardConfig();
	if (!isDeviceRole(board.role)) throw new PicketError<TargetHostErrorCode>("bad-board-config", `config.picket.role ${String(board.role)}`);
	const crypto = createNativeSuite();
	return {
		target: `esp32/${board.board}`,
		gpio: digitalGpio,
		radio: espNowRadio,
		timers: moddableTimers,
		storage: preferenceStorage,
		random: (length) => crypto.randomBytes(length),
		crypto,
		pins: board.pins,
		role: board.role,
		manifestSettings: board.settings,
		settingsOverrides: preferenceNumbers(SETTINGS_DOMAIN),
		log: consoleLogger,
		...(board.role === "gateway" && board.postLink !== undefined ? { postLink: serialPostLink(board.postLink) } : {}),
		...withFirmware(firmwareHost()),
		restart: bootRestart,
	};
}
