/**
 * A whole PTT domain in one process, each device started as a board starts it:
 *
 *   provisioning  the provisioning tool's Domain (tools/provisioning/domain-store.ts) is
 *                 created from the run's seed, every scenario device enrolled with its role
 *                 and groups, and each device's signed bundle committed to ITS OWN storage
 *                 through the firmware's keystore (storeBundle), as the tool does over USB;
 *   boot          `main(host)` (main.ts) on the device's own HostBindings — a Timers view of
 *                 the shared virtual clock, a station in the radio medium, virtual pins, its
 *                 storage and a seeded random source: keystore → verified roster →
 *                 provisioned links (SecureLink + KKpsk0 pairwise sessions) → device node.
 *
 * The scenario's events press buttons, trip sensors, cut power, revoke devices and send the
 * attacker's frames. The simulation watches from outside the firmware only: the medium
 * (who transmitted what), the devices' event hook (HostBindings.onEvent,
 * picket/device/device-events: what each link and session layer decided) and the pins
 * (what each device did). From that it writes a timeline and a summary: who received each
 * alert, who decrypted it, who acted, who relayed it without reading, who acknowledged it
 * over a session, latency per hop, bytes on air, each key-epoch delivery, and every
 * attacker frame with the reason each receiver rejected it.
 *
 * One shortcut, for what is not under test: every device's bundle carries the same signed
 * roster, so the simulation verifies its ECDSA signature once and hands that verified
 * roster to the keystore (HostBindings.verifiedRoster → keystore's `verifiedRoster`
 * option), which still checks that the stored bundle carries exactly those bytes under that
 * authority key. Everything else — bundle digest, key checks, X25519 of every device —
 * runs per device as on a board.
 *
 * Revocation (a scenario "revoke" event): the operator revokes the device with the tool
 * (`Domain.revoke`: a new epoch, a new roster, one sealed key-epoch delivery per remaining
 * member) and hands the deliveries to the event's carriers, member devices it can reach
 * with a cable. Sessions are between radio neighbours, so each remaining member is served
 * by the first carrier within its radio range, which sends the sealed delivery over their
 * pairwise session; the carriers install their own delivery CARRIER_INSTALL_DELAY_MS later,
 * once their sessions under the old epoch's PSK have done their work.
 *
 * `runScenario(scenario, seed)` is portable (Node and XS): the summary and its digest
 * depend only on the scenario and the seed, so the two engines can be compared.
 */
import { toHex, utf8, writeU32 } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import type { CryptoSuite, RandomSource } from "picket/crypto/crypto-suite";
import type { AlarmCommand, AlertOutcome, SessionOutcome } from "picket/device/alert-link";
import type { DeviceEvent } from "picket/device/device-events";
import { decodeBundle } from "picket/provisioning/bundle";
import type { CommandAction } from "picket/device/alarm-policy";
import type { HostBindings, PostLinkPort } from "picket/device/host-bindings";
import { EPOCH_KEY_ID_MASK, type AlertFrame, decodeAlertFrame } from "picket/link/alert-frame";
import { HeaderMasks } from "picket/link/alert-layers";
import { derivePrivacyKey } from "picket/link/key-schedule";
import { FrameKind, frameDetail, frameKind } from "picket/link/frame-kind";
import { DEFAULT_INITIAL_TTL } from "picket/link/secure-link";
import { type VerifiedRoster, storeBundle } from "picket/provisioning/keystore";
import main, { type RunningDevice } from "picket/main";
import type { FirmwareHost } from "picket/update/device-updates";
import { Domain } from "picket/tools/provisioning/domain-store";
import { Attacker, type AttackAttempt, type AttackKind, commandAsDishonestMember, rewriteBundleEntries } from "picket/hosts/sim/attacker";
import { Medium, type MediumStatistics, type Station } from "picket/hosts/sim/medium";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import type { DeviceRole, Scenario, ScenarioEvent } from "picket/hosts/sim/scenario";
import { SeededRandom } from "picket/hosts/sim/seeded-random";
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
/** A walk-past attack trips the PIR this often: just over a sensor's default hold-off (10 s). */
const WALK_PAST_INTERVAL_MS = 11_000;
/** After a revocation, how long the carriers pass deliveries on before installing their own. */
export const CARRIER_INSTALL_DELAY_MS = 2_000;
/** How long a board the firmware resets (HostBindings.restart) is off the air. */
export const RESTART_MS = 500;

export interface SimulationOptions {
	readonly seed: number;
	/** Keep a timeline (default true; benchmarks turn it off). */
	readonly timeline?: boolean;
	/** Put the devices' own log lines in the timeline (default false). */
	readonly deviceLogs?: boolean;
	/** Called every `progressEvery` events with how far the run is. */
	readonly onProgress?: (progress: { readonly time: number; readonly durationMs: number; readonly events: number }) => void;
	readonly progressEvery?: number;
	/**
	 * The crypto binding of every device and of the operator's tool (default: the portable
	 * software suite, so a run is the same on Node and XS). Any CryptoSuite drawing its
	 * randomness from the given source gives the same run: on Node the CLI and bench/sim
	 * pass node:crypto's (tools/node-crypto-suite.ts), ~50× faster at X25519, as a board
	 * passes its native PSA suite. test/sim-engines.test.ts checks the digests agree.
	 */
	readonly crypto?: (random: RandomSource) => CryptoSuite;
	/**
	 * Boot every device from credentials the tool hands over (Domain.credentials, the shared
	 * verified roster) instead of a bundle stored through its keystore: per device O(1) instead
	 * of O(roster) bytes encoded, hashed, CRC'd, stored and read back (at 10,000 devices a bundle
	 * is 390 KB). For bench/sim at scale; default false, so scenarios and tests boot as a board.
	 */
	readonly sharedProvisioning?: boolean;
	/**
	 * Another domain on the same air: this simulation joins its clock and radio medium (its
	 * scenario's medium settings are ignored) and its devices take MACs of their own. Run the
	 * first one only: it drives the shared clock; then read each one's summary. Member ids
	 * have 13 bits (8,191 per domain), so bench/sim puts 10,000 devices in two domains.
	 */
	readonly shareAirWith?: DomainSimulation;
	/** Settings every device's manifest layer gets on top of the scenario's (the command post runs turn heartbeats on). */
	readonly settings?: { readonly heartbeatMs?: number; readonly lostAfterMissed?: number };
	/** Enrol a command post (role "post", never booted) after the devices, so its key is in the signed roster. */
	readonly enrolPost?: boolean;
	/** A gateway's wire to the command post (HostBindings.postLink), by device name. */
	readonly postLink?: (device: string) => PostLinkPort | undefined;
	/**
	 * A device's firmware slot, asked at each boot (`boot` counts from 0: the bootloader's
	 * decision, e.g. MemoryFirmwareSlot.reset, belongs before every boot but the first); the
	 * storage is the device's, for pinning an update key before its first boot. Undefined: no
	 * slot, the device drops update frames.
	 */
	readonly firmware?: (device: string, storage: MemoryStorage, boot: number) => FirmwareHost | undefined;
}

/** What a watcher outside the simulation may hold of a device: as an operator with a cable would. */
export interface SimDeviceHandle {
	readonly name: string;
	readonly memberId: number;
	readonly gpio: VirtualGpio;
	readonly running: RunningDevice | undefined;
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
	/** Commands (acknowledge, silence) sent to the origin over pairwise sessions, and what became of each. */
	readonly commands: readonly CommandReport[];
	/** The command that ended the incident at its origin (its repeats stopped), if any. */
	readonly endedBy: { readonly device: string; readonly kind: AlarmCommand["kind"]; readonly ms: number } | undefined;
}

export interface CommandReport {
	readonly from: string;
	readonly kind: AlarmCommand["kind"];
	/** ms since the alert's trigger. */
	readonly sentMs: number;
	/** When the origin's session layer delivered it (ms since the trigger). */
	readonly deliveredMs: number | undefined;
	/** Why the sender's session layer gave it up ("peer-unreachable": no handshake answer in radio range). */
	readonly dropped: string | undefined;
}

export interface RevocationReport {
	readonly id: string;
	readonly revoked: string;
	readonly epoch: number;
	readonly time: number;
	readonly carriers: readonly string[];
	/** Each remaining member: who carried its delivery, when it installed the new epoch (ms after the revocation). */
	readonly deliveries: readonly { readonly device: string; readonly via: string; readonly installedMs: number | undefined; readonly acknowledgedMs: number | undefined }[];
	/** Remaining members no carrier could reach by radio: they keep the old epoch. */
	readonly unreached: readonly string[];
	readonly refused: readonly { readonly device: string; readonly reason: string }[];
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
	/** Accepted an insider's frame sealed with a member's real keys (inherent to shared group keys; what it may cost the source is the point). */
	readonly acceptedFromInsider: readonly string[];
	/** Devices' re-broadcasts of the frame's alert after the attacker sent it: what it cost the defenders in airtime. */
	readonly relaysCaused: number;
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
	/** Commands received over sessions, and session frames or handshakes refused (by reason). */
	readonly commandsReceived: number;
	readonly sessionRejects: Readonly<Record<string, number>>;
	readonly epoch: number;
	readonly storageWrites: number;
	readonly reboots: number;
}

/** Frames on the air by kind (alert, handshake, session), devices only. */
export interface FramesByKind {
	readonly [kind: string]: { readonly frames: number; readonly bytes: number };
}

/** Issue 12, item 9: what a listener without keys read in the alert headers it heard, checked against the headers in clear. */
export interface ListenerReport {
	readonly alertsHeard: number;
	/** Alerts whose header, read without keys, named their true source, sequence (its 19 bits), group. */
	readonly sourceRead: number;
	readonly sequenceRead: number;
	readonly groupRead: number;
	/** Alerts heard after another one of the same source, and how many of those carry the same source field as it: what lets a listener follow one device. */
	readonly sameSourcePairs: number;
	readonly pairsLinked: number;
}

export interface SimulationSummary {
	readonly scenario: string;
	readonly seed: number;
	readonly devices: number;
	readonly endTime: number;
	readonly eventsRun: number;
	readonly alerts: readonly AlertReport[];
	readonly attacks: readonly AttackReport[];
	readonly revocations: readonly RevocationReport[];
	readonly deviceReports: readonly DeviceReport[];
	readonly medium: MediumStatistics;
	readonly frames: FramesByKind;
	/** Alerts sealed twice with the same (source, epoch, sequence): a nonce reuse. Must be 0. */
	readonly nonceReuses: number;
	/** Frames devices unicast to one of the attacker's MACs (answers to handshake attacks; each takes an ESP-NOW peer entry). */
	readonly answersToAttacker: number;
	/** Present when the attacker listened ("listen" attack). */
	readonly listener?: ListenerReport;
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
	/** What main(host) returned; undefined while powered off (or if it refused to start). */
	running: RunningDevice | undefined;
	/** Key epoch in force on the device; the epoch it was revoked in, if it was. */
	epoch: number;
	revokedAtEpoch: number | undefined;
	/** The scenario just triggered this device: its next sealed alert starts an incident. */
	pendingTrigger: "motion" | "panic" | undefined;
	lastOwnAlert: AlertRecord | undefined;
	lastRead: AlertRecord | undefined;
	/** When it last decrypted an alert: the policy acts on it at that same instant. */
	lastReadAt: number;
	received: number;
	decrypted: number;
	relayed: number;
	acted: number;
	reboots: number;
	commandsReceived: number;
	readonly dropped: Record<string, number>;
	readonly sessionRejects: Record<string, number>;
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
	/** The origin was revoked when it raised this alert: nobody is authorised to read it. */
	readonly originRevoked: boolean;
	sends: number;
	readonly commands: CommandRecord[];
	endedBy: { readonly device: SimDevice; readonly kind: AlarmCommand["kind"]; readonly time: number } | undefined;
	readonly received: Map<SimDevice, Reception>;
	readonly decrypted: Map<SimDevice, Reception>;
	readonly acted: Map<SimDevice, string[]>;
	readonly relayed: Map<SimDevice, boolean>;
}

interface CommandRecord {
	readonly from: SimDevice;
	readonly to: SimDevice;
	readonly kind: AlarmCommand["kind"];
	readonly sentAt: number;
	deliveredAt: number | undefined;
	dropped: string | undefined;
}

interface RevocationRecord {
	readonly id: string;
	readonly revoked: SimDevice;
	readonly epoch: number;
	readonly time: number;
	readonly carriers: readonly SimDevice[];
	readonly via: Map<SimDevice, SimDevice>;
	readonly installed: Map<SimDevice, number>;
	/** When the carrier learnt, from the member's delivery-ack, that it moved on. */
	readonly acknowledged: Map<SimDevice, number>;
	readonly unreached: SimDevice[];
	readonly refused: Map<SimDevice, string>;
}

interface AttackRecord {
	readonly attempt: AttackAttempt;
	readonly rejections: Map<SimDevice, string>;
	readonly acceptedLateCopy: SimDevice[];
	readonly acceptedForgery: SimDevice[];
	readonly acceptedFromInsider: SimDevice[];
	/** Devices' re-broadcasts of this frame's alert after the attacker sent it. */
	relaysCaused: number;
}

function identityKey(epochBits: number, source: number, sequence: number): string {
	return `${epochBits}/${source}/${sequence}`;
}

function roundMs(ms: number): number {
	return Math.round(ms * 1000) / 1000;
}

/** The attacker's stations all have MACs 02:ba:d0:… (the constructor below, Attacker.replayFromMacs). */
function isAttackerMac(mac: Uint8Array): boolean {
	return mac[0] === 0x02 && mac[1] === 0xba && mac[2] === 0xd0;
}

function names(devices: Iterable<SimDevice>): string[] {
	return Array.from(devices, (device) => device.name);
}

export class DomainSimulation {
	readonly scenario: Scenario;
	readonly seed: number;
	readonly clock: VirtualClock;
	readonly medium: Medium;
	/** The operator's domain: the provisioning tool's state for this run. */
	readonly domain: Domain;
	readonly attacker: Attacker | undefined;
	readonly timeline: TimelineEntry[] = [];
	readonly #macPrefix: readonly number[];
	readonly #options: SimulationOptions;
	readonly #random: SeededRandom;
	readonly #crypto: CryptoSuite;
	readonly #cryptoFactory: (random: RandomSource) => CryptoSuite;
	readonly #devices: SimDevice[] = [];
	readonly #byStation = new Map<Station, SimDevice>();
	readonly #byMember = new Map<number, SimDevice>();
	readonly #alerts: AlertRecord[] = [];
	readonly #alertByIdentity = new Map<string, AlertRecord>();
	readonly #sealed = new Set<string>();
	readonly #attacks: AttackRecord[] = [];
	readonly #attackByFrame = new Map<string, AttackRecord>();
	/** The latest attacker frame per alert identity: what a device's later re-broadcast of that alert is charged to. */
	readonly #attackByIdentity = new Map<string, AttackRecord>();
	/** Alerts a dishonest member sealed with real keys (any copy of them, rewritten or not, is the insider's). */
	readonly #insiderIdentities = new Set<string>();
	readonly #revocations: RevocationRecord[] = [];
	readonly #frames: Record<string, { frames: number; bytes: number }> = {};
	readonly #verifiedRoster: VerifiedRoster;
	readonly #initialTtl: number;
	readonly #durationMs: number;
	#nonceReuses = 0;
	/** Frames devices unicast to a MAC of the attacker (answers to its handshakes): each takes a peer-list entry. */
	#answersToAttacker = 0;
	/** Each member's bundle of its first provisioning (bundle-rollback writes it back). */
	readonly #firstBundles = new Map<number, Uint8Array>();
	#ran = false;
	/** The command post's member id, when `enrolPost` asked for one. */
	readonly postId: number | undefined;

	constructor(scenario: Scenario, options: SimulationOptions) {
		this.scenario = scenario;
		this.seed = options.seed >>> 0;
		this.#options = options;
		this.#random = new SeededRandom(this.seed);
		this.clock = options.shareAirWith?.clock ?? new VirtualClock();
		this.#macPrefix = options.shareAirWith === undefined ? MAC_PREFIX : [...MAC_PREFIX.slice(0, 3), (options.shareAirWith.#macPrefix[3] + 1) & 255];
		this.#initialTtl = scenario.initialTtl ?? DEFAULT_INITIAL_TTL;
		this.#durationMs = scenario.durationMs ?? DEFAULT_DURATION_MS;
		// The operator's laptop: the provisioning tool's Domain, drawing its keys from the seed.
		this.#cryptoFactory = options.crypto ?? createSoftwareSuite;
		this.#crypto = this.#cryptoFactory(this.#random.fork("provisioning").randomSource());
		this.domain = Domain.create({ groups: Object.fromEntries(scenario.groups.map((name, number) => [name, number])), crypto: this.#crypto });
		for (const device of scenario.devices) this.domain.addDevice({ role: device.role, groups: device.groups });
		if (options.enrolPost === true) this.postId = this.domain.addDevice({ role: "post", groups: [] }).id;
		// The one shortcut (see the file comment): the shared roster's signature is verified once, here.
		this.#verifiedRoster = { roster: this.domain.verifiedRoster(), bytes: this.domain.roster(), authorityPublicKey: this.domain.authorityPublicKey };
		this.medium = options.shareAirWith?.medium ?? new Medium(this.clock, this.#random.fork("medium"), scenario.medium);
		this.medium.observe(
			(event) => {
				if (event.type === "transmit") this.#onTransmit(event.from, event.payload);
				if (event.type === "transmit" && event.attempt === 1 && isAttackerMac(event.to) && this.#byStation.has(event.from)) this.#answersToAttacker++;
			},
			{ receptions: false },
		);

		const members = this.domain.members();
		scenario.devices.forEach((device, index) => this.#addDevice(index, members[index].id));
		if (scenario.attacker !== undefined) {
			const station = this.medium.addStation(Uint8Array.of(0x02, 0xba, 0xd0, 0, 0, 1), scenario.attacker, { label: "attacker", promiscuous: true });
			const accomplices = (scenario.attacker.stations ?? []).map((position, i) => this.medium.addStation(Uint8Array.of(0x02, 0xba, 0xd0, 0, 0, 2 + i), position, { label: `attacker ${2 + i}`, promiscuous: true }));
			this.attacker = new Attacker({ medium: this.medium, station, accomplices, timers: this.clock.timersFor("attacker"), random: this.#random.fork("attacker"), crypto: this.#crypto });
			// Frames the attacker sends by itself (the TTL-0 re-broadcasts) are recorded as they go.
			this.attacker.onAttempt((attempt) => {
				if (attempt.kind === "ttl-zero") this.#recordAttempt(attempt);
			});
		}
		for (const event of scenario.events) this.clock.scheduleAt(() => this.#apply(event), event.at);
	}

	#note(time: number, actor: string, text: string): void {
		if (this.#options.timeline ?? true) this.timeline.push({ time: roundMs(time), actor, text });
	}

	/** `memberId`: enrolled in scenario order, member ids 1, 2, … (0 names nobody). */
	#addDevice(index: number, memberId: number): void {
		const spec = this.scenario.devices[index];
		const mac = Uint8Array.of(...this.#macPrefix, index >> 8, index & 255);
		const station = this.medium.addStation(mac, { x: spec.x, y: spec.y }, { label: spec.name });
		const timers = this.clock.timersFor(spec.name);
		const gpio = new VirtualGpio(timers, this.clock.timersFor(`${spec.name} surroundings`));
		const storage = new MemoryStorage();
		const random = this.#random.fork(`device ${index}`).randomSource();
		const alertGroup = this.scenario.groups.indexOf(spec.alertGroup ?? spec.groups[0] ?? this.scenario.groups[0]);
		let device: SimDevice | undefined;
		const postLink = this.#options.postLink?.(spec.name);
		const host: HostBindings = {
			target: "sim",
			gpio,
			radio: this.medium.radioFactory(station),
			timers,
			storage,
			random,
			crypto: this.#cryptoFactory(random),
			pins: SIM_PINS,
			role: spec.role,
			manifestSettings: { alertGroup: alertGroup < 0 ? 0 : alertGroup, initialTtl: this.#initialTtl, ...this.#options.settings },
			log: {
				info: (message) => {
					if (this.#options.deviceLogs === true) this.#note(timers.now(), spec.name, `log: ${message}`);
				},
				warn: (message) => this.#note(timers.now(), spec.name, `warning: ${message}`),
			},
			onEvent: (event) => {
				if (device !== undefined) this.#onDeviceEvent(device, event);
			},
			verifiedRoster: this.#verifiedRoster,
			// The firmware resets itself (an installed update): after this turn, off for RESTART_MS as a reset takes.
			restart: () =>
				this.clock.schedule(() => {
					if (device?.running !== undefined) this.#powerCut(device, RESTART_MS, "restarts (the firmware asked: an installed update)");
				}, 0),
			...(postLink === undefined ? {} : { postLink }),
			...(this.#options.sharedProvisioning === true ? { provisioned: this.domain.credentials(memberId, this.#verifiedRoster.roster) } : {}),
		};

		// The provisioning tool writes the device's bundle into its flash, through the keystore.
		if (this.#options.sharedProvisioning !== true) {
			const bundle = this.domain.bundle(memberId);
			storeBundle(storage, bundle, host.crypto, { verifiedRoster: this.#verifiedRoster });
			this.#firstBundles.set(memberId, bundle);
		}
		if (spec.sequencesUsed !== undefined) {
			// Weeks of use in this key epoch: the link's counter reservation (sequence-counter.ts, "picket-link"/"seq") as it would stand.
			const reservation = new Uint8Array(8);
			writeU32(reservation, 0, this.domain.epoch);
			writeU32(reservation, 4, spec.sequencesUsed);
			storage.write("picket-link", "seq", reservation);
		}
		device = {
			index,
			name: spec.name,
			role: spec.role,
			groups: spec.groups,
			memberId,
			station,
			timers,
			gpio,
			storage,
			host,
			running: undefined,
			epoch: this.domain.epoch,
			revokedAtEpoch: undefined,
			pendingTrigger: undefined,
			lastOwnAlert: undefined,
			lastRead: undefined,
			lastReadAt: -1,
			received: 0,
			decrypted: 0,
			relayed: 0,
			acted: 0,
			reboots: 0,
			commandsReceived: 0,
			dropped: {},
			sessionRejects: {},
		};
		const self = device;
		gpio.onOutput((change) => {
			if (change.level !== 1) return;
			const record = self.lastRead;
			// Outputs switched at another instant are the device's own (its alert's LED, an acknowledgement shown).
			if (record === undefined || change.time !== self.lastReadAt) return;
			let outputs = record.acted.get(self);
			if (outputs === undefined) {
				record.acted.set(device, (outputs = []));
				self.acted++;
			}
			if (outputs.includes(change.pin)) return;
			outputs.push(change.pin);
			this.#note(change.time, self.name, `acts on ${record.id}: ${change.pin} on`);
		});
		this.#devices.push(self);
		this.#byStation.set(station, self);
		this.#byMember.set(memberId, self);
		this.#boot(self);
	}

	/** A device by its scenario name, for watchers outside the simulation. */
	deviceHandle(name: string): SimDeviceHandle {
		const device = this.#device(name);
		return { name: device.name, memberId: device.memberId, gpio: device.gpio, get running() {
			return device.running;
		} };
	}

	/** The board's entry point, as on power-up: main.ts on this device's bindings. */
	#boot(device: SimDevice): void {
		const firmware = this.#options.firmware?.(device.name, device.storage, device.reboots);
		device.running = main(firmware === undefined ? device.host : { ...device.host, firmware });
		if (device.running !== undefined) device.epoch = device.running.links.credentials.epoch;
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
			case "revoke":
				this.#revoke(event);
				break;
		}
	}

	/** The operator revokes a device and hands the sealed key-epoch deliveries to the carriers. */
	#revoke(event: Extract<ScenarioEvent, { type: "revoke" }>): void {
		const now = this.clock.now();
		const revoked = this.#device(event.device);
		if (revoked.revokedAtEpoch !== undefined) return; // validateScenario rules this out
		const revocation = this.domain.revoke(revoked.memberId);
		revoked.revokedAtEpoch = revocation.epoch;
		const carriers = event.carriers.map((name) => this.#device(name)).filter((carrier) => carrier.revokedAtEpoch === undefined);
		const record: RevocationRecord = {
			id: `R${this.#revocations.length + 1}`,
			revoked,
			epoch: revocation.epoch,
			time: now,
			carriers,
			via: new Map(),
			installed: new Map(),
			acknowledged: new Map(),
			unreached: [],
			refused: new Map(),
		};
		this.#revocations.push(record);
		this.#note(now, "operator", `${record.id}: revokes ${revoked.name}; key epoch ${revocation.epoch}, roster of ${this.domain.members().length} signed; deliveries handed to ${names(carriers).join(", ")}`);
		for (const device of this.#devices) {
			const delivery = revocation.deliveries.get(device.memberId);
			if (delivery === undefined || carriers.includes(device)) continue;
			// The nearest carrier: one within radio range, else any, through the mesh.
			const neighbours = new Set(this.medium.neighboursOf(device.station));
			const running = carriers.filter((candidate) => candidate.running !== undefined);
			const carrier = running.find((candidate) => neighbours.has(candidate.station)) ?? running[0];
			if (carrier?.running === undefined) {
				record.unreached.push(device);
				this.#note(now, "operator", `${record.id}: no carrier running for ${device.name}`);
				continue;
			}
			record.via.set(device, carrier);
			carrier.running.links.carryEpochDelivery(delivery);
		}
		this.clock.schedule(() => {
			for (const carrier of carriers) {
				const delivery = revocation.deliveries.get(carrier.memberId);
				if (delivery === undefined || carrier.running === undefined) continue;
				record.via.set(carrier, carrier);
				try {
					carrier.running.links.applyEpochDelivery(delivery);
				} catch (error) {
					// Reported through the device's epoch-refused event.
					if (!isPicketError(error)) throw error;
				}
			}
		}, CARRIER_INSTALL_DELAY_MS);
	}

	/** Power off for `offMs`, as a scenario's "reboot" event does (storage and the firmware slot stay). */
	powerCycle(name: string, offMs: number): void {
		this.#powerCut(this.#device(name), offMs);
	}

	/** Sudden power loss: RAM, timers, pins and radio are gone, storage stays; power returns after `offMs`. */
	#powerCut(device: SimDevice, offMs: number, why = "power cut (storage kept)"): void {
		this.#note(this.clock.now(), device.name, `${why}, back in ${offMs} ms`);
		device.timers.powerOff();
		device.gpio.powerOff();
		device.station.radio?.close();
		device.running = undefined;
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
		if (event.attack === "handshake-forge" || event.attack === "handshake-replay") return this.#attackHandshake(event, attacker);
		if (event.attack === "member-command") return this.#dishonestMember(event);
		if (event.attack === "bundle-rollback") return this.#rollBackBundle(event);
		let attempt: AttackAttempt | undefined;
		switch (event.attack) {
			case "replay":
				if (recorded.length > 0) attempt = attacker.replay(recorded[0], `replay of the first alert frame it recorded (from ${this.#stationName(recorded[0].from)})`);
				break;
			case "tamper":
				if (recorded.length > 0) attempt = attacker.tamper(recorded[recorded.length - 1]);
				break;
			case "epoch-replay":
				if (recorded.length > 0) {
					// After a revocation: the old epoch's frame passed off as the current epoch's. Before: as a future epoch's.
					const first = recorded[0];
					const recordedEpoch = decodeAlertFrame(first.payload);
					const stale = recordedEpoch.ok && recordedEpoch.frame.epochBits !== (this.domain.epoch & EPOCH_KEY_ID_MASK);
					attempt = attacker.replayAsEpoch(first, stale ? this.domain.epoch : this.domain.epoch + 1);
				}
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
			case "listen":
				attacker.startListening();
				this.#listened = true;
				this.#note(now, "attacker", "listen: from now on reads the header of every alert it hears, without keys");
				return;
			case "ttl-zero":
				attacker.startTtlZeroing();
				this.#note(now, "attacker", "ttl-zero: from now on every station re-broadcasts each alert it hears with TTL 0");
				return;
			case "replay-flood": {
				const attempts = attacker.replayFlood(event.times ?? 10);
				if (attempts.length === 0) break;
				for (const flooded of attempts) this.#recordAttempt(flooded, false);
				this.#note(now, "attacker", `replay-flood: ${attempts.length} replays of recorded alerts at TTL 15`);
				return;
			}
			case "walk-past": {
				// Physical, not radio: someone walks past the PIR each time its hold-off ends, to burn its sequences.
				const sensor = this.#device(event.as ?? "");
				const times = event.times ?? 10;
				for (let i = 0; i < times; i++) this.clock.schedule(() => this.#apply({ at: now, type: "motion", device: sensor.name }), i * WALK_PAST_INTERVAL_MS);
				this.#note(now, "attacker", `walk-past: trips ${sensor.name} ${times} times, every ${WALK_PAST_INTERVAL_MS / 1000} s`);
				return;
			}
			case "insider-leap": {
				// A dishonest member: the attacker holds the keys the insider's own firmware holds.
				const insider = this.#device(event.insider ?? "");
				const victim = this.#device(event.as ?? "");
				const group = this.scenario.groups.indexOf(event.group ?? "");
				const credentials = insider.running?.links.credentials;
				const groupKey = credentials?.groupKeys.get(group);
				if (credentials === undefined || groupKey === undefined) break;
				attempt = attacker.insiderForge({ networkKey: credentials.networkKey, groupKey }, { source: victim.memberId, group, epoch: credentials.epoch, ttl: this.#initialTtl }, Uint8Array.of(2, 3, 0, 1, 0));
				break;
			}
		}
		if (attempt === undefined) {
			this.#note(now, "attacker", `${event.attack}: nothing recorded yet to work from`);
			return;
		}
		this.#recordAttempt(attempt);
	}

	#recordAttempt(attempt: AttackAttempt, note = true): void {
		const record: AttackRecord = { attempt, rejections: new Map(), acceptedLateCopy: [], acceptedForgery: [], acceptedFromInsider: [], relaysCaused: 0 };
		this.#attacks.push(record);
		this.#attackByFrame.set(toHex(attempt.frame), record);
		const observed = this.#observeAlert(attempt.frame);
		if (observed !== undefined) {
			const identity = identityKey(observed.epochBits, observed.source, observed.sequence);
			this.#attackByIdentity.set(identity, record);
			if (attempt.kind === "insider-leap") this.#insiderIdentities.add(identity);
		}
		if (note) this.#note(attempt.time, "attacker", `#${attempt.id} ${attempt.kind}: ${attempt.description}`);
	}

	/** Handshake attacks (issue 12, items 2 and 3): forged messages 1, or one recorded message 1 replayed from many MACs. */
	#attackHandshake(event: Extract<ScenarioEvent, { type: "attack" }>, attacker: Attacker): void {
		const count = event.count ?? 1;
		if (event.attack === "handshake-forge") {
			const as = event.as === undefined ? this.#devices[0] : this.#device(event.as);
			for (let i = 0; i < count; i++) this.#recordAttempt(attacker.forgeMessage1(as.memberId));
			return;
		}
		const messages1 = attacker.recordedMessages1;
		const recorded = messages1[messages1.length - 1];
		if (recorded === undefined) return this.#note(this.clock.now(), "attacker", `${event.attack}: no message 1 recorded yet`);
		const [first] = attacker.replayFromMacs(recorded, count);
		// The same bytes from every MAC: one record, which the receivers' first verdicts fill.
		this.#recordAttempt({ ...first, description: `message 1 recorded from ${this.#stationName(recorded.from)}, replayed from ${count} MACs` });
	}

	/** Member `as` acknowledges and silences the last alert raised, over its own sessions (issue 12, item 8). */
	#dishonestMember(event: Extract<ScenarioEvent, { type: "attack" }>): void {
		const member = event.as === undefined ? undefined : this.#device(event.as);
		const alert = this.#alerts[this.#alerts.length - 1];
		const incident = alert?.origin.running?.node.policy.activeIncident;
		if (member?.running === undefined || alert === undefined || incident === undefined) return this.#note(this.clock.now(), "attacker", "member-command: no running member or no incident under way");
		this.#note(this.clock.now(), "attacker", `${member.name} (dishonest ${member.role}) acknowledges and silences ${alert.id} of ${alert.origin.name}`);
		commandAsDishonestMember(member.running.links.sessions, alert.origin.memberId, alert.origin.station.mac, incident);
	}

	/** Device `as`'s flash rewritten with its first bundle, then a power cycle (issue 12, item 10). */
	#rollBackBundle(event: Extract<ScenarioEvent, { type: "attack" }>): void {
		const device = event.as === undefined ? undefined : this.#device(event.as);
		const bundle = device === undefined ? undefined : this.#firstBundles.get(device.memberId);
		if (device === undefined || bundle === undefined) return;
		this.#note(this.clock.now(), "attacker", `rewrites ${device.name}'s flash with its first bundle (epoch ${decodeBundle(bundle, this.#crypto).epoch}) and cuts its power`);
		rewriteBundleEntries(device.storage, bundle, this.#crypto);
		this.#powerCut(device, 100);
	}

	/** The observer's header masks, per epoch (every copy of an alert on air unmasks with one HMAC). */
	readonly #observerMasks = new Map<number, HeaderMasks>();
	#listened = false;

	/** What the listener's keyless reading of each header got right, against the headers in clear (item 9). */
	#listenerReport(attacker: Attacker): ListenerReport {
		const report = { alertsHeard: 0, sourceRead: 0, sequenceRead: 0, groupRead: 0, sameSourcePairs: 0, pairsLinked: 0 };
		const lastBySource = new Map<number, number>();
		for (const heard of attacker.overheard) {
			const truth = this.#observeAlert(heard.frame);
			if (truth === undefined) continue;
			report.alertsHeard++;
			if (heard.source === truth.source) report.sourceRead++;
			if (heard.sequence === truth.sequence) report.sequenceRead++;
			if (heard.group === truth.group) report.groupRead++;
			const previous = lastBySource.get(truth.source);
			if (previous !== undefined) {
				report.sameSourcePairs++;
				if (previous === heard.source) report.pairsLinked++;
			}
			lastBySource.set(truth.source, heard.source);
		}
		return report;
	}

	/**
	 * An alert's header in clear, as its receivers see it: the observer holds every epoch's
	 * network key (the newest epoch with the frame's key-id bits). Not authenticated: a
	 * forgery unmasks to whatever header the domain's privacy key makes of it.
	 */
	#observeAlert(bytes: Uint8Array): AlertFrame | undefined {
		const decoded = decodeAlertFrame(bytes);
		if (!decoded.ok) return undefined;
		let epoch = this.domain.epoch;
		while (epoch > 0 && (epoch & EPOCH_KEY_ID_MASK) !== decoded.frame.epochBits) epoch--;
		let masks = this.#observerMasks.get(epoch);
		if (masks === undefined) {
			masks = new HeaderMasks(derivePrivacyKey(this.#crypto, this.domain.networkKey(epoch)));
			this.#observerMasks.set(epoch, masks);
		}
		return masks.unmask(this.#crypto, decoded.frame);
	}

	#stationName(mac: Uint8Array): string {
		for (const [station, device] of this.#byStation) if (toHex(station.mac) === toHex(mac)) return device.name;
		return toHex(mac);
	}

	// ── What the devices report (HostBindings.onEvent) ───────────────────────

	#onDeviceEvent(device: SimDevice, event: DeviceEvent): void {
		switch (event.kind) {
			case "alert-sealed":
				return this.#onSealed(device, event.frame);
			case "alert-received":
				return this.#onAlertReceived(device, event.frame, event.outcome);
			case "session-received":
				return this.#onSessionReceived(device, event.frame, event.outcome, event.action);
			case "command-sent":
				return this.#onCommandSent(device, event.peer, event.command);

			case "session-dropped":
				return this.#onSessionDropped(device, event.peer, event.reason);
			case "epoch-installed":
				return this.#onEpochInstalled(device, event.epoch, event.members, event.from);
			case "delivery-acknowledged": {
				const member = this.#byMember.get(event.peer);
				const record = this.#revocations.find((candidate) => candidate.epoch === event.epoch);
				if (member !== undefined && record !== undefined && !record.acknowledged.has(member)) record.acknowledged.set(member, this.clock.now());
				return;
			}
			case "epoch-refused": {
				const record = this.#revocations[this.#revocations.length - 1];
				record?.refused.set(device, event.reason);
				this.#note(this.clock.now(), device.name, `refuses a key-epoch delivery: ${event.reason}`);
				return;
			}
		}
	}

	#onCommandSent(device: SimDevice, peer: number, command: AlarmCommand): void {
		const origin = this.#byMember.get(command.origin);
		const to = this.#byMember.get(peer);
		const record = origin?.lastOwnAlert;
		if (to === undefined || record === undefined) return;
		record.commands.push({ from: device, to, kind: command.kind, sentAt: this.clock.now(), deliveredAt: undefined, dropped: undefined });
		this.#note(this.clock.now(), device.name, `${command.kind === "acknowledge" ? "acknowledges" : "silences"} ${record.id} to ${to.name} over a pairwise session`);
	}

	#onSessionDropped(device: SimDevice, peer: number, reason: string): void {
		const to = this.#byMember.get(peer);
		if (to === undefined) return;
		for (const record of this.#alerts) {
			for (const command of record.commands) {
				if (command.from !== device || command.to !== to || command.deliveredAt !== undefined || command.dropped !== undefined) continue;
				command.dropped = reason;
			}
		}
		this.#note(this.clock.now(), device.name, `session layer gives up on ${to.name}: ${reason}`);
	}

	#onSessionReceived(device: SimDevice, frame: Uint8Array, outcome: SessionOutcome, action: CommandAction | undefined): void {
		const now = this.clock.now();
		if (outcome.kind === "rejected") {
			device.sessionRejects[outcome.reason] = (device.sessionRejects[outcome.reason] ?? 0) + 1;
			const attack = this.#attackByFrame.get(toHex(frame));
			if (attack !== undefined && !attack.rejections.has(device)) attack.rejections.set(device, outcome.reason);
			return;
		}
		if (outcome.kind !== "command") return;
		device.commandsReceived++;
		const from = this.#byMember.get(outcome.peer);
		if (action === "refused") {
			// Authentic, but the sender's role may not give it (alarm-policy.ts): it ends nothing.
			device.sessionRejects["command-refused"] = (device.sessionRejects["command-refused"] ?? 0) + 1;
			this.#note(this.clock.now(), device.name, `refuses ${outcome.command.kind} from ${from?.name ?? outcome.peer}: its role may not give it`);
			return;
		}
		const origin = this.#byMember.get(outcome.command.origin);
		const record = origin?.lastOwnAlert;
		if (from === undefined || record === undefined) return;
		const command = record.commands.find((candidate) => candidate.from === from && candidate.to === device && candidate.kind === outcome.command.kind && candidate.deliveredAt === undefined);
		if (command !== undefined) command.deliveredAt = now;
		if (origin === device && record.endedBy === undefined) {
			record.endedBy = { device: from, kind: outcome.command.kind, time: now };
			this.#note(now, device.name, `${record.id} ${outcome.command.kind === "acknowledge" ? "acknowledged" : "silenced"} by ${from.name} over their session: repeats stop (${record.sends} send(s))`);
		}
	}

	#onEpochInstalled(device: SimDevice, epoch: number, members: number, from: number | undefined): void {
		device.epoch = epoch;
		const record = this.#revocations.find((candidate) => candidate.epoch === epoch);
		record?.installed.set(device, this.clock.now());
		const carrier = from === undefined ? undefined : this.#byMember.get(from);
		this.#note(this.clock.now(), device.name, `installs key epoch ${epoch} (${members} members)${carrier === undefined ? " from the operator's hand-off" : `, delivered by ${carrier.name} over their session`}`);
	}

	#onSealed(device: SimDevice, frame: Uint8Array): void {
		const observed = this.#observeAlert(frame);
		if (observed === undefined) return;
		const { epochBits, source, sequence, group } = observed;
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
				originRevoked: device.revokedAtEpoch !== undefined,
				sends: 0,
				commands: [],
				endedBy: undefined,
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

	#onAlertReceived(device: SimDevice, frame: Uint8Array, outcome: AlertOutcome): void {
		const now = this.clock.now();
		const attack = this.#attackByFrame.size === 0 ? undefined : this.#attackByFrame.get(toHex(frame));
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
		const observed = this.#observeAlert(frame);
		const record = observed !== undefined ? this.#alertByIdentity.get(identityKey(observed.epochBits, observed.source, observed.sequence)) : undefined;
		if (attack !== undefined) {
			if (record !== undefined) {
				attack.acceptedLateCopy.push(device);
				this.#note(now, device.name, `accepts attacker frame #${attack.attempt.id}: a genuine ${record.id} copy it had missed`);
			} else if (attack.attempt.kind === "insider-leap" || (observed !== undefined && this.#insiderIdentities.has(identityKey(observed.epochBits, observed.source, observed.sequence)))) {
				// Group keys are shared: a member of X's group can seal X's alerts (README, security).
				attack.acceptedFromInsider.push(device);
				this.#note(now, device.name, `accepts insider frame #${attack.attempt.id} (sealed with a member's own keys)`);
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
			device.lastReadAt = now;
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
		const kind = ["alert", "handshake", "session", "mesh"][frameKind(payload[0])] ?? "other";
		const count = (this.#frames[kind] ??= { frames: 0, bytes: 0 });
		count.frames++;
		count.bytes += payload.length;
		if (frameKind(payload[0]) !== FrameKind.Alert) return;
		const observed = this.#observeAlert(payload);
		if (observed === undefined) return;
		const { epochBits, source, sequence, ttl } = observed;
		const attack = this.#attackByIdentity.get(identityKey(epochBits, source, sequence));
		if (attack !== undefined && attack.attempt.time <= this.clock.now()) attack.relaysCaused++;
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
		if (this.#options.shareAirWith !== undefined) throw new RangeError("run the simulation whose air this one shares");
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
			// A revoked device may read nothing after its revocation, and nobody may read what it sends.
			const revokedBy = (device: SimDevice, time: number): boolean => this.#revocations.some((revocation) => revocation.revoked === device && revocation.time <= time);
			const authorised = (device: SimDevice): boolean => !record.originRevoked && !revokedBy(device, record.triggeredAt) && device.groups.includes(this.scenario.groups[record.group]);
			const authorisedReachable = Array.from(this.#reachable(record.origin)).filter(authorised);
			const sinceTrigger = (time: number | undefined): number | undefined => (time === undefined ? undefined : roundMs(time - record.triggeredAt));
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
				commands: record.commands.map((command) => ({ from: command.from.name, kind: command.kind, sentMs: roundMs(command.sentAt - record.triggeredAt), deliveredMs: sinceTrigger(command.deliveredAt), dropped: command.dropped })),
				endedBy: record.endedBy === undefined ? undefined : { device: record.endedBy.device.name, kind: record.endedBy.kind, ms: roundMs(record.endedBy.time - record.triggeredAt) },
			};
		});
		const revocations = this.#revocations.map((record): RevocationReport => ({
			id: record.id,
			revoked: record.revoked.name,
			epoch: record.epoch,
			time: roundMs(record.time),
			carriers: names(record.carriers),
			deliveries: Array.from(record.via, ([device, carrier]) => {
				const installed = record.installed.get(device);
				const acknowledged = record.acknowledged.get(device);
				return {
					device: device.name,
					via: carrier.name,
					installedMs: installed === undefined ? undefined : roundMs(installed - record.time),
					acknowledgedMs: acknowledged === undefined ? undefined : roundMs(acknowledged - record.time),
				};
			}),
			unreached: names(record.unreached),
			refused: Array.from(record.refused, ([device, reason]) => ({ device: device.name, reason })),
		}));
		const attacks = this.#attacks.map((record): AttackReport => ({
			id: record.attempt.id,
			kind: record.attempt.kind,
			time: roundMs(record.attempt.time),
			description: record.attempt.description,
			rejections: Array.from(record.rejections, ([device, reason]) => ({ device: device.name, reason })),
			acceptedLateCopy: names(record.acceptedLateCopy),
			acceptedForgery: names(record.acceptedForgery),
			acceptedFromInsider: names(record.acceptedFromInsider),
			relaysCaused: record.relaysCaused,
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
			commandsReceived: device.commandsReceived,
			sessionRejects: { ...device.sessionRejects },
			epoch: device.epoch,
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
			revocations,
			deviceReports,
			medium,
			frames: Object.fromEntries(Object.entries(this.#frames).map(([kind, count]) => [kind, { ...count }])),
			nonceReuses: this.#nonceReuses,
			answersToAttacker: this.#answersToAttacker,
			...(this.#listened && this.attacker !== undefined ? { listener: this.#listenerReport(this.attacker) } : {}),
		};
		return { ...body, digest: toHex(this.#crypto.sha256(utf8(JSON.stringify(body)))) };
	}

	/** The sequence numbers each member sealed, in order (for tests of reboot safety). */
	get sealedIdentities(): readonly string[] {
		return Array.from(this.#sealed);
	}

	/** Test access to one device's pins, storage and running firmware. */
	deviceByName(name: string): { readonly gpio: VirtualGpio; readonly storage: MemoryStorage; readonly station: Station; readonly running: RunningDevice | undefined; readonly memberId: number } {
		return this.#device(name);
	}
}

/** Runs `scenario` with `seed` and returns its summary: the portable entry point (Node and XS). */
export function runScenario(scenario: Scenario, seed: number, options: Omit<SimulationOptions, "seed"> = {}): SimulationSummary {
	return new DomainSimulation(scenario, { timeline: false, ...options, seed }).run();
}
