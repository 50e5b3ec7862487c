/**
 * A whole PTT domain in one process: every device runs the firmware's own device node
 * (picket/device/device-node, startDevice) and secure link on its own HostBindings —
 * a Timers view of the shared virtual clock, a station in the radio medium, virtual pins,
 * its own storage and a seeded random source — while the scenario's events press buttons,
 * trip sensors, cut power and send the attacker's frames.
 *
 * The simulation watches from outside the firmware only: the medium (who transmitted
 * what), the link probe (what each link made of each frame) and the pins (what each
 * device did). From that it writes a timeline and a summary: who received each alert, who
 * decrypted it, who acted, who relayed it without reading, latency per hop, bytes on air,
 * and every attacker frame with the reason each receiver rejected it.
 *
 * `runScenario(scenario, seed)` is portable (Node and XS): the summary and its digest
 * depend only on the scenario and the seed, so the two engines can be compared.
 */
import { toHex, utf8 } from "picket/core/bytes";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { type DeviceNode, startDevice } from "picket/device/device-node";
import type { HostBindings } from "picket/device/host-bindings";
import { EPOCH_KEY_ID_MASK, decodeAlertFrame } from "picket/link/alert-frame";
import { frameDetail } from "picket/link/frame-kind";
import { DEFAULT_INITIAL_TTL, type ReceiveOutcome } from "picket/link/secure-link";
import { Attacker, type AttackAttempt, type AttackKind } from "picket/hosts/sim/attacker";
import { Medium, type MediumStatistics, type Station } from "picket/hosts/sim/medium";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { type ProvisionedDomain, provisionDomain } from "picket/hosts/sim/provision-domain";
import type { DeviceRole, Scenario, ScenarioEvent } from "picket/hosts/sim/scenario";
import { SeededRandom } from "picket/hosts/sim/seeded-random";
import { simulatedLinks } from "picket/hosts/sim/simulated-links";
import { type DeviceTimers, VirtualClock } from "picket/hosts/sim/virtual-clock";
import { VirtualGpio } from "picket/hosts/sim/virtual-gpio";

/** Pin names of every simulated board. */
export const SIM_PINS = { motion: "pir", button: "button", siren: "siren", led: "led", vibration: "vibration" } as const;

const DEFAULT_DURATION_MS = 60_000;
/** How long the PIR output stays high for one motion, and how long a panic press lasts. */
const MOTION_PULSE_MS = 2_000;
const PANIC_PRESS_MS = 200;
const DEFAULT_REBOOT_OFF_MS = 1_000;
const MAC_PREFIX = [0x02, 0x50, 0x4b, 0x54]; // locally administered, "PKT"

export interface SimulationOptions {
	readonly seed: number;
	/** Keep a timeline (default true; benchmarks turn it off). */
	readonly timeline?: boolean;
	/** Put the devices' own log lines in the timeline (default false). */
	readonly deviceLogs?: boolean;
	/** Called every `progressEvery` events with how far the run is. */
	readonly onProgress?: (progress: { readonly time: number; readonly durationMs: number; readonly events: number }) => void;
	readonly progressEvery?: number;
}

export interface TimelineEntry {
	readonly time: number;
	readonly actor: string;
	readonly text: string;
}

export interface HopLatency {
	readonly hops: number;
	readonly devices: number;
	readonly meanMs: number;
	readonly maxMs: number;
}

export interface AlertReport {
	readonly id: string;
	readonly kind: "motion" | "panic" | "unknown";
	readonly origin: string;
	readonly group: string;
	readonly triggeredAt: number;
	/** Frames the origin sealed for this incident: the first send and its repeats. */
	readonly sends: number;
	/** Devices whose link authenticated a copy. */
	readonly received: readonly string[];
	readonly decrypted: readonly string[];
	readonly acted: readonly { readonly device: string; readonly outputs: readonly string[] }[];
	readonly relayedWithoutReading: readonly string[];
	readonly relayedAfterReading: readonly string[];
	/** Holders of the group key within TTL reach of the origin. */
	readonly authorisedReachable: readonly string[];
	/** Authorised and reachable, but never decrypted a copy. */
	readonly missed: readonly string[];
	/** Decrypted without holding the group key: must stay empty. */
	readonly unauthorisedReaders: readonly string[];
	/** First authenticated copy per device: hops travelled and ms since the trigger. */
	readonly latency: readonly { readonly device: string; readonly hops: number; readonly ms: number }[];
	readonly perHop: readonly HopLatency[];
}

export interface AttackReport {
	readonly id: number;
	readonly kind: AttackKind;
	readonly time: number;
	readonly description: string;
	readonly rejections: readonly { readonly device: string; readonly reason: string }[];
	/** Accepted a replay of a genuine alert it had never received (a late copy; content authentic). */
	readonly acceptedLateCopy: readonly string[];
	/** Accepted a frame no member sealed: must stay empty. */
	readonly acceptedForgery: readonly string[];
}

export interface DeviceReport {
	readonly name: string;
	readonly role: DeviceRole;
	readonly groups: readonly string[];
	readonly received: number;
	readonly decrypted: number;
	readonly relayed: number;
	readonly acted: number;
	readonly dropped: Readonly<Record<string, number>>;
	readonly storageWrites: number;
	readonly reboots: number;
}

export interface SimulationSummary {
	readonly scenario: string;
	readonly seed: number;
	readonly devices: number;
	readonly endTime: number;
	readonly eventsRun: number;
	readonly alerts: readonly AlertReport[];
	readonly attacks: readonly AttackReport[];
	readonly deviceReports: readonly DeviceReport[];
	readonly medium: MediumStatistics;
	/** Alerts sealed twice with the same (source, epoch, sequence): a nonce reuse. Must be 0. */
	readonly nonceReuses: number;
	/** Commands (ack, silence) the policy asked for; no session layer carries them yet. */
	readonly commandsNotSent: number;
	/** SHA-256 over the canonical JSON of everything above: equal digests, equal runs. */
	readonly digest: string;
}

interface SimDevice {
	readonly index: number;
	readonly name: string;
	readonly role: DeviceRole;
	readonly groups: readonly string[];
	readonly memberId: number;
	readonly station: Station;
	readonly timers: DeviceTimers;
	readonly gpio: VirtualGpio;
	readonly storage: MemoryStorage;
	readonly host: HostBindings;
	node: DeviceNode | undefined;
	/** The scenario just triggered this device: its next sealed alert starts an incident. */
	pendingTrigger: "motion" | "panic" | undefined;
	lastOwnAlert: AlertRecord | undefined;
	lastRead: AlertRecord | undefined;
	received: number;
	decrypted: number;
	relayed: number;
	acted: number;
	reboots: number;
	readonly dropped: Record<string, number>;
}

interface Reception {
	readonly time: number;
	readonly hops: number;
}

interface AlertRecord {
	readonly id: string;
	readonly kind: "motion" | "panic" | "unknown";
	readonly origin: SimDevice;
	readonly group: number;
	readonly triggeredAt: number;
	sends: number;
	readonly received: Map<SimDevice, Reception>;
	readonly decrypted: Map<SimDevice, Reception>;
	readonly acted: Map<SimDevice, string[]>;
	readonly relayed: Map<SimDevice, boolean>;
}

interface AttackRecord {
	readonly attempt: AttackAttempt;
	readonly rejections: Map<SimDevice, string>;
	readonly acceptedLateCopy: SimDevice[];
	readonly acceptedForgery: SimDevice[];
}

function identityKey(epochBits: number, source: number, sequence: number): string {
	return `${epochBits}/${source}/${sequence}`;
}

function roundMs(ms: number): number {
	return Math.round(ms * 1000) / 1000;
}

function names(devices: Iterable<SimDevice>): string[] {
	return Array.from(devices, (device) => device.name);
}

export class DomainSimulation {
	readonly scenario: Scenario;
	readonly seed: number;
	readonly clock = new VirtualClock();
	readonly medium: Medium;
	readonly domain: ProvisionedDomain;
	readonly attacker: Attacker | undefined;
	readonly timeline: TimelineEntry[] = [];
	readonly #options: SimulationOptions;
	readonly #random: SeededRandom;
	readonly #crypto: CryptoSuite;
	readonly #devices: SimDevice[] = [];
	readonly #byStation = new Map<Station, SimDevice>();
	readonly #byMember = new Map<number, SimDevice>();
	readonly #alerts: AlertRecord[] = [];
	readonly #alertByIdentity = new Map<string, AlertRecord>();
	readonly #sealed = new Set<string>();
	readonly #attacks: AttackRecord[] = [];
	readonly #attackByFrame = new Map<string, AttackRecord>();
	readonly #initialTtl: number;
	readonly #durationMs: number;
	#nonceReuses = 0;
	#commandsNotSent = 0;
	#ran = false;

	constructor(scenario: Scenario, options: SimulationOptions) {
		this.scenario = scenario;
		this.seed = options.seed >>> 0;
		this.#options = options;
		this.#random = new SeededRandom(this.seed);
		this.#initialTtl = scenario.initialTtl ?? DEFAULT_INITIAL_TTL;
		this.#durationMs = scenario.durationMs ?? DEFAULT_DURATION_MS;
		const provisioningRandom = this.#random.fork("provisioning");
		this.#crypto = createSoftwareSuite(provisioningRandom.randomSource());
		this.domain = provisionDomain(scenario, provisioningRandom, this.#crypto);
		this.medium = new Medium(this.clock, this.#random.fork("medium"), scenario.medium);
		this.medium.observe((event) => {
			if (event.type === "transmit") this.#onTransmit(event.from, event.payload);
		});

		scenario.devices.forEach((device, index) => this.#addDevice(index));
		if (scenario.attacker !== undefined) {
			const station = this.medium.addStation(Uint8Array.of(0x02, 0xba, 0xd0, 0, 0, 1), scenario.attacker, { label: "attacker", promiscuous: true });
			this.attacker = new Attacker({ medium: this.medium, station, timers: this.clock.timersFor("attacker"), random: this.#random.fork("attacker"), crypto: this.#crypto });
		}
		for (const event of scenario.events) this.clock.scheduleAt(() => this.#apply(event), event.at);
	}

	#note(time: number, actor: string, text: string): void {
		if (this.#options.timeline ?? true) this.timeline.push({ time: roundMs(time), actor, text });
	}

	#addDevice(index: number): void {
		const spec = this.scenario.devices[index];
		const provisioned = this.domain.devices[index];
		const mac = Uint8Array.of(...MAC_PREFIX, index >> 8, index & 255);
		const station = this.medium.addStation(mac, { x: spec.x, y: spec.y }, { label: spec.name });
		const timers = this.clock.timersFor(spec.name);
		const gpio = new VirtualGpio(timers, this.clock.timersFor(`${spec.name} surroundings`));
		const storage = new MemoryStorage();
		const random = this.#random.fork(`device ${index}`).randomSource();
		const alertGroup = this.scenario.groups.indexOf(spec.alertGroup ?? spec.groups[0] ?? this.scenario.groups[0]);
		const host: HostBindings = {
			target: "sim",
			gpio,
			radio: this.medium.radioFactory(station),
			timers,
			storage,
			random,
			crypto: createSoftwareSuite(random),
			pins: SIM_PINS,
			role: spec.role,
			manifestSettings: { alertGroup: alertGroup < 0 ? 0 : alertGroup },
			log: {
				info: (message) => {
					if (this.#options.deviceLogs === true) this.#note(timers.now(), spec.name, `log: ${message}`);
				},
				warn: (message) => this.#note(timers.now(), spec.name, `warning: ${message}`),
			},
		};
		const device: SimDevice = {
			index,
			name: spec.name,
			role: spec.role,
			groups: spec.groups,
			memberId: provisioned.memberId,
			station,
			timers,
			gpio,
			storage,
			host,
			node: undefined,
			pendingTrigger: undefined,
			lastOwnAlert: undefined,
			lastRead: undefined,
			received: 0,
			decrypted: 0,
			relayed: 0,
			acted: 0,
			reboots: 0,
			dropped: {},
		};
		gpio.onOutput((change) => {
			if (change.level !== 1) return;
			const record = device.lastRead;
			if (record === undefined) return;
			let outputs = record.acted.get(device);
			if (outputs === undefined) {
				record.acted.set(device, (outputs = []));
				device.acted++;
			}
			if (outputs.includes(change.pin)) return;
			outputs.push(change.pin);
			this.#note(change.time, device.name, `acts on ${record.id}: ${change.pin} on`);
		});
		this.#devices.push(device);
		this.#byStation.set(station, device);
		this.#byMember.set(device.memberId, device);
		this.#boot(device);
	}

	#boot(device: SimDevice): void {
		const provisioned = this.domain.devices[device.index];
		const links = simulatedLinks(
			{ membership: this.domain.membership, keys: provisioned.keys, initialTtl: this.#initialTtl },
			{
				received: (frame, outcome) => this.#onLinkOutcome(device, frame, outcome),
				sealed: (frame) => this.#onSealed(device, frame),
				command: () => {
					this.#commandsNotSent++;
				},
			},
		);
		device.node = startDevice(device.host, { memberId: device.memberId, role: device.role }, links);
	}

	// ── Scenario events ──────────────────────────────────────────────────────

	#device(name: string): SimDevice {
		const device = this.#devices.find((candidate) => candidate.name === name);
		if (device === undefined) throw new RangeError(`no device ${name}`); // validateScenario rules this out
		return device;
	}

	#apply(event: ScenarioEvent): void {
		const now = this.clock.now();
		switch (event.type) {
			case "motion": {
				const device = this.#device(event.device);
				device.pendingTrigger = "motion";
				this.#note(now, device.name, "motion: PIR output high");
				device.gpio.pulse(SIM_PINS.motion, 1, MOTION_PULSE_MS);
				break;
			}
			case "panic": {
				const device = this.#device(event.device);
				device.pendingTrigger = "panic";
				this.#note(now, device.name, "panic button pressed");
				device.gpio.pulse(SIM_PINS.button, 0, PANIC_PRESS_MS);
				break;
			}
			case "reboot": {
				const device = this.#device(event.device);
				this.#powerCut(device, event.offMs ?? DEFAULT_REBOOT_OFF_MS);
				break;
			}
			case "attack":
				this.#attack(event);
				break;
		}
	}

	/** Sudden power loss: RAM, timers, pins and radio are gone, storage stays; power returns after `offMs`. */
	#powerCut(device: SimDevice, offMs: number): void {
		this.#note(this.clock.now(), device.name, `power cut (storage kept), back in ${offMs} ms`);
		device.timers.powerOff();
		device.gpio.powerOff();
		device.station.radio?.close();
		device.node = undefined;
		device.reboots++;
		this.clock.schedule(() => {
			device.timers.powerOn();
			this.#note(this.clock.now(), device.name, "boots");
			this.#boot(device);
		}, offMs);
	}

	#attack(event: Extract<ScenarioEvent, { type: "attack" }>): void {
		const attacker = this.attacker;
		if (attacker === undefined) return;
		const now = this.clock.now();
		const recorded = attacker.recordedAlerts;
		let attempt: AttackAttempt | undefined;
		switch (event.attack) {
			case "replay":
				if (recorded.length > 0) attempt = attacker.replay(recorded[0], `replay of the first alert frame it recorded (from ${this.#stationName(recorded[0].from)})`);
				break;
			case "tamper":
				if (recorded.length > 0) attempt = attacker.tamper(recorded[recorded.length - 1]);
				break;
			case "epoch-replay":
				if (recorded.length > 0) attempt = attacker.replayAsEpoch(recorded[0], this.domain.epoch + 1);
				break;
			case "forge": {
				const as = event.as === undefined ? this.#devices.find((device) => device.groups.length > 0) : this.#device(event.as);
				const groupName = event.group ?? as?.groups[0] ?? this.scenario.groups[0];
				const group = Math.max(0, this.scenario.groups.indexOf(groupName));
				attempt = attacker.forge({ source: as?.memberId ?? 1, group, epoch: this.domain.epoch, ttl: this.#initialTtl }, Uint8Array.of(2, 3, 0, 1, 0));
				break;
			}
			case "garbage":
				attempt = attacker.garbage(24);
				break;
		}
		if (attempt === undefined) {
			this.#note(now, "attacker", `${event.attack}: nothing recorded yet to work from`);
			return;
		}
		const record: AttackRecord = { attempt, rejections: new Map(), acceptedLateCopy: [], acceptedForgery: [] };
		this.#attacks.push(record);
		this.#attackByFrame.set(toHex(attempt.frame), record);
		this.#note(now, "attacker", `#${attempt.id} ${attempt.kind}: ${attempt.description}`);
	}

	#stationName(mac: Uint8Array): string {
		for (const [station, device] of this.#byStation) if (toHex(station.mac) === toHex(mac)) return device.name;
		return toHex(mac);
	}

	// ── What the probes report ───────────────────────────────────────────────

	#onSealed(device: SimDevice, frame: Uint8Array): void {
		const decoded = decodeAlertFrame(frame);
		if (!decoded.ok) return;
		const { epochBits, source, sequence, group } = decoded.frame;
		const key = identityKey(epochBits, source, sequence);
		if (this.#sealed.has(key)) {
			this.#nonceReuses++;
			this.#note(this.clock.now(), device.name, `NONCE REUSE: sequence ${sequence} sealed twice`);
		}
		this.#sealed.add(key);
		let record = device.lastOwnAlert;
		const trigger = device.pendingTrigger;
		if (trigger !== undefined || record === undefined) {
			device.pendingTrigger = undefined;
			record = {
				id: `A${this.#alerts.length + 1}`,
				kind: trigger ?? "unknown",
				origin: device,
				group,
				triggeredAt: this.clock.now(),
				sends: 0,
				received: new Map(),
				decrypted: new Map(),
				acted: new Map(),
				relayed: new Map(),
			};
			this.#alerts.push(record);
			device.lastOwnAlert = record;
		}
		record.sends++;
		this.#alertByIdentity.set(key, record);
		const what = record.sends === 1 ? `sends ${record.id} (${record.kind}, group ${this.scenario.groups[group]}, sequence ${sequence}, ${frame.length} B)` : `repeats ${record.id} (send ${record.sends}, sequence ${sequence})`;
		this.#note(this.clock.now(), device.name, what);
	}

	#onLinkOutcome(device: SimDevice, frame: Uint8Array, outcome: ReceiveOutcome): void {
		const now = this.clock.now();
		const attack = this.#attackByFrame.get(toHex(frame));
		if (outcome.kind === "rejected") {
			if (attack !== undefined) {
				if (!attack.rejections.has(device)) attack.rejections.set(device, outcome.reason);
				this.#note(now, device.name, `rejects attacker frame #${attack.attempt.id}: ${outcome.reason}`);
				return;
			}
			device.dropped[outcome.reason] = (device.dropped[outcome.reason] ?? 0) + 1;
			if (outcome.reason !== "duplicate") this.#note(now, device.name, `drops a frame: ${outcome.reason}`);
			return;
		}
		const record = this.#alertByIdentity.get(identityKey(outcome.epoch & EPOCH_KEY_ID_MASK, outcome.source, outcome.sequence));
		if (attack !== undefined) {
			if (record !== undefined) {
				attack.acceptedLateCopy.push(device);
				this.#note(now, device.name, `accepts attacker frame #${attack.attempt.id}: a genuine ${record.id} copy it had missed`);
			} else {
				attack.acceptedForgery.push(device);
				this.#note(now, device.name, `ACCEPTS FORGED FRAME #${attack.attempt.id}`);
			}
		}
		if (record === undefined) return;
		const hops = this.#initialTtl - frameDetail(frame[0]) + 1;
		const reception: Reception = { time: now, hops };
		device.received++;
		if (!record.received.has(device)) record.received.set(device, reception);
		if (outcome.kind === "alert") {
			device.decrypted++;
			device.lastRead = record;
			const first = !record.decrypted.has(device);
			if (first) record.decrypted.set(device, reception);
			if (first) this.#note(now, device.name, `decrypts ${record.id} from ${record.origin.name} (hop ${hops}, ${roundMs(now - record.triggeredAt)} ms)`);
		} else if (!record.relayed.has(device) && !record.decrypted.has(device)) {
			this.#note(now, device.name, `authenticates ${record.id} (hop ${hops}); no key for group ${this.scenario.groups[record.group]}: relay only`);
		}
	}

	#onTransmit(station: Station, payload: Uint8Array): void {
		const device = this.#byStation.get(station);
		if (device === undefined) return; // the attacker: reported when it acts
		const decoded = decodeAlertFrame(payload);
		if (!decoded.ok) return;
		const { epochBits, source, sequence, ttl } = decoded.frame;
		const record = this.#alertByIdentity.get(identityKey(epochBits, source, sequence));
		if (record === undefined || record.origin === device || record.relayed.has(device)) return;
		const read = record.decrypted.has(device);
		record.relayed.set(device, read);
		device.relayed++;
		this.#note(this.clock.now(), device.name, `relays ${record.id} (ttl ${ttl})${read ? "" : " without reading it"}`);
	}

	// ── Running and summarising ──────────────────────────────────────────────

	/** Runs the scenario to its end and returns the summary. */
	run(): SimulationSummary {
		if (this.#ran) throw new RangeError("a DomainSimulation runs once");
		this.#ran = true;
		const every = this.#options.progressEvery ?? 50_000;
		const onProgress = this.#options.onProgress;
		let sinceReport = 0;
		const duration = this.#durationMs;
		for (;;) {
			const next = this.clock.nextTime();
			if (next === undefined || next > duration) break;
			this.clock.step();
			if (onProgress !== undefined && ++sinceReport >= every) {
				sinceReport = 0;
				onProgress({ time: this.clock.now(), durationMs: duration, events: this.clock.executed });
			}
		}
		return this.summary();
	}

	/** Devices reachable from `origin` within the TTL (the attacker relays nothing). */
	#reachable(origin: SimDevice): Set<SimDevice> {
		const reached = new Set<SimDevice>([origin]);
		let frontier = [origin];
		for (let hop = 0; hop <= this.#initialTtl && frontier.length > 0; hop++) {
			const next: SimDevice[] = [];
			for (const device of frontier) {
				for (const station of this.medium.neighboursOf(device.station)) {
					const neighbour = this.#byStation.get(station);
					if (neighbour === undefined || reached.has(neighbour)) continue;
					reached.add(neighbour);
					next.push(neighbour);
				}
			}
			frontier = next;
		}
		reached.delete(origin);
		return reached;
	}

	summary(): SimulationSummary {
		const alerts = this.#alerts.map((record): AlertReport => {
			const authorised = (device: SimDevice): boolean => device.groups.includes(this.scenario.groups[record.group]);
			const authorisedReachable = Array.from(this.#reachable(record.origin)).filter(authorised);
			const latency = Array.from(record.received, ([device, reception]) => ({ device: device.name, hops: reception.hops, ms: roundMs(reception.time - record.triggeredAt) }));
			const byHops = new Map<number, number[]>();
			for (const entry of latency) {
				const list = byHops.get(entry.hops) ?? [];
				list.push(entry.ms);
				byHops.set(entry.hops, list);
			}
			const perHop = Array.from(byHops, ([hops, list]) => ({
				hops,
				devices: list.length,
				meanMs: roundMs(list.reduce((sum, ms) => sum + ms, 0) / list.length),
				maxMs: roundMs(Math.max(...list)),
			})).sort((a, b) => a.hops - b.hops);
			return {
				id: record.id,
				kind: record.kind,
				origin: record.origin.name,
				group: this.scenario.groups[record.group],
				triggeredAt: roundMs(record.triggeredAt),
				sends: record.sends,
				received: names(record.received.keys()),
				decrypted: names(record.decrypted.keys()),
				acted: Array.from(record.acted, ([device, outputs]) => ({ device: device.name, outputs: outputs.slice() })),
				relayedWithoutReading: names(Array.from(record.relayed).filter(([, read]) => !read).map(([device]) => device)),
				relayedAfterReading: names(Array.from(record.relayed).filter(([, read]) => read).map(([device]) => device)),
				authorisedReachable: names(authorisedReachable),
				missed: names(authorisedReachable.filter((device) => !record.decrypted.has(device))),
				unauthorisedReaders: names(Array.from(record.decrypted.keys()).filter((device) => !authorised(device))),
				latency,
				perHop,
			};
		});
		const attacks = this.#attacks.map((record): AttackReport => ({
			id: record.attempt.id,
			kind: record.attempt.kind,
			time: roundMs(record.attempt.time),
			description: record.attempt.description,
			rejections: Array.from(record.rejections, ([device, reason]) => ({ device: device.name, reason })),
			acceptedLateCopy: names(record.acceptedLateCopy),
			acceptedForgery: names(record.acceptedForgery),
		}));
		const deviceReports = this.#devices.map((device): DeviceReport => ({
			name: device.name,
			role: device.role,
			groups: device.groups.slice(),
			received: device.received,
			decrypted: device.decrypted,
			relayed: device.relayed,
			acted: device.acted,
			dropped: { ...device.dropped },
			storageWrites: device.storage.writes,
			reboots: device.reboots,
		}));
		const stats = this.medium.statistics;
		const medium: MediumStatistics = { ...stats, airtimeMs: roundMs(stats.airtimeMs), losses: { ...stats.losses } };
		const body = {
			scenario: this.scenario.name,
			seed: this.seed,
			devices: this.#devices.length,
			endTime: roundMs(this.clock.now()),
			eventsRun: this.clock.executed,
			alerts,
			attacks,
			deviceReports,
			medium,
			nonceReuses: this.#nonceReuses,
			commandsNotSent: this.#commandsNotSent,
		};
		return { ...body, digest: toHex(this.#crypto.sha256(utf8(JSON.stringify(body)))) };
	}

	/** The sequence numbers each member sealed, in order (for tests of reboot safety). */
	get sealedIdentities(): readonly string[] {
		return Array.from(this.#sealed);
	}

	/** Test access to one device's pins and storage. */
	deviceByName(name: string): { readonly gpio: VirtualGpio; readonly storage: MemoryStorage; readonly station: Station } {
		return this.#device(name);
	}
}

/** Runs `scenario` with `seed` and returns its summary: the portable entry point (Node and XS). */
export function runScenario(scenario: Scenario, seed: number, options: Omit<SimulationOptions, "seed"> = {}): SimulationSummary {
	return new DomainSimulation(scenario, { timeline: false, ...options, seed }).run();
}
