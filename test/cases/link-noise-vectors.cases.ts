/**
 * The Noise engine against the copied Cacophony PSK vectors (test/fixtures/noise), with the
 * portable software suite, on Node and on XS: every message's ciphertext and both sides'
 * final handshake hash. XS runs X25519 in software ~10-50x slower than V8, so the portable
 * subset is Picket's pattern (both ciphers) plus XXpsk3 (encrypted "s" tokens, psk last);
 * test/link-noise-vectors.test.ts runs all 22 copied vectors on Node.
 */
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { NOISE_PSK_VECTORS } from "picket/test/fixtures/noise/psk-25519-sha256";
import { portableCases } from "picket/test/harness/portable";
import { runNoiseVector } from "picket/test/support/noise-vector-runner";
import { createSeededRandom } from "picket/test/support/seeded-random";

export default portableCases("link/noise-vectors", (test) => {
	const crypto = createSoftwareSuite(createSeededRandom(0x0153));
	const portable = ["Noise_KKpsk0_25519_AESGCM_SHA256", "Noise_KKpsk0_25519_ChaChaPoly_SHA256", "Noise_XXpsk3_25519_ChaChaPoly_SHA256"];
	for (const vector of NOISE_PSK_VECTORS.filter((candidate) => portable.includes(candidate.protocol_name))) {
		test(vector.protocol_name, (t) => {
			const outcome = runNoiseVector(vector, crypto);
			t.deepEqual(outcome.mismatches, []);
			t.is(outcome.messagesChecked, vector.messages.length);
		});
	}
});
