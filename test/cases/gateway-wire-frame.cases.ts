/**
 * The gateway's wire framing (picket/gateway/wire-frame): frames survive any chunking,
 * garbage and corrupted frames are skipped with a code, and the decoder resynchronises on
 * the next good frame.
 */
import { concatBytes } from "picket/core/bytes";
import { crc32 } from "picket/core/crc32";
import { WIRE_BODY_MAX, WireDecoder, type WireErrorCode, encodeWireFrame } from "picket/gateway/wire-frame";
import { portableCases } from "picket/test/harness/portable";

function decoderWithErrors(): { decoder: WireDecoder; errors: WireErrorCode[] } {
	const errors: WireErrorCode[] = [];
	return { decoder: new WireDecoder((code) => errors.push(code)), errors };
}

export default portableCases("gateway/wire-frame", (test) => {
	test("a frame is sync, type, length, body and the CRC-32 of type..body, as the table says", (t) => {
		const frame = encodeWireFrame(3, Uint8Array.of(1, 2, 3));
		t.deepEqual(Array.from(frame.subarray(0, 8)), [0xb5, 0x62, 3, 0, 3, 1, 2, 3]);
		const crc = crc32(frame, 2, 8);
		t.deepEqual(Array.from(frame.subarray(8)), [crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255]);
	});

	test("frames come out whole however the stream is cut, one byte at a time included", (t) => {
		const frames = [encodeWireFrame(1, Uint8Array.of(9, 8)), encodeWireFrame(3, new Uint8Array(300).fill(0xb5)), encodeWireFrame(2, new Uint8Array(0))];
		const stream = concatBytes(...frames);
		for (const step of [1, 2, 7, stream.length]) {
			const { decoder, errors } = decoderWithErrors();
			const out = [];
			for (let i = 0; i < stream.length; i += step) out.push(...decoder.push(stream.subarray(i, i + step)));
			t.deepEqual(out.map((frame) => frame.type), [1, 3, 2]);
			t.deepEqual(Array.from(out[0].body), [9, 8]);
			t.is(out[1].body.length, 300);
			t.deepEqual(errors, []);
			t.is(decoder.buffered, 0);
		}
	});

	test("garbage before, between and after frames is skipped and reported", (t) => {
		const { decoder, errors } = decoderWithErrors();
		const good = encodeWireFrame(3, Uint8Array.of(42));
		const out = decoder.push(concatBytes(Uint8Array.of(0, 1, 2, 0xb5, 7), good, Uint8Array.of(0x62, 0x62), good));
		t.is(out.length, 2);
		t.true(errors.every((code) => code === "skipped-garbage"));
		t.true(errors.length >= 2);
	});

	test("a flipped bit fails the CRC; the decoder drops that frame and reads the next", (t) => {
		const { decoder, errors } = decoderWithErrors();
		const bad = encodeWireFrame(3, Uint8Array.of(1, 2, 3, 4));
		bad[6] ^= 0x10;
		const good = encodeWireFrame(3, Uint8Array.of(5));
		const out = decoder.push(concatBytes(bad, good));
		t.is(out.length, 1);
		t.deepEqual(Array.from(out[0].body), [5]);
		t.true(errors.includes("bad-crc"));
	});

	test("a length above the maximum is refused at once, without waiting for 64 KiB", (t) => {
		const { decoder, errors } = decoderWithErrors();
		const header = Uint8Array.of(0xb5, 0x62, 3, 0xff, 0xff);
		const good = encodeWireFrame(1, Uint8Array.of(7));
		const out = decoder.push(concatBytes(header, good));
		t.is(out.length, 1);
		t.true(errors.includes("oversized"));
		t.throws(() => encodeWireFrame(3, new Uint8Array(WIRE_BODY_MAX + 1)), { message: /oversized/ });
	});

	test("a truncated frame waits for the rest and holds no more than it", (t) => {
		const { decoder } = decoderWithErrors();
		const frame = encodeWireFrame(3, new Uint8Array(100));
		t.deepEqual(decoder.push(frame.subarray(0, 50)), []);
		t.is(decoder.buffered, 50);
		t.is(decoder.push(frame.subarray(50)).length, 1);
	});
});
