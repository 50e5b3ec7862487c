/**
 * `picket/host` in the Moddable simulator (`mcconfig -p sim/nodemcu`, on lin or mac): the
 * same app as on a board. The simulator's nodemcu screen offers one button and two LEDs
 * (build/simulators/nodemcu/host.js: globalThis.Host.Button.Default, Host.LED.A/B); pins
 * here are their names. The button is the panic button on an alarm, the silence button on
 * a responder, and stands in for the PIR on a sensor; LED A is the LED, LED B the siren.
 * Which device this window is comes from the command line: `picketRole=responder
 * picketStation=1` (mcconfig puts `name=value` arguments into config, tools/mcconfig.js
 * filterConfig).
 */
import "picket/hosts/moddable-sim/text-globals";
import config from "mc/config";
import RNG from "rng";
import { PicketError } from "picket/core/picket-error";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { type DeviceRole, SETTINGS_DOMAIN, isDeviceRole } from "picket/device/device-settings";
import type { DigitalInput, DigitalOutput, Gpio } from "picket/device/gpio";
import type { BoardPins, HostBindings } from "picket/device/host-bindings";
import { preferenceNumbers, preferenceStorage } from "picket/hosts/moddable/preference-storage";
import { consoleLogger, moddableTimers } from "picket/hosts/moddable/runtime";
import { udpRadio } from "picket/hosts/moddable-sim/udp-radio";

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

export type SimulatorHostErrorCode = "no-simulator-controls" | "unknown-pin" | "bad-role";

function simulatorControls(): SimulatorHost {
	const host = (globalThis as { Host?: SimulatorHost }).Host;
	if (host === undefined) throw new PicketError<SimulatorHostErrorCode>("no-simulator-controls", "build with -p sim/nodemcu");
	return host;
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
};

export function targetHost(): HostBindings {
	const picket = (config.picket ?? {}) as { role?: unknown; settings?: unknown };
	const role: unknown = config.picketRole ?? picket.role;
	if (!isDeviceRole(role)) throw new PicketError<SimulatorHostErrorCode>("bad-role", String(role));
	const station = Number(config.picketStation ?? 0);
	// The simulator has no PSA build of Picket's native crypto: the portable suite over noble,
	// with Moddable's rng module, which is NOT cryptographic (rng.d.ts): a demonstration only.
	const random = (length: number): Uint8Array => new Uint8Array(RNG.get(length));
	const crypto = createSoftwareSuite(random);
	return {
		target: `moddable-sim/${station}`,
		gpio: simulatorGpio(simulatorControls()),
		radio: udpRadio(station),
		timers: moddableTimers,
		storage: preferenceStorage,
		random,
		crypto,
		pins: SIMULATOR_PINS[role],
		role,
		manifestSettings: picket.settings,
		settingsOverrides: preferenceNumbers(SETTINGS_DOMAIN),
		log: consoleLogger,
	};
}
