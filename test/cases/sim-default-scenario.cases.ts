/**
 * The default scenario on whichever engine runs this case (Node through ava, XS through
 * scripts/test.js): the outcome the simulator promises. test/sim-engines.test.ts checks
 * that both engines produce the same digest for the same seed.
 */
import { runScenario } from "picket/hosts/sim/domain-simulation";
import { defaultScenario } from "picket/hosts/sim/scenarios/default-scenario";
import { portableCases } from "picket/test/harness/portable";

export default portableCases("sim/default-scenario", (test) => {
	test("alerts reach every authorised device, nobody else reads them, no forgery passes, no nonce repeats", (t) => {
		const summary = runScenario(defaultScenario, 1);
		t.is(summary.alerts.length, 2);
		for (const alert of summary.alerts) {
			t.deepEqual(alert.missed, [], `${alert.id} missed`);
			t.deepEqual(alert.unauthorisedReaders, [], `${alert.id} unauthorised readers`);
			t.true(alert.relayedWithoutReading.includes("bridge"), `${alert.id} crossed the bridge`);
		}
		t.is(summary.attacks.length, 5);
		for (const attack of summary.attacks) t.deepEqual(attack.acceptedForgery, [], `attack #${attack.id}`);
		t.is(summary.nonceReuses, 0);
		t.is(summary.digest.length, 64);
	});
});
