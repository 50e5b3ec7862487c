import { toHex } from "picket/core/bytes";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { decodeAlertFrame, withTtl, type AlertFrame } from "picket/link/alert-frame";
import { AlertLayer, HeaderMasks, REMEMBERED_MASKS, alertNonce, deobfuscateAlertFrame, openAlertPayload, sealAlert, verifyNetworkTag } from "picket/link/alert-layers";
import { derivePrivacyKey } from "picket/link/key-schedule";
import { portableCases } from "picket/test/harness/portable";
import { createSeededRandom } from "picket/test/support/seeded-random";

const crypto = createSoftwareSuite(createSeededRandom(1));
const networkKey = Uint8Array.from({ length: 16 }, (_, i) => i);
const groupKey = Uint8Array.from({ length: 16 }, (_, i) => 0x80 + i);
const privacyKey = derivePrivacyKey(crypto, networkKey);
const keys = { networkKey, privacyKey, groupKey };
const header = { ttl: 5, epoch: 0x01020304, group: 3, source: 4711, sequence: 300000 };

/** What a listener without keys reads. */
function overhear(bytes: Uint8Array): AlertFrame {
	const decoded = decodeAlertFrame(bytes);
	if (!decoded.ok) throw new Error(decoded.reason);
	return decoded.frame;
}

/** What a holder of the network key reads: the header in clear. */
function decode(bytes: Uint8Array): AlertFrame {
	return deobfuscateAlertFrame(crypto, privacyKey, overhear(bytes));
}

export default portableCases("link/alert-layers", (test) => {
	test("nonce bytes follow the table: layer, epoch, source, sequence, zero", (t) => {
		t.is(toHex(alertNonce(AlertLayer.Network, 0x01020304, 4711, 300000)), "01" + "01020304" + "1267" + "0493e0" + "000000");
		t.is(toHex(alertNonce(AlertLayer.App, 0xffffffff, 8191, 524287)), "02" + "ffffffff" + "1fff" + "07ffff" + "000000");
	});

	test("seal then open: both layers verify and the payload comes back", (t) => {
		const payload = Uint8Array.of(1, 2, 3, 4, 5);
		const frame = decode(sealAlert(crypto, keys, header, payload));
		t.is(frame.bytes.length, 5 + 18);
		t.true(verifyNetworkTag(crypto, networkKey, header.epoch, frame));
		t.deepEqual(openAlertPayload(crypto, groupKey, header.epoch, frame), payload);
		t.false(verifyNetworkTag(crypto, groupKey, header.epoch, frame), "wrong key");
		t.false(verifyNetworkTag(crypto, networkKey, header.epoch + 8, frame), "same key id bits, other epoch: the nonce differs");
		t.is(openAlertPayload(crypto, networkKey, header.epoch, frame), undefined);
	});

	test("a relay's TTL change keeps both tags valid", (t) => {
		const bytes = sealAlert(crypto, keys, header, Uint8Array.of(9));
		for (const ttl of [0, 4, 15]) {
			const frame = decode(withTtl(bytes, ttl));
			t.true(verifyNetworkTag(crypto, networkKey, header.epoch, frame));
			t.deepEqual(openAlertPayload(crypto, groupKey, header.epoch, frame), Uint8Array.of(9));
		}
	});

	test("flipping any bit outside the TTL breaks the network tag", (t) => {
		const bytes = sealAlert(crypto, keys, header, Uint8Array.of(7, 7));
		for (let index = 0; index < bytes.length; index++) {
			const bit = index === 0 ? 0x10 : 1 << (index % 8);
			const altered = bytes.slice();
			altered[index] ^= bit;
			const decoded = decodeAlertFrame(altered);
			t.true(!decoded.ok || !verifyNetworkTag(crypto, networkKey, header.epoch, deobfuscateAlertFrame(crypto, privacyKey, decoded.frame)), `byte ${index}`);
		}
	});

	test("the header travels obfuscated: a listener without keys reads no source, sequence or group, and no byte two alerts of one source share", (t) => {
		const frames = [0, 1].map((step) => sealAlert(crypto, keys, { ...header, sequence: header.sequence + step }, Uint8Array.of(1)));
		const heard = frames.map(overhear);
		for (const [step, frame] of heard.entries()) {
			t.not(frame.source, header.source, "source masked");
			t.not(frame.sequence, header.sequence + step, "sequence masked");
			t.deepEqual([frame.ttl, frame.epochBits], [header.ttl, header.epoch & 7], "byte 0 and the epoch bits stay readable");
		}
		t.true(heard.some((frame) => frame.group !== header.group), "group masked");
		for (let offset = 2; offset < 6; offset++) t.not(frames[0][offset], frames[1][offset], `source/sequence byte ${offset}`);
		// The holder of the network key unmasks to the header the tags cover.
		const clear = frames.map(decode);
		t.deepEqual(clear.map((frame) => [frame.source, frame.sequence, frame.group]), [[4711, 300000, 3], [4711, 300001, 3]]);
		t.true(clear.every((frame) => verifyNetworkTag(crypto, networkKey, header.epoch, frame)));
		t.false(verifyNetworkTag(crypto, networkKey, header.epoch, heard[0]), "the tags cover the header in clear, not the masked one");
		const otherDomain = deobfuscateAlertFrame(crypto, derivePrivacyKey(crypto, groupKey), heard[0]);
		t.not(otherDomain.source, header.source, "another privacy key unmasks to another header");
	});

	test("header masks: every copy of an alert costs one HMAC, and each unmasks exactly as deobfuscateAlertFrame does", (t) => {
		let hmacs = 0;
		const counting = { ...crypto, hmacSha256: (key: Uint8Array, message: Uint8Array) => (hmacs++, crypto.hmacSha256(key, message)) };
		const masks = new HeaderMasks(privacyKey);
		const same = (bytes: Uint8Array): boolean => toHex(masks.unmask(counting, overhear(bytes)).bytes) === toHex(decode(bytes).bytes);
		const alerts = Array.from({ length: REMEMBERED_MASKS + 1 }, (_, step) => sealAlert(crypto, keys, { ...header, sequence: header.sequence + step }, Uint8Array.of(step)));
		t.true([15, 14, 3, 0].every((ttl) => same(withTtl(alerts[0], ttl))), "copies relayed at any TTL");
		t.is(hmacs, 1, "one HMAC for four copies");
		// Another frame's tags under an altered masked header: the same mask, so the header it unmasks to is the one deobfuscateAlertFrame gives (and its network tag fails).
		const altered = alerts[0].slice();
		altered[3] ^= 0x40;
		t.true(same(altered));
		t.false(verifyNetworkTag(crypto, networkKey, header.epoch, masks.unmask(counting, overhear(altered))));
		t.is(hmacs, 1);
		for (const bytes of alerts.slice(1)) t.true(same(bytes));
		t.is(hmacs, 1 + REMEMBERED_MASKS, "one per new alert");
		t.true(same(alerts[REMEMBERED_MASKS]) && same(alerts[2]));
		t.is(hmacs, 1 + REMEMBERED_MASKS, "the last 8 are remembered");
		t.true(same(alerts[0]));
		t.is(hmacs, 2 + REMEMBERED_MASKS, "the oldest was forgotten: computed again");
		const otherKey = new HeaderMasks(derivePrivacyKey(crypto, groupKey));
		t.not(toHex(otherKey.unmask(counting, overhear(alerts[0])).bytes), toHex(decode(alerts[0]).bytes), "a memory serves its own privacy key only");
	});

	test("the ciphertext hides the payload and differs per sequence", (t) => {
		const payload = new Uint8Array(16);
		const first = decode(sealAlert(crypto, keys, header, payload));
		const second = decode(sealAlert(crypto, keys, { ...header, sequence: header.sequence + 1 }, payload));
		t.not(toHex(first.sealedPayload.subarray(0, 16)), toHex(payload));
		t.not(toHex(first.sealedPayload), toHex(second.sealedPayload));
	});
});
