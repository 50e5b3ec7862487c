/**
 * bench/link on Node: the alert budgets of DESIGN.md measured on the real codec and
 * facade. Run with `node build/bench/link.js`. The timing part is portable
 * (bench/link-measure.ts) so the same figures can be taken on the XS engine.
 */
import { toHex } from "picket/core/bytes";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import {
	BENCH_PAYLOAD_LENGTH,
	countAlertOperations,
	exampleFrame,
	measureAlertSizes,
	measureAlertTiming,
	measureListenerView,
	measureReplayFlood,
	rosterBytesPerMember,
	type AlertTiming,
} from "picket/bench/link-measure";
import { measureForgedMessages1, measureHandshake } from "picket/bench/handshake-measure";
import { ROLE_DEFAULTS } from "picket/device/device-settings";
import { ALERT_HEADER_LENGTH, MAX_EXTENDED_SEQUENCE, MAX_SEQUENCE } from "picket/link/alert-frame";
import { projectRoot, runXsModule } from "picket/test/support/xs-runner";
import { createNodeCryptoSuite, nodeRandomSource } from "picket/tools/node-crypto-suite";

const clock = () => performance.now();
const software = createSoftwareSuite(nodeRandomSource());
const node = createNodeCryptoSuite();
const verdict = (ok: boolean) => (ok ? "met" : "OVER");
const row = (cells: readonly (string | number)[], widths: readonly number[]) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join("  ");

const sizes = measureAlertSizes(software);
const counts = countAlertOperations(software);
const handshake = measureHandshake(software);
const printTimings = (name: string, timings: readonly AlertTiming[]) => {
	for (const timing of timings) console.log(row([timing.path, name, timing.microsecondsPerAlert.toFixed(1)], timingWidths));
};
const rosterBytes = rosterBytesPerMember();
const send = counts.find((count) => count.path === "send")!;
const receive = counts.filter((count) => count.path !== "send");
const maxReceiveCcm = Math.max(...receive.map((count) => count.ccm));
const maxX25519 = Math.max(...counts.map((count) => count.x25519));

console.log("bench/link — budgets (DESIGN.md)\n");
const widths = [44, 14, 10, 6];
console.log(row(["figure", "measured", "budget", ""], widths));
console.log(row(["alert overhead (header + tags, 64-bit app tag)", `${sizes.overheadBytes} B`, "≤ 18 B", verdict(sizes.overheadBytes <= 18)], widths));
console.log(row(["largest alert payload / frame", `${sizes.largestPayloadBytes} / ${sizes.largestFrameBytes} B`, "≤ 250 B", verdict(sizes.largestFrameBytes <= 250)], widths));
console.log(row(["AES-CCM ops per alert sent", send.ccm, "≤ 2", verdict(send.ccm <= 2)], widths));
console.log(row(["AES-CCM ops per alert received (worst path)", maxReceiveCcm, "≤ 2", verdict(maxReceiveCcm <= 2)], widths));
console.log(row(["X25519 (public-key) ops per alert", maxX25519, "0", verdict(maxX25519 === 0)], widths));
console.log(row(["roster bytes per member (roster codec)", `${rosterBytes} B`, "≤ 40 B", verdict(rosterBytes <= 40)], widths));
console.log(row(["handshake messages", handshake.messages, "≤ 2", verdict(handshake.messages <= 2)], widths));
console.log(row(["handshake bytes on air incl. framing", `${handshake.message1Bytes} + ${handshake.message2Bytes} = ${handshake.totalBytes} B`, "≤ 100 B", verdict(handshake.totalBytes <= 100)], widths));
for (const [side, counts] of [
	["initiator", handshake.initiator],
	["responder", handshake.responder],
] as const) {
	console.log(row([`handshake ops, ${side}`, `X25519 ${counts.x25519}`, `CCM ${counts.ccmSeal + counts.ccmOpen}`, `(HMAC ${counts.hmacSha256}, SHA-256 ${counts.sha256})`], widths));
}
const forged = measureForgedMessages1(software, 2_000);
console.log(row(["X25519 per forged handshake message 1", `${forged.x25519 / forged.frames} (${forged.x25519} for ${forged.frames})`, "0", verdict(forged.x25519 === 0)], widths));
console.log(row(["  answers sent / HMAC per forged message 1", `${forged.answered} / ${forged.hmacSha256 / forged.frames}`, "", ""], widths));
console.log(row(["session frame overhead / acknowledge frame", `${handshake.sessionOverheadBytes} / ${handshake.acknowledgeFrameBytes} B`, "", ""], widths));

console.log("\noperations per alert, by path");
for (const count of counts) console.log(row([`  ${count.path}`, `CCM ${count.ccm}`, `X25519 ${count.x25519}`], [44, 14, 10]));

// Issue 12: what an attacker in radio range gets out of the alert frame and the relays.
const flood = measureReplayFlood(software);
const pir = ROLE_DEFAULTS.sensor;
const pirFramesPerDay = (86_400_000 / pir.holdOffMs) * (1 + pir.repeatLimit);
const eraDays = (MAX_SEQUENCE + 1) / pirFramesPerDay;
const sequenceYears = (MAX_EXTENDED_SEQUENCE + 1) / pirFramesPerDay / 365;
console.log("\nattacker in radio range (issue 12)");
console.log(row(["relays per replayed frame", (flood.relays / flood.replays).toFixed(3), "~0", `(${flood.relays} of ${flood.replays}: ${flood.recorded} alerts replayed 10× at TTL 15; before: 1 each, 3,000 for 300 × 10)`], widths));
console.log(row(["sequence space, busiest board (PIR at its max)", `${eraDays.toFixed(1)} d / era`, "never silent", `(${pirFramesPerDay} frames/day: ${pir.holdOffMs / 1000} s hold-off, 1 + ${pir.repeatLimit} sends; the counter rolls into the next era, 2^32 lasts ${sequenceYears.toFixed(0)} years)`], widths));
const listener = measureListenerView(software);
console.log(
	row(
		["bytes a passive listener learns per alert", `${ALERT_HEADER_LENGTH} B → ${(listener.bitsInClear / 8).toFixed(1)} B`, "", `(${listener.bitsInClear} of ${listener.headerBits} header bits in clear over ${listener.alerts} alerts: version, kind, TTL, epoch bits; source, sequence, group masked per frame, 1 HMAC-SHA-256 per alert sent or received, no CCM)`],
		widths,
	),
);

console.log(`\nstorage: counter 8 B (one write per 64 alerts sent); replay window 20 B per source read (one write per alert read); relay horizon 8 B per source relayed (one write per 16 of its alerts); each + 9 B of power-safe record (bench/storage)`);
console.log(`example alert (group 0, payload 4d01): ${toHex(exampleFrame(software))}`);

const timingWidths = [32, 22, 10];
console.log(`\ntime per alert, ${BENCH_PAYLOAD_LENGTH}-byte payload, fastest of 3 rounds`);
console.log(row(["path", "suite", "µs/alert"], timingWidths));
for (const [name, suite] of [
	["software", software],
	["node:crypto", node],
] as const) {
	// Fastest of three rounds: the host is shared and noisy, and noise only ever slows a round down.
	const rounds = [1, 2, 3].map(() => measureAlertTiming(suite, clock));
	printTimings(`${name} on Node`, rounds[0].map((timing, index) => ({ ...timing, microsecondsPerAlert: Math.min(...rounds.map((round) => round[index].microsecondsPerAlert)) })));
}

// The XS engine: bench/link-xs.ts on picket-xs prints one JSON line per suite.
const xsRun = runXsModule(`${projectRoot}build/bench/link-xs.js`);
for (const line of xsRun.stdout.split("\n").filter((text) => text.startsWith("{"))) {
	const result = JSON.parse(line) as { suite: string; timings?: AlertTiming[]; error?: string };
	if (result.timings) printTimings(`${result.suite} on XS`, result.timings);
	else console.log(`${result.suite} on XS: ${result.error}`);
}
if (xsRun.status !== 0) console.log(`note: picket-xs exited with ${xsRun.status}: ${xsRun.stderr.trim()}`);
