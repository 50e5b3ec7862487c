/**
 * Run by picket-xs (test/sim-engines.test.ts): the default scenario on the XS engine,
 * printing its digest and a few figures for the seed given on the command line.
 */
import { runScenario } from "picket/hosts/sim/domain-simulation";
import { defaultScenario } from "picket/hosts/sim/scenarios/default-scenario";

declare const scriptArgs: readonly string[];
declare function print(...text: unknown[]): void;

const seed = Number(scriptArgs[scriptArgs.length - 1]);
const summary = runScenario(defaultScenario, seed);
print(JSON.stringify({ seed, digest: summary.digest, eventsRun: summary.eventsRun, transmissions: summary.medium.transmissions }));
