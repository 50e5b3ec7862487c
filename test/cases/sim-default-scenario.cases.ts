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
		// Seed 2: at seed 1 the bridge's key-epoch delivery is lost on the air (the known gap the
		// revocation test in test/sim-scenarios.test.ts counts over seeds), and this case checks the rest.
		const summary = runScenario(defaultScenario, 2);
		t.is(summary.alerts.length, 4);
		const bridgeX = defaultScenario.devices.find((device) => device.name === "bridge")!.x;
		const wing = (name: string) => (defaultScenario.devices.find((device) => device.name === name)!.x < bridgeX ? "west" : "east");
		for (const alert of summary.alerts) {
			// Known gap (counted over seeds in test/sim-scenarios.test.ts): an alert acknowledged
			// at its first send goes out once, and the bridge is the only way to the other wing,
			// so one frame lost there leaves that wing without it (about 1 seed in 5). Any other
			// miss is a failure.
			const sentOnceLostAtBridge = alert.sends === 1 && alert.endedBy?.kind === "acknowledge" && alert.missed.every((name) => wing(name) !== wing(alert.origin));
			if (!sentOnceLostAtBridge) t.deepEqual(alert.missed, [], `${alert.id} missed`);
			t.deepEqual(alert.unauthorisedReaders, [], `${alert.id} unauthorised readers`);
			// The revoked alarm's alert (old epoch) goes nowhere; every other crosses the bridge.
			if (alert.origin === "alarm-dana") t.deepEqual(alert.received, [], `${alert.id} authenticated by nobody`);
			else t.true(alert.relayedWithoutReading.includes("bridge"), `${alert.id} crossed the bridge`);
			if (alert.origin !== "alarm-dana") t.is(alert.endedBy?.kind, "acknowledge", `${alert.id} acknowledged over a session`);
		}
		t.is(summary.revocations.length, 1);
		for (const delivery of summary.revocations[0].deliveries) t.not(delivery.installedMs, undefined, `${delivery.device} installed the new epoch`);
		t.is(summary.attacks.length, 7);
		for (const attack of summary.attacks) t.deepEqual(attack.acceptedForgery, [], `attack #${attack.id}`);
		t.is(summary.nonceReuses, 0);
		t.is(summary.digest.length, 64);
	});
});
