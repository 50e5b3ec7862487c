/**
 * A rollout driven by the command post (issue 15): the post holds the signed image and hands
 * the offer to the gateway over the post link; the gateway (main.ts, role gateway) seeds it on
 * the air, fetching chunks from the post on demand within its bounded window; boards two and
 * three hops away (through relays) install, reboot on trial and confirm; the gateway reports
 * what it hears of their progress and the post stores and shows it.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PostLinkPort } from "picket/device/host-bindings";
import { WINDOW_CHUNKS } from "picket/gateway/gateway-rollout";
import { DomainSimulation } from "picket/hosts/sim/domain-simulation";
import { boardSlots } from "picket/hosts/sim/firmware-slot-memory";
import type { Scenario } from "picket/hosts/sim/scenario";
import { openBundle } from "picket/provisioning/keystore";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { CommandPost } from "picket/tools/post/command-post";
import { EventLog } from "picket/tools/post/event-log";
import { pinUpdateAnchor } from "picket/update/update-anchor";
import { anchor, otherKeyPem, rollout, signedImage } from "picket/test/support/update-fixture";

const factory = signedImage({ major: 1, minor: 0, revision: 0, build: 0 }, 1, 24_000);
const newer = signedImage({ major: 1, minor: 1, revision: 0, build: 0 }, 2, 24_000);
const BOARDS = ["relay-1", "relay-2", "sensor-a", "sensor-b", "sensor-c"];

/** Gateway at x 0; relay-1 hears it; sensor-a/b and relay-2 only relay-1 (2 hops); sensor-c only relay-2 (3 hops). Range 100 m. */
const scenario: Scenario = {
	name: "rollout from the command post",
	durationMs: 400_000,
	groups: ["site"],
	medium: { rangeM: 100, lossProbability: 0.05 },
	devices: [
		{ name: "gateway", role: "gateway", groups: ["site"], x: 0, y: 0 },
		{ name: "relay-1", role: "relay", groups: [], x: 80, y: 0 },
		{ name: "sensor-a", role: "sensor", groups: ["site"], x: 150, y: 20 },
		{ name: "sensor-b", role: "sensor", groups: ["site"], x: 150, y: -20 },
		{ name: "relay-2", role: "relay", groups: [], x: 165, y: 0 },
		{ name: "sensor-c", role: "responder", groups: ["site"], x: 245, y: 0 },
	],
	events: [],
};

/** The gateway's cable to the post: bytes cross in a later turn of Node's loop, as over a socket. */
class LoopbackCable implements PostLinkPort {
	#receiver: ((bytes: Uint8Array) => void) | undefined;
	toPost: ((bytes: Uint8Array) => void) | undefined;
	bytesToGateway = 0;

	write(bytes: Uint8Array): void {
		const copy = bytes.slice();
		setImmediate(() => this.toPost?.(copy));
	}

	onReceive(receiver: (bytes: Uint8Array) => void): void {
		this.#receiver = receiver;
	}

	fromPost(bytes: Uint8Array): void {
		this.bytesToGateway += bytes.length;
		const copy = bytes.slice();
		setImmediate(() => this.#receiver?.(copy));
	}
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function startDomain(options: { gatewayAnchor?: boolean } = {}) {
	// The gateway seeds and has no slot of its own here; it pins the update key unless told not to.
	const { slots, firmware } = boardSlots({ factory, slotBytes: 0x200000, firstBoot: (device, storage) => (device !== "gateway" || options.gatewayAnchor !== false) && pinUpdateAnchor(storage, anchor), slotless: (device) => device === "gateway" });
	const cable = new LoopbackCable();
	const simulation = new DomainSimulation(scenario, { seed: 3, timeline: false, firmware, enrolPost: true, postLink: (device) => (device === "gateway" ? cable : undefined), crypto: createNodeCryptoSuite });
	const postId = simulation.postId!;
	const credentials = openBundle(simulation.domain.bundle(postId), simulation.domain.crypto);
	const log = new EventLog(join(mkdtempSync(join(tmpdir(), "picket-rollout-")), "events.sqlite"));
	const devices = simulation.domain.members().map((member) => ({ id: member.id, name: scenario.devices[member.id - 1]?.name ?? "post", role: member.role, groups: member.groups }));
	const post = new CommandPost({
		log,
		identity: { crypto: createNodeCryptoSuite(), domainId: credentials.domainId, memberId: postId, staticKeyPair: credentials.staticKeyPair, psk: credentials.handshakePsk, roster: credentials.roster },
		devices,
		heartbeatMs: 0,
		lostAfterMissed: 3,
		clock: () => simulation.clock.now(),
	});
	const feed = post.attach({ write: (bytes) => cable.fromPost(bytes), close: () => {} });
	cable.toPost = (bytes) => feed.receive(bytes);
	/** Runs the virtual clock in 50 ms steps, letting the post and the cable work between them; stops early when `done`. */
	const runUntil = async (until: number, done: () => boolean = () => false): Promise<void> => {
		while (simulation.clock.now() < until && !done()) {
			simulation.clock.runUntil(simulation.clock.now() + 50);
			await settle();
			await settle();
		}
		post.flush();
	};
	const stop = async (): Promise<void> => {
		cable.toPost = undefined;
		await settle();
		await post.close();
		log.close();
	};
	return { simulation, slots, post, log, cable, runUntil, stop };
}

test("post → gateway → 2 and 3 hops of boards: installed and confirmed, progress stored and shown at the post, the gateway holding a bounded window", async (t) => {
	const { simulation, slots, post, log, cable, runUntil, stop } = await startDomain();
	await runUntil(2_000); // the gateway authenticates to the post
	const pkg = rollout(newer, 41);
	const action = post.startRollout(pkg.image, pkg.offerBytes);
	let mostHeld = 0;
	const everyoneConfirmed = () => post.rollout?.confirmed === BOARDS.length;
	const gateway = () => simulation.deviceByName("gateway").running!;
	await runUntil(300_000, () => {
		mostHeld = Math.max(mostHeld, gateway().seeding?.window?.held ?? 0);
		return everyoneConfirmed();
	});
	for (const name of BOARDS) {
		const slot = slots.get(name)!;
		t.deepEqual(slot.runningImage.subarray(0, newer.length), newer, `${name} runs the new image`);
		t.false(slot.bootState().trial, `${name} confirmed it`);
	}
	// The post saw it: every board installed and confirmed, stored durably, on the action's line.
	const ids = BOARDS.map((name) => simulation.deviceByName(name).memberId).sort((a, b) => a - b);
	t.deepEqual([...new Set(log.rolloutProgress(41).filter((row) => row.state === "confirmed").map((row) => row.device))].sort((a, b) => a - b), ids);
	// A board's "installed" report may be lost (its relay rebooting into the new image); its "confirmed" one implies it.
	t.is(post.rollout?.installed, BOARDS.length);
	const row = log.action(action)!;
	t.is(row.kind, "rollout");
	t.is(row.state, "seeding");
	t.regex(row.detail ?? "", /5 installed, 5 confirmed/);
	// The gateway never held more than its window, and the image crossed the cable (at least once).
	t.true(mostHeld > 0 && mostHeld <= WINDOW_CHUNKS, `held at most ${mostHeld}`);
	t.true(cable.bytesToGateway >= newer.length, `${cable.bytesToGateway} bytes to the gateway`);
	t.true((post.rollout?.chunksServed ?? 0) > 0);
	await stop();
});

test("a chunk the post serves wrong (its copy of the image corrupted) is refused by every board, page by page; nothing bad is installed, and the genuine bytes finish the rollout", async (t) => {
	const { slots, post, log, runUntil, stop } = await startDomain();
	await runUntil(2_000);
	const pkg = rollout(newer, 42);
	const image = pkg.image.slice();
	post.startRollout(image, pkg.offerBytes); // checked against the offer here
	const original = image[10_000];
	image[10_000] ^= 0x40; // then the post's copy goes bad (its memory, its disk): the post link carries it authenticated
	await runUntil(60_000);
	for (const name of BOARDS) {
		const slot = slots.get(name)!;
		t.deepEqual(slot.runningImage.subarray(0, factory.length), factory, `${name} still runs the old image`);
		t.false(slot.bootState().trial);
	}
	t.is(log.rolloutProgress(42).length, 0, "no board reported installing anything");
	image[10_000] = original;
	await runUntil(400_000, () => post.rollout?.confirmed === BOARDS.length);
	for (const name of BOARDS) t.deepEqual(slots.get(name)!.runningImage.subarray(0, newer.length), newer, `${name} ends on the new image`);
	await stop();
});

test("an offer the gateway cannot check is refused there and reported to the post: not signed by the pinned key, or no key pinned on the gateway", async (t) => {
	for (const [gatewayAnchor, pkg] of [
		[true, rollout(newer, 43, { keyPem: otherKeyPem })],
		[false, rollout(newer, 44)],
	] as const) {
		const { post, log, runUntil, slots, stop } = await startDomain({ gatewayAnchor });
		await runUntil(2_000);
		const action = post.startRollout(pkg.image, pkg.offerBytes);
		await runUntil(20_000);
		t.is(log.action(action)?.state, "refused");
		t.is(post.rollout?.chunksServed, 0, "no chunk was asked for");
		for (const slot of slots.values()) t.false(slot.bootState().trial);
		await stop();
	}
});

test("the post refuses to start a rollout whose offer does not describe the image", async (t) => {
	const { post, stop } = await startDomain();
	const pkg = rollout(newer, 45);
	const other = rollout(signedImage({ major: 1, minor: 2, revision: 0, build: 0 }, 3, 24_000), 45);
	t.throws(() => post.startRollout(other.image, pkg.offerBytes), { message: /rollout-mismatch|SHA-256|bytes/ });
	t.is(post.rollout, undefined);
	await stop();
});

test("picket post log lists each rollout's progress; post serve wants --rollout and --offer together", async (t) => {
	const work = mkdtempSync(join(tmpdir(), "picket-rollout-cli-"));
	const database = join(work, "events.sqlite");
	const log = new EventLog(database);
	log.commit([
		{ kind: "progress", rollout: 7, device: 3, state: "installed", gateway: 1, at: 10 },
		{ kind: "progress", rollout: 7, device: 3, state: "installed", gateway: 1, at: 11 },
		{ kind: "progress", rollout: 7, device: 3, state: "confirmed", gateway: 1, at: 20 },
		{ kind: "progress", rollout: 7, device: 4, state: "installed", gateway: 1, at: 21 },
	]);
	log.close();
	const cli = fileURLToPath(new URL("../tools/picket.js", import.meta.url));
	const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: "utf8", env: { PATH: process.env.PATH } });
	const printed = run(["post", "log", database]);
	t.is(printed.status, 0, printed.stderr);
	t.regex(printed.stdout, /rollout 7: 2 reported installed \(3, 4\), 1 confirmed \(3\)/);
	const alone = run(["post", "serve", "-d", work, "--rollout", "app.signed.bin"]);
	t.not(alone.status, 0);
	t.regex(alone.stderr, /bad-usage: --rollout and --offer go together/);
	const holdAlone = run(["post", "serve", "-d", work, "--hold"]);
	t.not(holdAlone.status, 0);
	t.regex(holdAlone.stderr, /bad-usage: --hold stages the image of --rollout/);
});

test("a staged image starts only when the operator says so, stops, and starts again; with nothing staged or seeded start and stop are refused", async (t) => {
	const { post, stop } = await startDomain();
	t.throws(() => post.startRollout(), { message: /no-rollout/ });
	t.throws(() => post.stopRollout(), { message: /no-rollout/ });
	const pkg = rollout(newer, 46);
	const other = rollout(signedImage({ major: 1, minor: 2, revision: 0, build: 0 }, 3, 24_000), 46);
	t.throws(() => post.stageRollout(other.image, pkg.offerBytes), { message: /rollout-mismatch/ });
	t.is(post.rollouts.staged, undefined, "a mismatched image is not staged");
	post.stageRollout(pkg.image, pkg.offerBytes);
	t.deepEqual(post.rollouts.staged, { rollout: 46, version: "1.1.0+0", securityCounter: 2, bytes: pkg.image.length });
	t.is(post.rollouts.running, undefined, "staged, not started");
	t.false(post.log.actions().some((row) => row.kind === "rollout"));
	const first = post.startRollout();
	t.is(post.rollouts.running?.action, first);
	t.is(post.stopRollout(), first);
	t.is(post.log.action(first)?.state, "stopped");
	t.is(post.rollouts.running, undefined);
	const second = post.startRollout();
	t.not(second, first, "a new action each start");
	t.is(post.rollouts.running?.rollout, 46);
	await stop();
});
