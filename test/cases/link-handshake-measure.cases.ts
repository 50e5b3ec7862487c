import { measureHandshake } from "picket/bench/handshake-measure";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { portableCases } from "picket/test/harness/portable";
import { createSeededRandom } from "picket/test/support/seeded-random";

export default portableCases("link/handshake-measure", (test) => {
	test("handshake figures: 2 messages, 51 + 45 = 96 B, 5 X25519 and 2 AES-CCM per side", (t) => {
		const figures = measureHandshake(createSoftwareSuite(createSeededRandom(0xbe4c)));
		t.is(figures.messages, 2);
		t.is(figures.message1Bytes, 51);
		t.is(figures.message2Bytes, 45);
		t.is(figures.totalBytes, 96);
		t.deepEqual([figures.initiator.x25519, figures.initiator.ccmSeal, figures.initiator.ccmOpen], [5, 1, 1]);
		t.deepEqual([figures.responder.x25519, figures.responder.ccmSeal, figures.responder.ccmOpen], [5, 1, 1]);
		t.is(figures.sessionOverheadBytes, 13);
		t.is(figures.acknowledgeFrameBytes, 18); // 13 B session overhead + 5 B acknowledge (incident, origin)
	});
});
