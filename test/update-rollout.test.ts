/**
 * A rollout over the simulated radio (hosts/sim/rollout-simulation.ts, the firmware's own
 * UpdateInstaller and RolloutAgent on every board): every board ends on the new image or the
 * old one, never another, whatever the attacker injects and wherever the power fails; alerts
 * keep their latency while chunks fly. The full-size figures come from bench/ota.
 */
import test from "ava";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { SecureLink } from "picket/link/secure-link";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { SeededRandom } from "picket/hosts/sim/seeded-random";
import type { RolloutBoard } from "picket/hosts/sim/rollout-simulation";
import { FixedMembership, epochKeysFor, testMember } from "picket/test/support/link-fixtures";
import { rolloutScenario } from "picket/test/support/update-fixture";

test("24 boards over 3 hops at 10% loss, attacker and power cut: every board installs and confirms the genuine image", (t) => {
	const simulation = rolloutScenario({ boards: 24, imageLength: 96_000, attack: true, powerCut: { atMs: 12_000, forMs: 4_000, boards: 6 } });
	const report = simulation.run();
	t.is(report.onOther, 0);
	t.is(report.onNew, 24);
	t.not(report.allConfirmedMs, undefined);
	t.true(report.allConfirmedMs! < 600_000);
	t.is(report.powerCuts, 6);
	// Each attack reached boards and failed where the design says it does.
	for (const refusal of ["bad-tag", "bad-length", "page-refused", "offer downgrade", "offer bad-offer-signature"]) {
		t.true((report.outcomes[refusal] ?? 0) > 0, `${refusal}: ${JSON.stringify(report.outcomes)}`);
	}
	t.true(simulation.boards.every((board) => board.installer.floor === 2), "the floor rose to the new SEC_CNT everywhere");
});

test("stopped at any point of a rollout, every board runs the old image or the new one, never another", (t) => {
	for (const stopAt of [4_000, 9_000, 15_000, 22_000]) {
		const simulation = rolloutScenario({ boards: 15, imageLength: 64_000, attack: true, seed: stopAt, powerCut: { atMs: 3_000, forMs: 2_000, boards: 4 }, budgetMs: stopAt });
		const report = simulation.run();
		t.is(report.onOther, 0, `stopped at ${stopAt} ms`);
		t.is(report.onNew + report.onOld, 15);
	}
});

/**
 * Every board also runs a SecureLink that floods alerts; ten alerts go from the last cluster
 * to a board of the first (3 hops), once in a quiet domain and once during a rollout.
 */
function alertLatencies(rollout: boolean): number[] {
	const crypto = createNodeCryptoSuite();
	const boards = 24;
	const members = Array.from({ length: boards }, (_, index) => testMember(index + 1, "sensor", [0]));
	const membership = new FixedMembership(members, 1);
	const links = new Map<number, SecureLink>();
	const random = new SeededRandom(99);
	const arrivals = new Map<number, number>();
	const target = 2;
	const onOtherFrame = (board: RolloutBoard, frame: { payload: Uint8Array }) => {
		const outcome = links.get(board.id)!.receive(frame.payload);
		if (outcome.kind === "rejected") return;
		if (board.id === target && outcome.kind === "alert" && !arrivals.has(outcome.sequence)) arrivals.set(outcome.sequence, simulation.clock.now());
		const relay = outcome.relay;
		if (relay !== undefined) board.timers.setTimeout(() => simulation.sendOther(board, relay.frame), relay.delayMs);
	};
	const networkKey = epochKeysFor(crypto, members[0]!, 1).networkKey;
	const simulation = rolloutScenario({ boards, imageLength: 200_000, lossProbability: 0, onOtherFrame, networkKey, seederStartMs: rollout ? 0 : Number.POSITIVE_INFINITY, budgetMs: 30_000 });
	for (const board of simulation.boards) {
		const link = new SecureLink({ crypto, storage: new MemoryStorage(), random: random.fork(`link-${board.id}`).randomSource(), membership, self: board.id });
		link.installEpoch(epochKeysFor(crypto, members[board.id - 1]!, 1), { keepPrevious: false });
		links.set(board.id, link);
	}
	const sender = simulation.boards.filter((board) => board.cluster === 3)[1]!;
	const sentAt = new Map<number, number>();
	for (let alert = 0; alert < 10; alert++) {
		simulation.clock.scheduleAt(() => {
			const frame = links.get(sender.id)!.sendAlert(0, Uint8Array.of(alert));
			sentAt.set(sentAt.size, simulation.clock.now());
			simulation.sendOther(sender, frame);
		}, 8_000 + alert * 500);
	}
	simulation.clock.runUntil(14_000);
	if (rollout && (simulation.seeder?.counts.chunksSent ?? 0) < 500) throw new Error("the rollout was not under way");
	return [...sentAt.entries()].map(([sequence, time]) => (arrivals.get(sequence) ?? Number.POSITIVE_INFINITY) - time);
}

test("an alert during a rollout is delivered over 3 hops with its normal latency", (t) => {
	const quiet = alertLatencies(false);
	const busy = alertLatencies(true);
	t.log(`alert latency over 3 hops, ms: quiet ${quiet.map((ms) => ms.toFixed(1)).join(" ")}; during the rollout ${busy.map((ms) => ms.toFixed(1)).join(" ")}`);
	t.true(busy.every(Number.isFinite), "every alert arrives");
	const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
	// At most one update frame (≤ 2.5 ms of air) ahead of the alert at each of 3 hops, and a margin for carrier sense.
	t.true(mean(busy) <= mean(quiet) + 10, `mean ${mean(busy).toFixed(1)} ms during the rollout, ${mean(quiet).toFixed(1)} ms quiet`);
	t.true(Math.max(...busy) <= Math.max(...quiet) + 15);
});
