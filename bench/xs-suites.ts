/**
 * The crypto suites the XS benchmark entries measure: the native suite (C over Mbed TLS's
 * PSA API, as on the ESP32) and the software suite with a fixed-seed test random source.
 * Loaded lazily, so a suite that cannot load on this XS build is reported, not fatal.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";

export const xsBenchSuites: readonly (readonly [string, (seed: number) => Promise<CryptoSuite>])[] = [
	["native", async () => (await import("picket/crypto/native-suite")).createNativeSuite()],
	[
		"software",
		async (seed) => {
			const [{ createSoftwareSuite }, { createSeededRandom }] = await Promise.all([
				import("picket/crypto/software-suite"),
				import("picket/test/support/seeded-random"),
			]);
			return createSoftwareSuite(createSeededRandom(seed));
		},
	],
];
