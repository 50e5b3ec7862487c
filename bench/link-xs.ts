/**
 * bench/link on the XS engine: the entry module bench/link.ts runs on picket-xs. Times an
 * alert sent, received by a reader, by a relay and as a duplicate, with the native suite
 * (C over Mbed TLS's PSA API, as on the ESP32) and the software suite, one JSON line each.
 */
import { measureAlertTiming } from "picket/bench/link-measure";
import { xsBenchSuites } from "picket/bench/xs-suites";

declare function print(...text: unknown[]): void;
declare const performance: { now(): number };

const clock = () => performance.now();

for (const [name, create] of xsBenchSuites) {
	try {
		print(JSON.stringify({ suite: name, timings: measureAlertTiming(await create(0x11c), clock, 300) }));
	} catch (error) {
		print(JSON.stringify({ suite: name, error: String(error) }));
	}
}
