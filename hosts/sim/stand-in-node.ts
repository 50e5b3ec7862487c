/**
 * A minimal device application for the simulator, used until the firmware's own device node
 * (picket/device/device-node) is merged: the data flow of DESIGN.md with the firmware's
 * own secure link (picket/link/secure-link) and nothing else —
 *
 *   GPIO edge → alert → SecureLink.sendAlert → radio  …  radio → SecureLink.receive →
 *   act by role (responder: siren + LED, alarm: vibration, sensor: LED) → relay after jitter.
 *
 * No repeats, acknowledgements or sessions: those belong to the real alarm policy.
 *
 * Pins: "pir" (input, rising edge = motion), "panic" (input with pull-up, falling edge =
 * press), outputs "siren", "led", "vibration".
 */
import type { Storage, Timers } from "picket/core/host-contracts";
import { isPicketError } from "picket/core/picket-error";
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import type { DigitalOutput, Gpio } from "picket/device/gpio";
import { BROADCAST_MAC, type Radio, type RadioFactory } from "picket/device/radio";
import { FrameKind, frameKind } from "picket/link/frame-kind";
import type { Membership } from "picket/link/membership";
import { type EpochKeys, type ReceiveOutcome, SecureLink } from "picket/link/secure-link";

/** The host's side of one device: what main.ts receives on the ESP32. */
export interface NodeBindings {
	readonly timers: Timers;
	readonly radio: RadioFactory;
	readonly gpio: Gpio;
	readonly storage: Storage;
	readonly crypto: CryptoSuite;
	readonly random: RandomSource;
}

/** What provisioning gave this device. */
export interface NodeProvisioning {
	readonly self: number;
	readonly role: "sensor" | "alarm" | "responder" | "relay";
	readonly membership: Membership;
	readonly keys: EpochKeys;
	/** Group its own alerts go to; undefined for a relay. */
	readonly alertGroup: number | undefined;
	readonly initialTtl: number;
}

/** What the node tells the simulation (the probe a real device would log to its console). */
export interface NodeProbe {
	linkOutcome(frame: Uint8Array, outcome: ReceiveOutcome): void;
	sendFailed(error: unknown): void;
}

export interface RunningNode {
	stop(): void;
}

/** How long outputs stay on after an alert, in ms. */
const ACTION_MS = 3000;
/** Alert payload (the device's alert-payload layout): event, severity, incident u16, repeat. */
const EVENT_MOTION = 1;
const EVENT_PANIC = 2;

export function startStandInNode(bindings: NodeBindings, provisioning: NodeProvisioning, probe: NodeProbe): RunningNode {
	const { timers, gpio } = bindings;
	const link = new SecureLink({
		crypto: bindings.crypto,
		storage: bindings.storage,
		random: bindings.random,
		membership: provisioning.membership,
		self: provisioning.self,
		initialTtl: provisioning.initialTtl,
	});
	link.installEpoch(provisioning.keys, { keepPrevious: false });
	let incident = 0;

	const radio: Radio = bindings.radio({
		onReadable: () => {
			for (let received = radio.read(); received !== undefined; received = radio.read()) {
				const frame = received.payload;
				if (frame.length === 0 || frameKind(frame[0]) !== FrameKind.Alert) continue;
				const outcome = link.receive(frame);
				probe.linkOutcome(frame, outcome);
				if (outcome.kind === "alert") act(outcome.payload[0]);
				if (outcome.kind !== "rejected" && outcome.relay !== undefined) {
					const relay = outcome.relay;
					timers.setTimeout(() => radio.write(BROADCAST_MAC, relay.frame), relay.delayMs);
				}
			}
		},
	});

	const outputs = new Map<string, DigitalOutput>();
	for (const pin of ["siren", "led", "vibration"]) outputs.set(pin, gpio.openOutput({ pin, mode: "output" }));
	const offTimers = new Map<string, ReturnType<Timers["setTimeout"]>>();
	const pulse = (pin: string): void => {
		const output = outputs.get(pin);
		if (output === undefined) return;
		output.write(1);
		const previous = offTimers.get(pin);
		if (previous !== undefined) timers.clearTimeout(previous);
		offTimers.set(pin, timers.setTimeout(() => output.write(0), ACTION_MS));
	};

	function act(event: number): void {
		switch (provisioning.role) {
			case "responder":
				pulse("siren");
				pulse("led");
				break;
			case "alarm":
				pulse("vibration");
				break;
			case "sensor":
				pulse("led");
				break;
			case "relay":
				break;
		}
		void event;
	}

	function raise(event: number): void {
		const group = provisioning.alertGroup;
		if (group === undefined) return;
		incident = (incident + 1) & 0xffff;
		const severity = event === EVENT_PANIC ? 3 : 1;
		try {
			const frame = link.sendAlert(group, Uint8Array.of(event, severity, incident >> 8, incident & 255, 0));
			radio.write(BROADCAST_MAC, frame);
		} catch (error) {
			if (!isPicketError(error)) throw error;
			probe.sendFailed(error);
		}
	}

	const inputs = [
		gpio.openInput({ pin: "pir", mode: "input", edge: "rising", onReadable: () => raise(EVENT_MOTION) }),
		gpio.openInput({ pin: "panic", mode: "input-pull-up", edge: "falling", onReadable: () => raise(EVENT_PANIC) }),
	];

	return {
		stop(): void {
			radio.close();
			for (const input of inputs) input.close();
			for (const output of outputs.values()) output.close();
		},
	};
}
