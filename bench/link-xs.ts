/**
 * bench/link on the XS engine: the entry module bench/link.ts runs on picket-xs. Times an
 * alert sent, received by a reader, by a relay and as a duplicate, with the native suite
 * (C over Mbed TLS's PSA API, as on the ESP32) and the software suite, one JSON line each.
 */
import { measureAlertTiming } from "picket/bench/link-measure";
import type { CryptoSuite } from "picket/crypto/crypto-suite";

declare function print(...text: unknown[]): void;
declare const performance: { now(): number };

const clock = () => performance.now();
const suites: [string, () => Promise<CryptoSuite>][] = [
	["native", async () => (await import("picket/crypto/native-suite")).createNativeSuite()],
	[
		"software",
		async () => {
			const [{ createSoftwareSuite }, { createSeededRandom }] = await Promise.all([
				import("picket/crypto/software-suite"),
				import("picket/test/support/seeded-random"),
			]);
			return createSoftwareSuite(createSeededRandom(0x11c));
		},
	],
];

for (const [name, create] of suites) {
	try {
		print(JSON.stringify({ suite: name, timings: measureAlertTiming(await create(), clock, 300) }));
	} catch (error) {
		print(JSON.stringify({ suite: name, error: String(error) }));
	}
}
