import { fromHex, toHex } from "picket/core/bytes";
import {
	ALERT_FRAME_MAX,
	ALERT_OVERHEAD,
	ALERT_PAYLOAD_MAX,
	MAX_EXTENDED_SEQUENCE,
	MAX_SEQUENCE,
	extendSequence,
	MAX_SOURCE_ID,
	decodeAlertFrame,
	encodeAlertFrame,
	encodeAlertHeader,
	maskTtl,
	withTtl,
} from "picket/link/alert-frame";
import { portableCases } from "picket/test/harness/portable";

const SEALED_EMPTY = new Uint8Array(8).fill(0xaa); // app tag only: empty payload
const NETWORK_TAG = Uint8Array.of(0xb1, 0xb2, 0xb3, 0xb4);

export default portableCases("link/alert-frame", (test) => {
	test("overhead is 18 B (6 header + 8 app tag + 4 network tag), payload up to 232 B, 8,192 sources, 2^19 sequences", (t) => {
		t.is(ALERT_OVERHEAD, 18);
		t.is(ALERT_PAYLOAD_MAX, 232);
		t.is(ALERT_FRAME_MAX, 250);
		t.is(MAX_SOURCE_ID, 8191);
		t.is(MAX_SEQUENCE, 524287);
	});

	test("header bytes follow the table", (t) => {
		// TTL 3 → byte 0 = 0x03; epoch 9 (mod 8 = 1), group 5 → 0b001_00101 = 0x25;
		// source 4711 = 0x1267 in bits 31..19, sequence 300000 = 0x493e0 in 18..0 → 0x933c93e0.
		t.is(toHex(encodeAlertHeader({ ttl: 3, epoch: 9, group: 5, source: 4711, sequence: 300000 })), "0325933c93e0");
		t.is(toHex(encodeAlertHeader({ ttl: 15, epoch: 7, group: 31, source: 8191, sequence: 524287 })), "0fffffffffff");
		t.is(toHex(encodeAlertHeader({ ttl: 0, epoch: 8, group: 0, source: 0, sequence: 0 })), "000000000000");
	});

	test("decode reads back every field and the parts", (t) => {
		const header = encodeAlertHeader({ ttl: 3, epoch: 9, group: 5, source: 4711, sequence: 300000 });
		const sealed = Uint8Array.of(1, 2, 3, ...SEALED_EMPTY);
		const bytes = encodeAlertFrame(header, sealed, NETWORK_TAG);
		t.is(bytes.length, 3 + ALERT_OVERHEAD);
		const decoded = decodeAlertFrame(bytes);
		if (!decoded.ok) return t.fail(decoded.reason);
		const frame = decoded.frame;
		t.deepEqual([frame.ttl, frame.epochBits, frame.group, frame.source, frame.sequence], [3, 1, 5, 4711, 300000]);
		t.deepEqual(frame.header, header);
		t.deepEqual(frame.sealedPayload, sealed);
		t.deepEqual(frame.networkTag, NETWORK_TAG);
	});

	test("decode failures are typed values", (t) => {
		const good = encodeAlertFrame(fromHex("0325933c93e0"), SEALED_EMPTY, NETWORK_TAG);
		t.deepEqual(decodeAlertFrame(good.subarray(0, 17)), { ok: false, reason: "truncated" });
		t.deepEqual(decodeAlertFrame(new Uint8Array(0)), { ok: false, reason: "truncated" });
		t.deepEqual(decodeAlertFrame(new Uint8Array(251)), { ok: false, reason: "oversized" });
		const version = good.slice();
		version[0] |= 0x80;
		t.deepEqual(decodeAlertFrame(version), { ok: false, reason: "unknown-version" });
		for (const kind of [1, 2, 3, 4, 5, 6, 7]) {
			const other = good.slice();
			other[0] = (other[0] & 0x8f) | (kind << 4);
			t.deepEqual(decodeAlertFrame(other), { ok: false, reason: "unknown-kind" });
		}
		t.true(decodeAlertFrame(new Uint8Array(250)).ok, "a 250 B frame of zeroes is structurally an alert");
	});

	test("withTtl rewrites only the TTL nibble; maskTtl zeroes it", (t) => {
		const frame = encodeAlertFrame(fromHex("0725933c93e0"), SEALED_EMPTY, NETWORK_TAG);
		const relayed = withTtl(frame, 6);
		t.is(relayed[0], 0x06);
		t.deepEqual(relayed.subarray(1), frame.subarray(1));
		t.is(frame[0], 0x07, "the original is untouched");
		t.deepEqual(maskTtl(frame.subarray(0, 6)), fromHex("0025933c93e0"));
	});

	test("encoding refuses out-of-range fields and overlong frames", (t) => {
		t.throws(() => encodeAlertHeader({ ttl: 16, epoch: 0, group: 0, source: 0, sequence: 0 }), { code: "bad-header" });
		t.throws(() => encodeAlertHeader({ ttl: 0, epoch: 0, group: 32, source: 0, sequence: 0 }), { code: "bad-header" });
		t.throws(() => encodeAlertHeader({ ttl: 0, epoch: 0, group: 0, source: 8192, sequence: 0 }), { code: "bad-header" });
		t.throws(() => encodeAlertHeader({ ttl: 0, epoch: 0, group: 0, source: 0, sequence: MAX_EXTENDED_SEQUENCE + 1 }), { code: "bad-header" });
		t.is(toHex(encodeAlertHeader({ ttl: 0, epoch: 0, group: 0, source: 1, sequence: 524288 + 7 })), toHex(encodeAlertHeader({ ttl: 0, epoch: 0, group: 0, source: 1, sequence: 7 })), "only the low 19 bits travel");
	});

	test("issue 12 item 6: the era is inferred from the highest sequence held, across era boundaries both ways", (t) => {
		const era = 524288;
		t.is(extendSequence(5, undefined), 5, "nothing held: era 0");
		t.is(extendSequence(12, 10), 12);
		t.is(extendSequence(0, era - 1), era, "just past the boundary: the next era");
		t.is(extendSequence(era - 3, era + 2), era - 3, "a late copy from just before it: the previous era");
		t.is(extendSequence(7, 3 * era + 100), 3 * era + 7);
		t.is(extendSequence(era - 1, 10), era - 1, "far ahead in the same era (no era −1)");
		t.is(extendSequence(0, MAX_EXTENDED_SEQUENCE), MAX_EXTENDED_SEQUENCE - era + 1, "never beyond the last era");
		t.throws(() => encodeAlertFrame(fromHex("0325933c93e0"), new Uint8Array(233 + 8), NETWORK_TAG), { code: "payload-too-long" });
	});
});
