import { toHex } from "picket/core/bytes";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { decodeAlertFrame, withTtl, type AlertFrame } from "picket/link/alert-frame";
import { AlertLayer, alertNonce, openAlertPayload, sealAlert, verifyNetworkTag } from "picket/link/alert-layers";
import { portableCases } from "picket/test/harness/portable";
import { createSeededRandom } from "picket/test/support/seeded-random";

const crypto = createSoftwareSuite(createSeededRandom(1));
const networkKey = Uint8Array.from({ length: 16 }, (_, i) => i);
const groupKey = Uint8Array.from({ length: 16 }, (_, i) => 0x80 + i);
const header = { ttl: 5, epoch: 0x01020304, group: 3, source: 4711, sequence: 300000 };

function decode(bytes: Uint8Array): AlertFrame {
	const decoded = decodeAlertFrame(bytes);
	if (!decoded.ok) throw new Error(decoded.reason);
	return decoded.frame;
}

export default portableCases("link/alert-layers", (test) => {
	test("nonce bytes follow the table: layer, epoch, source, sequence, zero", (t) => {
		t.is(toHex(alertNonce(AlertLayer.Network, 0x01020304, 4711, 300000)), "01" + "01020304" + "1267" + "0493e0" + "000000");
		t.is(toHex(alertNonce(AlertLayer.App, 0xffffffff, 8191, 524287)), "02" + "ffffffff" + "1fff" + "07ffff" + "000000");
	});

	test("seal then open: both layers verify and the payload comes back", (t) => {
		const payload = Uint8Array.of(1, 2, 3, 4, 5);
		const frame = decode(sealAlert(crypto, { networkKey, groupKey }, header, payload));
		t.is(frame.bytes.length, 5 + 18);
		t.true(verifyNetworkTag(crypto, networkKey, header.epoch, frame));
		t.deepEqual(openAlertPayload(crypto, groupKey, header.epoch, frame), payload);
		t.false(verifyNetworkTag(crypto, groupKey, header.epoch, frame), "wrong key");
		t.false(verifyNetworkTag(crypto, networkKey, header.epoch + 8, frame), "same key id bits, other epoch: the nonce differs");
		t.is(openAlertPayload(crypto, networkKey, header.epoch, frame), undefined);
	});

	test("a relay's TTL change keeps both tags valid", (t) => {
		const bytes = sealAlert(crypto, { networkKey, groupKey }, header, Uint8Array.of(9));
		for (const ttl of [0, 4, 15]) {
			const frame = decode(withTtl(bytes, ttl));
			t.true(verifyNetworkTag(crypto, networkKey, header.epoch, frame));
			t.deepEqual(openAlertPayload(crypto, groupKey, header.epoch, frame), Uint8Array.of(9));
		}
	});

	test("flipping any bit outside the TTL breaks the network tag", (t) => {
		const bytes = sealAlert(crypto, { networkKey, groupKey }, header, Uint8Array.of(7, 7));
		for (let index = 0; index < bytes.length; index++) {
			const bit = index === 0 ? 0x10 : 1 << (index % 8);
			const altered = bytes.slice();
			altered[index] ^= bit;
			const decoded = decodeAlertFrame(altered);
			t.true(!decoded.ok || !verifyNetworkTag(crypto, networkKey, header.epoch, decoded.frame), `byte ${index}`);
		}
	});

	test("the ciphertext hides the payload and differs per sequence", (t) => {
		const payload = new Uint8Array(16);
		const first = decode(sealAlert(crypto, { networkKey, groupKey }, header, payload));
		const second = decode(sealAlert(crypto, { networkKey, groupKey }, { ...header, sequence: header.sequence + 1 }, payload));
		t.not(toHex(first.sealedPayload.subarray(0, 16)), toHex(payload));
		t.not(toHex(first.sealedPayload), toHex(second.sealedPayload));
	});
});
