/**
 * bench/ota: a rollout over the simulated radio (hosts/sim/rollout-simulation.ts) at the design
 * budget: a 1.2 MB signed image to 100 boards over 3 hops at 10% loss, ≤ 10 min simulated,
 * with the attacker injecting tampered, truncated, replayed, older and forged images and a
 * power cut of 10 boards (both relays included) in the middle. Prints the simulated time, the
 * airtime, the frames per board, and what every board ends up running.
 *
 * Then the same rollout seeded as the command post drives it (issue 15): the seeder is a
 * gateway holding a window of 32 chunks and fetching them from the post over its serial wire,
 * at the ESP32 gateway's 115,200 baud (hosts/esp32/gateway) and at 921,600 (a USB-serial
 * bridge's usual top rate); prints the same lines plus what crossed the wire.
 * `node build/bench/ota.js [--boards N] [--bytes N] [--seed N] [--baud N,N]` or `npm run bench -- ota`.
 */
import { rolloutScenario } from "picket/test/support/update-fixture";

function argument(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const boards = argument("boards", 100);
const imageLength = argument("bytes", 1_228_800);
const seed = argument("seed", 1);
const seconds = (ms: number | undefined) => (ms === undefined ? "not reached" : `${(ms / 1000).toFixed(1)} s`);
const format = (value: number) => Math.round(value).toLocaleString("en-US");
const bauds = (process.argv.includes("--baud") ? process.argv[process.argv.indexOf("--baud") + 1] : "115200,921600").split(",").map(Number);

for (const baud of [undefined, ...bauds]) {
	const simulation = rolloutScenario({ boards, imageLength, seed, attack: true, powerCut: { atMs: 60_000, forMs: 5_000, boards: 10 }, ...(baud === undefined ? {} : { gatewayWire: { baud } }) });
	const started = performance.now();
	const report = simulation.run();
	const hostSeconds = (performance.now() - started) / 1000;
	const name = baud === undefined ? "ota" : `ota via gateway at ${format(baud)} baud`;
	if (baud !== undefined) console.log("");
	console.log(`${name}: ${format(report.imageLength)}-byte image (${format(report.chunks)} chunks) to ${report.boards} boards, 3 hops, 10% loss, seed ${seed}`);
	console.log(`${name}: every board installed (checked, marked bootable) at ${seconds(report.allInstalledMs)}; every board confirmed after its trial boot at ${seconds(report.allConfirmedMs)} simulated (budget 600 s)`);
	console.log(`${name}: boards on the new image ${report.onNew}, on the old ${report.onOld}, on anything else ${report.onOther}`);
	if (report.wire !== undefined) {
		const { wire } = report;
		console.log(`${name}: the gateway held at most ${wire.mostHeld} chunks (window ${wire.window}); wire ${format(wire.bytesToGateway)} bytes to the gateway, ${format(wire.bytesToPost)} to the post in ${format(wire.requests)} requests`);
	}
	console.log(`${name}: airtime ${seconds(report.airtimeMs)} summed over all transmitters; ${format(report.transmissions)} transmissions, ${(report.transmissions / report.boards).toFixed(1)} per board`);
	console.log(`${name}: frames sent: seeder ${format(report.seeder.chunks)} chunks + ${report.seeder.offers} offers; ${report.relays.map((relay) => `relay ${relay.id} ${format(relay.chunks)} chunks + ${relay.status} status`).join("; ")}; other boards ${report.boardFrames.mean.toFixed(1)} status reports each (max ${report.boardFrames.max})`);
	console.log(`${name}: attacker ${report.attackerFrames} frames; power cuts ${report.powerCuts}; refusals: ${Object.entries(report.outcomes).filter(([what]) => !/verified|installed/.test(what)).map(([what, count]) => `${what} ${count}`).join(", ")}`);
	console.log(`${name}: medium losses: ${Object.entries(report.losses).map(([why, count]) => `${why} ${format(count)}`).join(", ")}`);
	console.log(`${name}: host time ${hostSeconds.toFixed(1)} s`);
}
