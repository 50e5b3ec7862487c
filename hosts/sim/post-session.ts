/**
 * `npm start -- --post`: the default scenario with a simulated gateway connected over TCP
 * on loopback to a real command post (tools/post) and its dashboard.
 *
 *   DomainSimulation (virtual clock paced to the wall clock)
 *     └─ device "gateway" (role gateway): main.ts ─► picket/gateway/gateway-start ─► GatewayBridge
 *                                                    HostBindings.postLink │ wire frames, Noise KKpsk0
 *                                                             TCP 127.0.0.1 ▼
 *   CommandPost ─ EventLog (SQLite) ─ dashboard (HTTP + SSE on 127.0.0.1)
 *
 * With `rollout` (`npm start -- --post --rollout`) every board has a firmware slot and the
 * demo's update key pinned, and the post starts a rollout of a new signed image through the
 * gateway a few seconds in: the dashboard's actions show the boards installing and confirming.
 *
 * The scenario runs with heartbeats on (every device, `heartbeatMs`), a command post
 * enrolled in the roster, and the gateway placed between the wings; its key-epoch
 * revocation events are left out, because here the operator revokes from the page (the
 * domain file is saved sealed under the printed passphrase for that).
 */
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PostLinkPort } from "picket/device/host-bindings";
import type { PostLinkIdentity } from "picket/gateway/post-link";
import { openBundle } from "picket/provisioning/keystore";
import type { DeviceCredentials } from "picket/provisioning/keystore";
import { DomainSimulation } from "picket/hosts/sim/domain-simulation";
import type { Scenario } from "picket/hosts/sim/scenario";
import { defaultScenario } from "picket/hosts/sim/scenarios/default-scenario";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { CommandPost, type PostDevice } from "picket/tools/post/command-post";
import { type Dashboard, startDashboard } from "picket/tools/post/dashboard-server";
import { EventLog } from "picket/tools/post/event-log";
import { loadDomain, saveDomain, writeRevocation } from "picket/tools/provisioning/domain-folder";
import { DEFAULT_SCRYPT_COST } from "picket/tools/provisioning/domain-seal";
import type { Domain } from "picket/tools/provisioning/domain-store";
import type { FirmwareHost } from "picket/update/device-updates";
import { pinUpdateAnchor } from "picket/update/update-anchor";
import { boardSlots } from "picket/hosts/sim/firmware-slot-memory";
import type { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { generateImageKeyPem, loadImageSigningKey } from "picket/tools/image/image-keys";
import { signImage, type ImageVersion } from "picket/tools/image/mcuboot-image";
import { packageRollout, updateKeyPoint, type RolloutPackage } from "picket/tools/update/update-signing";

export const GATEWAY_NAME = "gateway";
/** The demo domain file's passphrase (printed; a real domain has the operator's own). */
export const DEMO_PASSPHRASE = "picket demo passphrase";
/** The demo file is sealed as a real one is: a lower cost needs PICKET_INSECURE_TEST_KDF=1 to open (issue 12, item 11). */
const DEMO_SCRYPT_COST = DEFAULT_SCRYPT_COST;
const PACE_MS = 10;

export interface PostSessionOptions {
	readonly seed?: number;
	/** Virtual milliseconds per wall millisecond (default 1: real time). */
	readonly speed?: number;
	/** Heartbeat period of every device (virtual ms). */
	readonly heartbeatMs?: number;
	readonly lostAfterMissed?: number;
	/** The event log's file (default: a new one in a temporary folder). */
	readonly database?: string;
	/** Where the sealed domain file goes (default: a temporary folder). */
	readonly domainFolder?: string;
	readonly dashboardPort?: number;
	readonly note?: (line: string) => void;
	/** Start a rollout of a new image through the gateway at this virtual time (ms). */
	readonly rolloutAtMs?: number;
	/** Stage the demo's new image at the post for the operator to start from the dashboard (`post serve --hold`). */
	readonly stageRollout?: boolean;
}

/** When `--rollout` starts the demo's rollout (the gateway has authenticated by then). */
export const DEMO_ROLLOUT_AT_MS = 3_000;

/** The demo's update key, factory image (1.0.0, SEC_CNT 1) and rollout (1.1.0, SEC_CNT 2), and every board's slot. */
function demoRollout(): { pkg: RolloutPackage; firmware: (device: string, storage: MemoryStorage, boot: number) => FirmwareHost | undefined } {
	const keyPem = generateImageKeyPem("ecdsa-p256");
	const key = loadImageSigningKey(keyPem);
	const image = (version: ImageVersion, securityCounter: number): Uint8Array => {
		const body = new Uint8Array(48_000).map((_, i) => (i * 31 + version.minor * 7) & 255);
		return signImage(body, { headerSize: 0x20, padHeader: true, version, slotSize: 0x400000, securityCounter, align: 4 }, key);
	};
	const factory = image({ major: 1, minor: 0, revision: 0, build: 0 }, 1);
	const pkg = packageRollout(image({ major: 1, minor: 1, revision: 0, build: 0 }, 2), keyPem, { rollout: 1, pageShift: 12 });
	// Every board pins the update key as provisioning does; the gateway seeds, its own image is not updated here.
	const { firmware } = boardSlots({ factory, slotBytes: 0x100000, firstBoot: (_device, storage) => pinUpdateAnchor(storage, updateKeyPoint(keyPem)), slotless: (device) => device === GATEWAY_NAME });
	return { pkg, firmware };
}

export interface PostSession {
	readonly simulation: DomainSimulation;
	readonly post: CommandPost;
	readonly dashboard: Dashboard;
	readonly database: string;
	readonly domainFolder: string;
	/** Runs the simulation paced to the wall clock until virtual time `until`. */
	runUntil(until: number): Promise<void>;
	stop(): Promise<void>;
}

/** The default scenario with a gateway between the wings and without the scripted revocation. */
export function postScenario(base: Scenario = defaultScenario): Scenario {
	return {
		...base,
		name: `${base.name}, with a gateway and a command post`,
		devices: [...base.devices, { name: GATEWAY_NAME, role: "gateway", groups: [...base.groups], x: 60, y: -12 }],
		events: base.events.filter((event) => event.type !== "revoke"),
	};
}

function identityOf(credentials: DeviceCredentials): PostLinkIdentity {
	return { crypto: createNodeCryptoSuite(), domainId: credentials.domainId, memberId: credentials.deviceId, staticKeyPair: credentials.staticKeyPair, psk: credentials.handshakePsk, roster: credentials.roster };
}

function postIdentity(domain: Domain, postId: number): PostLinkIdentity {
	return identityOf(openBundle(domain.bundle(postId), domain.crypto));
}

/**
 * The gateway's cable: HostBindings.postLink over a TCP socket. The gateway boots (and
 * writes its handshake) before the socket exists, so writes wait for `attach`.
 */
class SocketPort implements PostLinkPort {
	#socket: Socket | undefined;
	#waiting: Uint8Array[] = [];
	#receiver: ((bytes: Uint8Array) => void) | undefined;

	attach(socket: Socket): void {
		this.#socket = socket;
		socket.on("data", (chunk: Buffer) => this.#receiver?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
		for (const bytes of this.#waiting) socket.write(bytes);
		this.#waiting = [];
	}

	write(bytes: Uint8Array): void {
		if (this.#socket === undefined) this.#waiting.push(bytes);
		else if (!this.#socket.destroyed) this.#socket.write(bytes);
	}

	onReceive(receiver: (bytes: Uint8Array) => void): void {
		this.#receiver = receiver;
	}

	close(): void {
		this.#socket?.destroy();
	}
}

export async function startPostSession(options: PostSessionOptions = {}): Promise<PostSession> {
	const note = options.note ?? (() => {});
	// With a rollout, heartbeats as a fielded board sends them (the 2-second demo pace pauses the rollout around every one: alerts go first).
	const rollout = options.rolloutAtMs !== undefined || options.stageRollout === true;
	const heartbeatMs = options.heartbeatMs ?? (rollout ? 30_000 : 2_000);
	const lostAfterMissed = options.lostAfterMissed ?? 3;
	const scenario = postScenario();
	const wire = new SocketPort();
	const demo = rollout ? demoRollout() : undefined;
	const simulation = new DomainSimulation(scenario, {
		...(demo === undefined ? {} : { firmware: demo.firmware }),
		seed: options.seed ?? 1,
		timeline: false,
		crypto: createNodeCryptoSuite,
		settings: { heartbeatMs, lostAfterMissed },
		enrolPost: true,
		// The gateway runs main.ts like every board; main.ts starts its bridge on this wire.
		postLink: (device) => (device === GATEWAY_NAME ? wire : undefined),
	});
	const postId = simulation.postId!;
	const work = mkdtempSync(join(tmpdir(), "picket-post-"));
	const domainFolder = options.domainFolder ?? join(work, "domain");
	// A fresh demo domain: every member is issued its bundle of epoch 0, once.
	saveDomain(domainFolder, simulation.domain, DEMO_PASSPHRASE, DEMO_SCRYPT_COST, { bundles: new Map(simulation.domain.members().map((member) => [member.id, simulation.domain.issueBundle(member.id)])) });
	const database = options.database ?? join(work, "events.sqlite");

	const devices: PostDevice[] = simulation.domain.members().map((member) => {
		const spec = scenario.devices[member.id - 1];
		return spec === undefined ? { id: member.id, name: "command post", role: member.role, groups: member.groups } : { id: member.id, name: spec.name, role: member.role, groups: member.groups, x: spec.x, y: spec.y };
	});
	const post = new CommandPost({
		log: new EventLog(database),
		identity: postIdentity(simulation.domain, postId),
		devices,
		heartbeatMs: heartbeatMs / (options.speed ?? 1),
		lostAfterMissed,
		note,
		revoke: (device, passphrase) => {
			const domain = loadDomain(domainFolder, passphrase);
			const revocation = domain.revoke(device);
			saveDomain(domainFolder, domain, passphrase, DEMO_SCRYPT_COST);
			writeRevocation(domainFolder, revocation);
			return { revocation, identity: postIdentity(domain, postId) };
		},
	});
	const port = await post.listen();
	const dashboard = await startDashboard(post, options.dashboardPort ?? 0);
	const socket: Socket = await new Promise((resolve, reject) => {
		const s = connect(port, "127.0.0.1", () => resolve(s));
		s.once("error", reject);
	});
	socket.setNoDelay(true);
	wire.attach(socket);
	if (demo !== undefined && options.stageRollout === true) post.stageRollout(demo.pkg.image, demo.pkg.offerBytes);
	if (demo !== undefined && options.rolloutAtMs !== undefined) simulation.clock.scheduleAt(() => post.startRollout(demo.pkg.image, demo.pkg.offerBytes), options.rolloutAtMs);

	const speed = options.speed ?? 1;
	let stopped = false;
	const runUntil = (until: number): Promise<void> =>
		new Promise((resolve) => {
			const wallStart = performance.now();
			const virtualStart = simulation.clock.now();
			const timer = setInterval(() => {
				const target = Math.min(until, virtualStart + (performance.now() - wallStart) * speed);
				simulation.clock.runUntil(target);
				if (target >= until || stopped) {
					clearInterval(timer);
					resolve();
				}
			}, PACE_MS);
		});
	return {
		simulation,
		post,
		dashboard,
		database,
		domainFolder,
		runUntil,
		stop: async () => {
			stopped = true;
			wire.close();
			await dashboard.close();
			await post.close();
			post.log.close();
		},
	};
}

/** What `npm start -- --post` does: start, print the addresses, run the scenario in real time, linger, stop. */
export async function runPostDemo(options: PostSessionOptions & { readonly lingerMs?: number }): Promise<number> {
	// The post's notes carry the domain's simulated time, as the scenario's timeline does.
	let simulatedMs = (): number => 0;
	const session = await startPostSession({ ...options, note: (line) => console.log(`${(simulatedMs() / 1000).toFixed(1).padStart(7)} s  post  ${line}`) });
	simulatedMs = () => session.simulation.clock.now();
	const durationMs = session.simulation.scenario.durationMs ?? 25_000;
	console.log(`Command post dashboard: ${session.dashboard.url}`);
	console.log(`  event log ${session.database}; domain ${session.domainFolder} (passphrase "${DEMO_PASSPHRASE}")`);
	console.log(`  scenario "${session.simulation.scenario.name}": ${durationMs / 1000} s at ${options.speed ?? 1}× real time, then ${(options.lingerMs ?? 0) / 1000} s more (Ctrl-C stops)`);
	const stop = (): void => {
		void session.stop().then(() => process.exit(130));
	};
	process.once("SIGINT", stop);
	await session.runUntil(durationMs + (options.lingerMs ?? 0));
	process.off("SIGINT", stop);
	const log = session.post.log;
	console.log(`Post: ${log.count("alerts")} alerts, ${log.count("receipts")} receipts, ${log.count("actions")} operator actions, ${log.count("events")} events stored (${log.path})`);
	const rollout = session.post.rollout;
	// Every board but the gateway, whose installer hears nothing while it seeds (README, Firmware updates).
	const boards = session.simulation.scenario.devices.filter((device) => device.role !== "gateway").length;
	if (rollout !== undefined) console.log(`Rollout ${rollout.rollout} through the gateway: ${rollout.installed} of ${boards} boards reported installed, ${rollout.confirmed} confirmed; ${rollout.chunksServed} chunks served to the gateway`);
	await session.stop();
	return 0;
}
