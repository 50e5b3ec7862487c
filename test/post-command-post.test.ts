/**
 * The command post (tools/post) driven by test gateways: what it stores, what it refuses
 * and logs without storing, operator actions, and durability across `kill -9`.
 */
import test from "ava";
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PostLinkType } from "picket/gateway/post-link";
import { encodeWireFrame } from "picket/gateway/wire-frame";
import { CommandPost } from "picket/tools/post/command-post";
import { EventLog, SCHEMA_VERSION } from "picket/tools/post/event-log";
import { TestGateway, alertMessage, createPostFixture } from "picket/test/support/post-fixture";

function tempDatabase(): string {
	return join(mkdtempSync(join(tmpdir(), "picket-post-test-")), "events.sqlite");
}

function startPost(fixture = createPostFixture(), database = tempDatabase()) {
	const log = new EventLog(database);
	const post = new CommandPost({ log, identity: fixture.identity(fixture.postId), devices: fixture.devices, heartbeatMs: 0, lostAfterMissed: 3 });
	return { fixture, post, log, database };
}

/** A gateway attached to the post through an in-process pipe. */
function attachGateway(post: CommandPost, gateway: TestGateway) {
	let closed = false;
	const feed = post.attach({ write: (bytes) => gateway.receive(bytes), close: () => (closed = true) });
	return { send: (bytes: Uint8Array) => feed.receive(bytes), get closed() { return closed; } };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("a roster gateway's alerts are stored once (duplicates from a second gateway too), then acknowledged as stored", async (t) => {
	const fixture = createPostFixture(2);
	const { post, log } = startPost(fixture);
	const [a, b] = fixture.gatewayIds.map((id) => new TestGateway(fixture.identity(id), fixture.postId));
	const pipeA = attachGateway(post, a);
	const pipeB = attachGateway(post, b);
	pipeA.send(a.hello());
	pipeB.send(b.hello());
	t.true(a.connected && b.connected);
	pipeA.send(a.seal({ kind: "hello", epoch: 0 }));
	pipeA.send(a.seal(alertMessage(fixture.sensorId, 1)));
	pipeB.send(b.seal(alertMessage(fixture.sensorId, 1)));
	pipeA.send(a.seal(alertMessage(fixture.sensorId, 2)));
	await settle();
	t.is(log.count("alerts"), 2);
	t.is(a.stored, 3);
	t.is(b.stored, 1);
	t.is(log.alerts()[1].gateway, fixture.gatewayIds[0]);
	await post.close();
	log.close();
});

test("a gateway not in the roster, or a sensor posing as one, is refused, logged and disconnected; nothing it sends is stored", async (t) => {
	const fixture = createPostFixture();
	const { post, log } = startPost(fixture);
	const outsider = createPostFixture(); // another domain: its gateway's key and PSK are not ours
	const strangers = [new TestGateway(outsider.identity(outsider.gatewayIds[0]), outsider.postId)];
	for (const stranger of strangers) {
		const pipe = attachGateway(post, stranger);
		pipe.send(stranger.hello());
		t.false(stranger.connected);
		t.true(pipe.closed);
	}
	// A roster sensor that holds the PSK tries to be a gateway: refused on its role before any key work.
	const sensor = new TestGateway(fixture.identity(fixture.sensorId), fixture.postId);
	const sensorPipe = attachGateway(post, sensor);
	sensorPipe.send(sensor.hello());
	t.false(sensor.connected);
	// A transport frame without a handshake is refused too.
	const lone = attachGateway(post, new TestGateway(fixture.identity(fixture.gatewayIds[0]), fixture.postId));
	lone.send(encodeWireFrame(PostLinkType.Transport, new Uint8Array(40)));
	await settle();
	t.is(log.count("alerts"), 0);
	const refusals = log.events("link-refused").map((event) => event.detail ?? "");
	t.true(refusals.some((detail) => detail.startsWith("bad-tag") || detail.startsWith("unknown-gateway")), refusals.join("\n"));
	t.true(refusals.some((detail) => detail.startsWith("unknown-gateway")), refusals.join("\n"));
	t.true(refusals.some((detail) => detail.startsWith("unexpected-message")), refusals.join("\n"));
	await post.close();
	log.close();
});

test("replayed, altered and garbled frames are refused and logged; nothing from them is stored; the genuine stream goes on", async (t) => {
	const fixture = createPostFixture();
	const { post, log } = startPost(fixture);
	const gateway = new TestGateway(fixture.identity(fixture.gatewayIds[0]), fixture.postId);
	const pipe = attachGateway(post, gateway);
	pipe.send(gateway.hello());
	const first = gateway.seal(alertMessage(fixture.sensorId, 10));
	pipe.send(first);
	pipe.send(first); // replayed
	const altered = gateway.seal(alertMessage(fixture.sensorId, 11));
	const tampered = Uint8Array.from(altered);
	tampered[12] ^= 4; // a body byte, CRC recomputed below so only the AEAD can tell
	const reframed = encodeWireFrame(PostLinkType.Transport, tampered.subarray(5, tampered.length - 4));
	pipe.send(reframed);
	pipe.send(Uint8Array.of(1, 2, 3, 0xb5, 0x62, 3, 0, 1)); // garbage on the line
	pipe.send(altered); // the genuine frame still passes
	await settle();
	t.deepEqual(log.alerts().map((alert) => alert.sequence).sort(), [10, 11]);
	const refusals = log.events("link-refused").map((event) => event.detail ?? "");
	t.true(refusals.some((detail) => detail.startsWith("replayed")), refusals.join("\n"));
	t.true(refusals.some((detail) => detail.startsWith("bad-tag")), refusals.join("\n"));
	t.true(refusals.some((detail) => detail.startsWith("skipped-garbage")), refusals.join("\n"));
	t.false(pipe.closed);
	await post.close();
	log.close();
});

test("silence goes to the devices that acted and the origin, and is confirmed when a device's heartbeat says it was silenced", async (t) => {
	const fixture = createPostFixture();
	const { post, log } = startPost(fixture);
	const gateway = new TestGateway(fixture.identity(fixture.gatewayIds[0]), fixture.postId);
	const pipe = attachGateway(post, gateway);
	pipe.send(gateway.hello());
	pipe.send(gateway.seal(alertMessage(fixture.sensorId, 1, 77)));
	pipe.send(gateway.seal({ kind: "heartbeat", source: fixture.responderId, flags: 7, origin: fixture.sensorId, incident: 77 }));
	await settle();
	const alertId = log.alerts()[0].id;
	const action = post.silence(alertId);
	const command = gateway.received.find((message) => message.kind === "command");
	t.deepEqual(command, { kind: "command", action, command: "silence", origin: fixture.sensorId, incident: 77, peers: [fixture.responderId, fixture.sensorId] });
	t.is(log.action(action)?.state, "sent");
	pipe.send(gateway.seal({ kind: "outcome", action, peer: fixture.responderId, outcome: "handed" }));
	pipe.send(gateway.seal({ kind: "heartbeat", source: fixture.responderId, flags: 15, origin: fixture.sensorId, incident: 77 }));
	await settle();
	t.is(log.action(action)?.state, "confirmed");
	t.deepEqual(log.outcomes(action).map((outcome) => outcome.outcome), ["handed", "confirmed"]);
	t.throws(() => post.silence(9999), { instanceOf: RangeError });
	await post.close();
	log.close();
});

test("the event log's schema is migrated once and a newer schema is refused", (t) => {
	const database = tempDatabase();
	const log = new EventLog(database);
	t.is(log.schemaVersion, SCHEMA_VERSION);
	log.close();
	const again = new EventLog(database);
	t.is(again.schemaVersion, SCHEMA_VERSION);
	again.close();
	// A database from a newer post is refused, not downgraded.
	const sqlite = new Database(database);
	sqlite.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
	sqlite.close();
	t.throws(() => new EventLog(database), { message: /newer-schema/ });
});

test("kill -9 mid-write: every report the post acknowledged as stored is in the log after a restart", async (t) => {
	const database = tempDatabase();
	const writer = fileURLToPath(new URL("./support/post-writer.js", import.meta.url));
	const child = spawn(process.execPath, [writer, database], { stdio: ["ignore", "pipe", "inherit"] });
	let acknowledged = 0;
	let buffer = "";
	await new Promise<void>((resolve) => {
		child.stdout.on("data", (chunk: Buffer) => {
			buffer += chunk.toString();
			const lines = buffer.split("\n");
			buffer = lines.pop() ?? "";
			for (const line of lines) {
				const match = /^stored (\d+)$/.exec(line);
				if (match !== null) acknowledged = Number(match[1]);
			}
			if (acknowledged >= 3000 && child.exitCode === null && !child.killed) {
				child.kill("SIGKILL");
				resolve();
			}
		});
	});
	await new Promise((resolve) => child.once("exit", resolve));
	t.is(child.signalCode, "SIGKILL");
	const log = new EventLog(database);
	const stored = log.count("alerts");
	t.true(stored >= acknowledged, `${stored} alerts in the log, ${acknowledged} acknowledged before the kill`);
	// Every acknowledged sequence is there, without a gap.
	const sequences = new Set(log.alerts(1_000_000).map((alert) => alert.sequence));
	let missing = 0;
	for (let sequence = 1; sequence <= acknowledged; sequence++) if (!sequences.has(sequence)) missing++;
	t.is(missing, 0);
	log.close();
});

test("revoke: a new epoch, every remaining member's sealed delivery out through the gateway (its own last), the device marked revoked", async (t) => {
	const fixture = createPostFixture();
	const log = new EventLog(tempDatabase());
	const gatewayId = fixture.gatewayIds[0];
	const post = new CommandPost({
		log,
		identity: fixture.identity(fixture.postId),
		devices: fixture.devices,
		heartbeatMs: 0,
		lostAfterMissed: 3,
		revoke: (device, passphrase) => {
			if (passphrase !== "right") throw new RangeError("wrong passphrase");
			const revocation = fixture.domain.revoke(device);
			return { revocation, identity: fixture.identity(fixture.postId) };
		},
	});
	const gateway = new TestGateway(fixture.identity(gatewayId), fixture.postId);
	const pipe = attachGateway(post, gateway);
	pipe.send(gateway.hello());
	t.throws(() => post.revoke(fixture.sensorId, "wrong"), { message: /wrong passphrase/ });
	t.is(log.actions().length, 0, "nothing logged as done when the domain file did not open");
	const action = post.revoke(fixture.sensorId, "right");
	const deliveries = gateway.received.filter((message) => message.kind === "delivery");
	t.deepEqual(deliveries.map((message) => (message.kind === "delivery" ? message.peer : 0)), [fixture.responderId, gatewayId]);
	t.true(deliveries.every((message) => message.kind === "delivery" && message.action === action && message.delivery.length > 100));
	t.is(post.epoch, 1);
	t.is(log.epoch(), 1);
	t.is(log.devices().find((device) => device.id === fixture.sensorId)?.revoked_epoch, 1);
	pipe.send(gateway.seal({ kind: "outcome", action, peer: gatewayId, outcome: "installed" }));
	await settle();
	t.is(log.action(action)?.state, "installed-on-gateway");
	await post.close();
	log.close();
});
