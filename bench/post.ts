/**
 * bench/post: the command post's budget (DESIGN.md: ≥ 5,000 events/s stored durably on one
 * core). Run with `node build/bench/post.js` or `npm run bench -- post`.
 *
 * 1. Durable events per second from 10 gateways: ten test gateways (test/support/post-fixture)
 *    authenticate over TCP on loopback to a real CommandPost, then each sends 10,000 sealed
 *    alert reports (sealed beforehand, so the clock measures the post: unframing, AEAD,
 *    decoding, SQLite in WAL mode with synchronous FULL, group commit, the "stored" reply).
 *    Timed from the first byte until every gateway was told all its reports are stored.
 *    CPU time of the process is printed beside it: one thread does the post's work.
 * 2. Database size per 100,000 events, after a WAL checkpoint.
 * 3. Alert-to-screen latency in the simulator: `npm start -- --post`'s session in real time;
 *    from the moment a device's alert frame goes on the simulated air until the alert
 *    arrives on the dashboard's event stream read by an HTTP client (the page's EventSource
 *    reads the same stream). Radio hops, the gateway, TCP, the durable commit and SSE.
 */
import { mkdtempSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { decodeAlertFrame } from "picket/link/alert-frame";
import { startPostSession } from "picket/hosts/sim/post-session";
import { CommandPost } from "picket/tools/post/command-post";
import { EventLog } from "picket/tools/post/event-log";
import { TestGateway, alertMessage, createPostFixture } from "picket/test/support/post-fixture";

const GATEWAYS = 10;
const PER_GATEWAY = 10_000;

async function throughput(): Promise<void> {
	const fixture = createPostFixture(GATEWAYS);
	const folder = mkdtempSync(join(tmpdir(), "picket-bench-post-"));
	const database = join(folder, "events.sqlite");
	const log = new EventLog(database);
	const post = new CommandPost({ log, identity: fixture.identity(fixture.postId), devices: fixture.devices, heartbeatMs: 0, lostAfterMissed: 3 });
	const port = await post.listen();
	const gateways = fixture.gatewayIds.map((id) => new TestGateway(fixture.identity(id), fixture.postId));
	const sockets: Socket[] = [];
	for (const gateway of gateways) {
		const socket: Socket = await new Promise((resolve) => {
			const s = connect(port, "127.0.0.1", () => resolve(s));
		});
		socket.setNoDelay(true);
		socket.on("data", (chunk: Buffer) => gateway.receive(new Uint8Array(chunk)));
		socket.write(gateway.hello());
		sockets.push(socket);
	}
	while (!gateways.every((gateway) => gateway.connected)) await new Promise((resolve) => setTimeout(resolve, 5));
	// Sealed beforehand: the measurement is the post's work, not the gateways'.
	const streams = gateways.map((gateway, g) => {
		const frames: Uint8Array[] = [];
		for (let sequence = 1; sequence <= PER_GATEWAY; sequence++) frames.push(gateway.seal(alertMessage(100 + g, sequence, sequence >>> 4)));
		return Buffer.concat(frames);
	});
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	sockets.forEach((socket, g) => socket.write(streams[g]));
	await new Promise<void>((resolve) => {
		const check = setInterval(() => {
			if (gateways.every((gateway) => gateway.stored >= PER_GATEWAY)) {
				clearInterval(check);
				resolve();
			}
		}, 1);
	});
	const seconds = (performance.now() - started) / 1000;
	const cpu = process.cpuUsage(cpuBefore);
	const events = GATEWAYS * PER_GATEWAY;
	const stored = log.count("alerts");
	for (const socket of sockets) socket.destroy();
	await post.close();
	log.close();
	console.log(`events stored durably (WAL, synchronous FULL), ${GATEWAYS} gateways × ${PER_GATEWAY} over TCP: ${Math.round(events / seconds).toLocaleString("en")} events/s (${events.toLocaleString("en")} in ${seconds.toFixed(2)} s; ${stored.toLocaleString("en")} rows; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s = ${((cpu.user + cpu.system) / 1e4 / seconds).toFixed(0)}% of one core; budget ≥ 5,000/s)`);

	const checkpoint = new Database(database);
	checkpoint.pragma("wal_checkpoint(TRUNCATE)");
	checkpoint.close();
	const bytes = statSync(database).size;
	console.log(`database size: ${(bytes / (1024 * 1024)).toFixed(1)} MiB for ${stored.toLocaleString("en")} alerts = ${((bytes * 100_000) / stored / (1024 * 1024)).toFixed(1)} MiB per 100,000 events (${Math.round(bytes / stored)} B per alert row with its unique index)`);
}

async function alertToScreen(): Promise<void> {
	const sealedAt = new Map<string, number>();
	const session = await startPostSession({ heartbeatMs: 2_000 });
	const { simulation } = session;
	const latencies: number[] = [];
	// The "screen": the dashboard's live stream, read as the page reads it.
	const base = session.dashboard.url.replace(/\/#token=.*$/, "");
	const response = await fetch(`${base}/api/events?token=${session.dashboard.token}`);
	const reader = response.body!.getReader();
	let buffer = "";
	const reading = (async () => {
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return;
			buffer += new TextDecoder().decode(value);
			const parts = buffer.split("\n\n");
			buffer = parts.pop() ?? "";
			for (const part of parts) {
				if (!part.startsWith("data: ")) continue;
				const event = JSON.parse(part.slice(6)) as { type: string; source?: number; sequence?: number };
				if (event.type !== "alert") continue;
				const sealed = sealedAt.get(`${event.source}/${event.sequence}`);
				if (sealed !== undefined) latencies.push(performance.now() - sealed);
			}
		}
	})();
	// Every device's alert-sealed event, at wall time (the simulation is paced to the wall clock).
	simulation.medium.observe((event) => {
		if (event.type !== "transmit") return;
		const decoded = decodeAlertFrame(event.payload);
		if (!decoded.ok) return;
		const key = `${decoded.frame.source}/${decoded.frame.sequence}`;
		if (!sealedAt.has(key)) sealedAt.set(key, performance.now());
	});
	await session.runUntil(20_000);
	await reader.cancel().catch(() => {});
	await reading.catch(() => {});
	const alertsOnly = latencies.length;
	await session.stop();
	latencies.sort((a, b) => a - b);
	const at = (q: number): string => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
	console.log(`alert-to-screen latency in the simulator (real time, ${alertsOnly} alert frames the gateway reported, first copy on air → radio hops → gateway → TCP → durable commit → SSE): median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
}

await throughput();
await alertToScreen();
