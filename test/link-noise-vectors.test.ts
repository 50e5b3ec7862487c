/** The Noise engine against every copied Cacophony vector, on Node (node:crypto suite). */
import test from "ava";
import { NOISE_PSK_VECTORS } from "picket/test/fixtures/noise/psk-25519-sha256";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { runNoiseVector } from "picket/test/support/noise-vector-runner";

const crypto = createNodeCryptoSuite();

for (const vector of NOISE_PSK_VECTORS) {
	test(vector.protocol_name, (t) => {
		const outcome = runNoiseVector(vector, crypto);
		t.deepEqual(outcome.mismatches, []);
		t.is(outcome.messagesChecked, vector.messages.length);
	});
}
