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

	test("fromHex takes either case and the empty string; toHex writes lower case", (t) => {
		t.deepEqual(fromHex(""), new Uint8Array(0));
		t.is(toHex(new Uint8Array(0)), "");
		t.deepEqual(fromHex("ABCDEF"), Uint8Array.of(0xab, 0xcd, 0xef));
		t.deepEqual(fromHex("aBcD09"), Uint8Array.of(0xab, 0xcd, 0x09));
		t.is(toHex(fromHex("DEADbeef")), "deadbeef");
	});

	test("fromHex accepts a pair exactly when both characters are hex digits, as parseInt reads them", (t) => {
		// The characters on each side of the digit ranges, and some that are not ASCII.
		const characters = ["0", "9", "a", "f", "A", "F", "/", ":", "@", "G", "`", "g", " ", "x", "-", "+", "\u00e9", "\u0660", "\uff10"];
		let accepted = 0;
		for (const first of characters) {
			for (const second of characters) {
				const pair = first + second;
				const digits = /^[0-9a-fA-F]{2}$/.test(pair);
				if (digits) {
					t.deepEqual(fromHex(pair), Uint8Array.of(parseInt(pair, 16)));
					accepted++;
				} else t.throws(() => fromHex(pair), { instanceOf: RangeError, message: `not hex: ${pair}` });
			}
		}
		t.is(accepted, 36);
	});

	test("fromHex refuses a bad digit anywhere, a 0x prefix, whitespace and characters beyond the BMP", (t) => {
		const good = toHex(Uint8Array.from({ length: 64 }, (_, i) => i * 5));
		for (const at of [0, 1, 63, 126, 127]) t.throws(() => fromHex(`${good.slice(0, at)}g${good.slice(at + 1)}`), { instanceOf: RangeError });
		t.throws(() => fromHex("0x00"), { instanceOf: RangeError });
		t.throws(() => fromHex("00 "), { instanceOf: RangeError });
		t.throws(() => fromHex("0\n"), { instanceOf: RangeError });
		t.throws(() => fromHex("a\u{10348}b"), { instanceOf: RangeError }); // even length in UTF-16 units
		t.throws(() => fromHex(`${good}0`), { instanceOf: RangeError, message: `not hex: ${good.slice(0, 16)}` });
	});

	test("hex round-trips 20,000 bytes (linear on XS too)", (t) => {
		const bytes = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 131 + (i >> 8)) & 255);
		const text = toHex(bytes);
		t.is(text.length, 40_000);
		t.is(text.slice(0, 8), toHex(bytes.subarray(0, 4)));
		t.deepEqual(fromHex(text), bytes);
		t.deepEqual(fromHex(text.toUpperCase()), bytes);
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

	test("PicketError is named without assigning to the instance (Error.prototype is frozen in a Moddable image)", (t) => {
		const error = new PicketError("bad-tag", "tag mismatch");
		t.is(error.name, "PicketError");
		t.is(String(error), "PicketError: bad-tag: tag mismatch");
		// An assignment `this.name = …` would have made an own property; it would throw on a frozen Error.prototype.
		t.false(Object.prototype.hasOwnProperty.call(error, "name"));
		t.true(error instanceof Error);
	});
});
