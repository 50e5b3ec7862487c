/**
 * Which Moddable simulator instance this process is. Every instance of one build loads the
 * same mc.so, so what tells them apart comes from the environment of the mcsim process
 * (`npm run test:moddable` sets it; so can a user), with the build's config as the default:
 *
 * | variable                 | meaning                                                     | default                       |
 * |--------------------------|-------------------------------------------------------------|-------------------------------|
 * | PICKET_SIM_STATION       | UDP station 0..7, MAC 02:00:00:00:00:<station>               | config picketStation, else 0  |
 * | PICKET_SIM_PORT          | UDP port of station 0 (station s binds port + s)              | 47300                         |
 * | PICKET_SIM_HOME          | folder of this instance's Preference store (preferences.json) | /tmp/picket-sim-<station>     |
 * | PICKET_SIM_IN_RANGE      | stations heard, comma-separated ("1,2"): radio range on loopback | every station              |
 * | PICKET_SIM_TEST_PRESS_MS | TEST ONLY: press the simulator's button once, this many ms after boot | unset: never         |
 * | PICKET_SIM_POST_PORT     | a gateway's command post: TCP port on 127.0.0.1 (`picket post serve`) | unset: no post link     |
 *
 * `picket sim provision --home <folder>` writes a device's bundle and settings into a
 * PICKET_SIM_HOME folder. The test press exists because a headless simulator has nobody to
 * click its button; it is off unless the variable is set, and the device logs that it is on.
 */
import config from "mc/config";
import { PicketError } from "picket/core/picket-error";
import { environmentVariable } from "picket/hosts/moddable-sim/environment";

export const DEFAULT_BASE_PORT = 47_300;
export const STATIONS = 8;

export interface SimulatorInstance {
	readonly station: number;
	readonly basePort: number;
	/** Folder of the Preference store, ending with "/". */
	readonly home: string;
	/** Stations whose frames this instance hears (loopback has no range, so it is declared). */
	readonly inRange: readonly number[];
	/** TEST ONLY: when set, the button is pressed once this many ms after boot. */
	readonly testPressMs: number | undefined;
	/** A gateway's command post on 127.0.0.1, when set. */
	readonly postPort: number | undefined;
}

export type SimulatorInstanceErrorCode = "bad-station" | "bad-port" | "bad-range" | "bad-test-press" | "bad-post-port";

function integerIn(text: string, minimum: number, maximum: number, code: SimulatorInstanceErrorCode, name: string): number {
	const value = Number(text);
	if (!/^[0-9]+$/.test(text) || value < minimum || value > maximum) {
		throw new PicketError<SimulatorInstanceErrorCode>(code, `${name}=${text}: expected an integer in ${minimum}..${maximum}`);
	}
	return value;
}

let current: SimulatorInstance | undefined;

/** This process's instance, read once. Throws a PicketError naming the variable at fault. */
export function simulatorInstance(): SimulatorInstance {
	if (current !== undefined) return current;
	const station = integerIn(environmentVariable("PICKET_SIM_STATION") ?? String(config.picketStation ?? 0), 0, STATIONS - 1, "bad-station", "PICKET_SIM_STATION");
	const basePort = integerIn(environmentVariable("PICKET_SIM_PORT") ?? String(DEFAULT_BASE_PORT), 1024, 65_535 - STATIONS, "bad-port", "PICKET_SIM_PORT");
	const home = environmentVariable("PICKET_SIM_HOME") ?? `/tmp/picket-sim-${station}`;
	const range = environmentVariable("PICKET_SIM_IN_RANGE");
	const inRange =
		range === undefined
			? Array.from({ length: STATIONS }, (_, other) => other)
			: range === ""
				? []
				: range.split(",").map((text) => integerIn(text, 0, STATIONS - 1, "bad-range", "PICKET_SIM_IN_RANGE"));
	const press = environmentVariable("PICKET_SIM_TEST_PRESS_MS");
	const testPressMs = press === undefined ? undefined : integerIn(press, 0, 3_600_000, "bad-test-press", "PICKET_SIM_TEST_PRESS_MS");
	const post = environmentVariable("PICKET_SIM_POST_PORT");
	const postPort = post === undefined ? undefined : integerIn(post, 1, 65_535, "bad-post-port", "PICKET_SIM_POST_PORT");
	current = { station, basePort, home: home.endsWith("/") ? home : `${home}/`, inRange, testPressMs, postPort };
	return current;
}
