/**
 * `picket/host` in the Moddable simulator (`mcconfig -p sim/nodemcu`, on lin or mac): the
 * same app as on a board, with the same native crypto (picket/crypto/native-suite: the PSA
 * C linked against the host's Mbed TLS). The simulator's nodemcu screen offers one button
 * and two LEDs (build/simulators/nodemcu/host.js: globalThis.Host.Button.Default,
 * Host.LED.A/B); pins here are their names. The button is the panic button on an alarm, the
 * silence button on a responder, and stands in for the PIR on a sensor; LED A is the LED,
 * LED B the siren. The role comes from the build (`picketRole=responder`: mcconfig puts
 * `name=value` arguments into config, tools/mcconfig.js filterConfig); which instance this
 * process is (station, Preference folder) from its environment (instance.ts).
 */
import config from "mc/config";
import { toHex } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import { createNativeSuite } from "picket/crypto/native-suite";
import type { DeviceEvent } from "picket/device/device-events";
import { type DeviceRole, SETTINGS_DOMAIN, isDeviceRole } from "picket/device/device-settings";
import type { DigitalInput, DigitalOutput, Gpio } from "picket/device/gpio";
import type { BoardPins, HostBindings, Logger } from "picket/device/host-bindings";
import { preferenceNumbers, preferenceStorage } from "picket/hosts/moddable/preference-storage";
import { consoleLogger, moddableTimers } from "picket/hosts/moddable/runtime";
import { type SimulatorInstance, simulatorInstance } from "picket/hosts/moddable-sim/instance";
import { udpRadio } from "picket/hosts/moddable-sim/udp-radio";
import { tcpPostLink } from "picket/hosts/moddable-sim/tcp-post-link";
import { FileFirmwareSlot } from "picket/hosts/moddable-sim/firmware-slot-file";
import { BUILT_FIRMWARE, type FirmwareHost } from "picket/update/device-updates";
import { UPDATE_STORAGE_DOMAIN } from "picket/update/update-anchor";

/** The slot file's size: the ESP32's OTA partition (`picket image sign --slot-size 0x200000`). */
const SLOT_CAPACITY = 0x200000;

/** A slot file only on an instance provisioned with an update key: the others never write 2 MiB for nothing. */
function firmwareHost(): { firmware?: FirmwareHost } {
	if (preferenceStorage.read(UPDATE_STORAGE_DOMAIN, "anchor") === undefined) return {};
	return { firmware: { slot: new FileFirmwareSlot(SLOT_CAPACITY), running: BUILT_FIRMWARE } };
}

/** The part of the simulator's controls Picket uses (build/simulators/modules/button.js, led.js). */
interface SimulatorButton {
	onPush?: (pressed: number) => void;
	read(): number | undefined;
}
interface SimulatorLed {
	write(value: number): void;
}
interface SimulatorHost {
	readonly Button: { readonly Default: new (options: { onPush: (this: SimulatorButton, pressed: number) => void }) => SimulatorButton };
	readonly LED: { readonly A: new (options?: object) => SimulatorLed; readonly B: new (options?: object) => SimulatorLed };
}
/** The simulator's screen: its UI posts control changes as JSON to `onMessage` (build/simulators/modules/control.js). */
interface SimulatorScreen {
	onMessage?: (message: string) => void;
}

export type SimulatorHostErrorCode = "no-simulator-controls" | "unknown-pin" | "bad-role";

/** How long the test press holds the button: past every role's debounce, short of a long press. */
const TEST_PRESS_HOLD_MS = 200;

function simulatorControls(): SimulatorHost {
	const host = (globalThis as { Host?: SimulatorHost }).Host;
	if (host === undefined) throw new PicketError<SimulatorHostErrorCode>("no-simulator-controls", "build with -p sim/nodemcu");
	return host;
}

/**
 * TEST ONLY (PICKET_SIM_TEST_PRESS_MS, instance.ts): presses the button the way the
 * simulator's UI does, by posting `{"button":1}` then `{"button":0}` to the screen, so the
 * press runs through the SDK's Control and Button modules like a click.
 */
function scheduleTestPress(instance: SimulatorInstance, log: Logger): void {
	const at = instance.testPressMs;
	if (at === undefined) return;
	log.warn(`test hook: the button will be pressed ${at} ms after boot (PICKET_SIM_TEST_PRESS_MS)`);
	const post = (pressed: number): void => (globalThis as { screen?: SimulatorScreen }).screen?.onMessage?.(JSON.stringify({ button: pressed }));
	moddableTimers.setTimeout(() => {
		log.info("test hook: button pressed");
		post(1);
		moddableTimers.setTimeout(() => post(0), TEST_PRESS_HOLD_MS);
	}, at);
}

/** Pins by name: "button" → the simulator's button (1 while pressed), "led-a"/"led-b" → its LEDs. */
function simulatorGpio(controls: SimulatorHost): Gpio {
	return {
		openInput(options): DigitalInput {
			if (options.pin !== "button") throw new PicketError<SimulatorHostErrorCode>("unknown-pin", String(options.pin));
			let level: 0 | 1 = 0;
			let open = true;
			new controls.Button.Default({
				onPush(pressed) {
					level = pressed ? 1 : 0;
					if (open) options.onReadable?.();
				},
			});
			return { read: () => level, close: () => void (open = false) };
		},
		openOutput(options): DigitalOutput {
			const led = options.pin === "led-a" ? new controls.LED.A() : options.pin === "led-b" ? new controls.LED.B() : undefined;
			if (led === undefined) throw new PicketError<SimulatorHostErrorCode>("unknown-pin", String(options.pin));
			return { write: (value) => led.write(value), close: () => led.write(0) };
		},
	};
}

/** Where each role's controls are; the button reads 1 while pressed. */
const SIMULATOR_PINS: { readonly [Role in DeviceRole]: BoardPins } = {
	sensor: { motion: "button", motionActiveLevel: 1, led: "led-a" },
	alarm: { button: "button", buttonActiveLevel: 1, led: "led-a", vibration: "led-b" },
	responder: { button: "button", buttonActiveLevel: 1, led: "led-a", siren: "led-b" },
	relay: { led: "led-a" },
	gateway: { led: "led-a" },
};

/**
 * One log line per thing the node and its links decided, so a simulator window (and the CI
 * test reading it through xsbug) shows what happened on the air: what was relayed without
 * being read, which session frames were accepted.
 */
function eventLog(log: Logger): (event: DeviceEvent) => void {
	return (event) => {
		switch (event.kind) {
			case "alert-received": {
				const outcome = event.outcome;
				if (outcome.kind === "rejected") log.info(`air: alert rejected (${outcome.reason})`);
				else if (outcome.kind === "relay-only") log.info(`air: alert from ${outcome.source} group ${outcome.group} relay-only (no group key)${outcome.relay === undefined ? "" : ", relaying"}`);
				else log.info(`air: alert from ${outcome.source} read${outcome.relay === undefined ? "" : ", relaying"}`);
				break;
			}
			case "session-received":
				log.info(`air: session frame from ${toHex(event.from)}: ${event.outcome.kind === "rejected" ? `rejected (${event.outcome.reason})` : event.outcome.kind}`);
				break;
			case "mesh-received": {
				const outcome = event.outcome;
				if (outcome.kind === "rejected") log.info(`air: envelope rejected (${outcome.reason})`);
				else if (outcome.kind === "deliver") log.info(`air: envelope from ${outcome.source} for this device`);
				else log.info(`air: envelope for another member${outcome.relay === undefined ? "" : ", relaying"}`);
				break;
			}
			case "command-sent":
				log.info(`session: ${event.command.kind} for ${event.peer}`);
				break;
			default:
				break;
		}
	};
}

/**
 * The random source, from the native suite (PSA's generator, seeded from the OS). The first
 * draw's SHA-256 prefix is logged so a test can see that instances and boots differ without
 * the log revealing the draw itself.
 */
function randomSource(crypto: CryptoSuite, log: Logger): RandomSource {
	let first = true;
	return (length) => {
		const bytes = crypto.randomBytes(length);
		if (first) {
			first = false;
			log.info(`random: first draw fingerprint ${toHex(crypto.sha256(bytes).subarray(0, 8))}`);
		}
		return bytes;
	};
}

export function targetHost(): HostBindings {
	const picket = (config.picket ?? {}) as { role?: unknown; settings?: unknown };
	const role: unknown = config.picketRole ?? picket.role;
	if (!isDeviceRole(role)) throw new PicketError<SimulatorHostErrorCode>("bad-role", String(role));
	const instance = simulatorInstance();
	const crypto = createNativeSuite();
	const log = consoleLogger;
	const gpio = simulatorGpio(simulatorControls());
	scheduleTestPress(instance, log);
	return {
		target: `moddable-sim/${instance.station}`,
		gpio,
		radio: udpRadio(instance),
		timers: moddableTimers,
		storage: preferenceStorage,
		random: randomSource(crypto, log),
		crypto,
		pins: SIMULATOR_PINS[role],
		role,
		manifestSettings: picket.settings,
		settingsOverrides: preferenceNumbers(SETTINGS_DOMAIN),
		log,
		onEvent: eventLog(log),
		...(role === "gateway" && instance.postPort !== undefined ? { postLink: tcpPostLink(instance.postPort, log) } : {}),
		...firmwareHost(),
		// A desktop process does not reset itself: the operator relaunches it to boot the new image (the file slot).
		restart: () => log.warn("restart requested (an update is installed): relaunch this simulator instance to boot it"),
	};
}
