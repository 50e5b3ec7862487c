/**
 * The Assertions subset for the XS engine, with ava's semantics: `is` is Object.is,
 * `deepEqual` compares structure (typed arrays element by element), `throws` returns the error.
 */
import type { Assertions, ThrowsExpectation } from "picket/test/harness/portable";

export class AssertionFailure extends Error {
	constructor(message: string) {
		super(message);
		this.name = "AssertionFailure";
	}
}

function describe(value: unknown): string {
	if (ArrayBuffer.isView(value)) {
		const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
		return `${value.constructor.name}[${Array.from(bytes.subarray(0, 24)).join(",")}${bytes.length > 24 ? ",…" : ""}]`;
	}
	try {
		return typeof value === "bigint" ? `${value}n` : (JSON.stringify(value) ?? String(value));
	} catch {
		return String(value);
	}
}

export function deepEqual(a: unknown, b: unknown): boolean {
	if (Object.is(a, b)) return true;
	if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
	if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
	if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
		const x = a as unknown as ArrayLike<unknown>;
		const y = b as unknown as ArrayLike<unknown>;
		if (x.length !== y.length) return false;
		for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
		return true;
	}
	if (a instanceof Map && b instanceof Map) {
		if (a.size !== b.size) return false;
		for (const [key, value] of a) if (!b.has(key) || !deepEqual(value, b.get(key))) return false;
		return true;
	}
	if (a instanceof Set && b instanceof Set) {
		if (a.size !== b.size) return false;
		for (const value of a) if (!b.has(value)) return false;
		return true;
	}
	const keysA = Object.keys(a);
	const keysB = Object.keys(b);
	if (keysA.length !== keysB.length) return false;
	for (const key of keysA) {
		if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
		if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
	}
	return true;
}

export function createXsAssertions(): Assertions & { readonly count: number } {
	let count = 0;
	const check = (ok: boolean, message: string | undefined, detail: () => string) => {
		count++;
		if (!ok) throw new AssertionFailure(message ? `${message}: ${detail()}` : detail());
	};
	return {
		get count() {
			return count;
		},
		is: (actual, expected, message) => check(Object.is(actual, expected), message, () => `expected ${describe(expected)}, got ${describe(actual)}`),
		not: (actual, expected, message) => check(!Object.is(actual, expected), message, () => `expected anything but ${describe(expected)}`),
		deepEqual: (actual, expected, message) => check(deepEqual(actual, expected), message, () => `expected ${describe(expected)}, got ${describe(actual)}`),
		true: (actual, message) => check(actual === true, message, () => `expected true, got ${describe(actual)}`),
		false: (actual, message) => check(actual === false, message, () => `expected false, got ${describe(actual)}`),
		throws(fn: () => unknown, expectation?: ThrowsExpectation, message?: string): unknown {
			let thrown: unknown;
			let threw = false;
			try {
				fn();
			} catch (error) {
				threw = true;
				thrown = error;
			}
			check(threw, message, () => "expected the function to throw");
			const error = thrown as { code?: unknown; message?: unknown };
			if (expectation?.code !== undefined) check(error?.code === expectation.code, message, () => `expected code ${expectation.code}, got ${describe(error?.code)} (${String(thrown)})`);
			if (expectation?.instanceOf !== undefined) check(thrown instanceof expectation.instanceOf, message, () => `expected an instance of ${expectation.instanceOf?.name}`);
			if (expectation?.message !== undefined) {
				const expected = expectation.message;
				const text = String(error?.message);
				check(typeof expected === "string" ? text === expected : expected.test(text), message, () => `unexpected message ${text}`);
			}
			return thrown;
		},
		notThrows(fn, message) {
			try {
				fn();
				check(true, message, () => "");
			} catch (error) {
				check(false, message, () => `threw ${String(error)}`);
			}
		},
		pass: (message) => check(true, message, () => ""),
		fail: (message) => check(false, message, () => "failed"),
	};
}
