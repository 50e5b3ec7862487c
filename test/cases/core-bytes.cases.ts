import { constantTimeEqual, concatBytes, fromHex, toHex, utf8 } from "picket/core/bytes";
import { PicketError, isPicketError } from "picket/core/picket-error";
import { portableCases } from "picket/test/harness/portable";

export default portableCases("core/bytes", (test) => {
	test("hex round-trips every byte value", (t) => {
		const all = Uint8Array.from({ length: 256 }, (_, i) => i);
		t.deepEqual(fromHex(toHex(all)), all);
		t.is(toHex(Uint8Array.of(0, 15, 16, 255)), "000f10ff");
	});

	test("fromHex refuses odd length and non-hex digits", (t) => {
		t.throws(() => fromHex("abc"), { instanceOf: RangeError });
		t.throws(() => fromHex("zz"), { instanceOf: RangeError });
	});

	test("constantTimeEqual compares content and length", (t) => {
		t.true(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)));
		t.false(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)));
		t.false(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3)));
	});

	test("concatBytes joins in order", (t) => {
		t.deepEqual(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)), Uint8Array.of(1, 2, 3));
	});

	test("utf8 encodes one to four byte sequences (RFC 3629 examples)", (t) => {
		t.deepEqual(utf8("A€"), Uint8Array.of(0x41, 0xe2, 0x82, 0xac));
		t.deepEqual(utf8("\u{10348}"), Uint8Array.of(0xf0, 0x90, 0x8d, 0x88));
		t.deepEqual(utf8("é"), Uint8Array.of(0xc3, 0xa9));
	});

	test("PicketError carries a stable code", (t) => {
		const error = new PicketError("bad-tag", "tag mismatch");
		t.is(error.code, "bad-tag");
		t.true(isPicketError(error, "bad-tag"));
		t.false(isPicketError(error, "replayed"));
		t.false(isPicketError(new Error("x")));
	});
});
