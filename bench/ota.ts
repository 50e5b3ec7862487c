/**
 * bench/ota: a rollout over the simulated radio (hosts/sim/rollout-simulation.ts) at the design
 * budget: a 1.2 MB signed image to 100 boards over 3 hops at 10% loss, ≤ 10 min simulated,
 * with the attacker injecting tampered, truncated, replayed, older and forged images and a
 * power cut of 10 boards (both relays included) in the middle. Prints the simulated time, the
 * airtime, the frames per board, and what every board ends up running.
 * `node build/bench/ota.js [--boards N] [--bytes N] [--seed N]` or `npm run bench -- ota`.
 */
import { rolloutScenario } from "picket/test/support/update-fixture";

function argument(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const boards = argument("boards", 100);
const imageLength = argument("bytes", 1_228_800);
const seed = argument("seed", 1);
const simulation = rolloutScenario({ boards, imageLength, seed, attack: true, powerCut: { atMs: 60_000, forMs: 5_000, boards: 10 } });
const started = performance.now();
const report = simulation.run();
const hostSeconds = (performance.now() - started) / 1000;

const seconds = (ms: number | undefined) => (ms === undefined ? "not reached" : `${(ms / 1000).toFixed(1)} s`);
const format = (value: number) => Math.round(value).toLocaleString("en-US");
console.log(`ota: ${format(report.imageLength)}-byte image (${format(report.chunks)} chunks) to ${report.boards} boards, 3 hops, 10% loss, seed ${seed}`);
console.log(`ota: every board installed (checked, marked bootable) at ${seconds(report.allInstalledMs)}; every board confirmed after its trial boot at ${seconds(report.allConfirmedMs)} simulated (budget 600 s)`);
console.log(`ota: boards on the new image ${report.onNew}, on the old ${report.onOld}, on anything else ${report.onOther}`);
console.log(`ota: airtime ${seconds(report.airtimeMs)} summed over all transmitters; ${format(report.transmissions)} transmissions, ${(report.transmissions / report.boards).toFixed(1)} per board`);
console.log(`ota: frames sent: seeder ${format(report.seeder.chunks)} chunks + ${report.seeder.offers} offers; ${report.relays.map((relay) => `relay ${relay.id} ${format(relay.chunks)} chunks + ${relay.status} status`).join("; ")}; other boards ${report.boardFrames.mean.toFixed(1)} status reports each (max ${report.boardFrames.max})`);
console.log(`ota: attacker ${report.attackerFrames} frames; power cuts ${report.powerCuts}; refusals: ${Object.entries(report.outcomes).filter(([what]) => !/verified|installed/.test(what)).map(([what, count]) => `${what} ${count}`).join(", ")}`);
console.log(`ota: medium losses: ${Object.entries(report.losses).map(([why, count]) => `${why} ${format(count)}`).join(", ")}`);
console.log(`ota: host time ${hostSeconds.toFixed(1)} s`);
