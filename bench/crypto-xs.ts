/**
 * bench/crypto on the XS engine: the entry module bench/crypto.ts runs on picket-xs. Measures
 * the native suite (C over Mbed TLS's PSA API) and the software suite with the portable loop
 * and prints one JSON line per suite for the Node driver to put in its table. A suite that
 * fails to load or run on XS prints an error line instead, so the rest still report.
 */
import { measureCryptoSuite, type SuiteMeasurements } from "picket/bench/crypto-measure";
import { xsBenchSuites } from "picket/bench/xs-suites";

declare function print(...text: unknown[]): void;
declare const performance: { now(): number };

const clock = () => performance.now();

for (const [name, create] of xsBenchSuites) {
	try {
		const suite = await create(0xbe4c);
		const result: SuiteMeasurements = { suite: name, engine: "XS", measurements: measureCryptoSuite(suite, clock, { minimumMilliseconds: 300 }) };
		print(JSON.stringify(result));
	} catch (error) {
		print(JSON.stringify({ suite: name, engine: "XS", error: String(error) }));
	}
}
