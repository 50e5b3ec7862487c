/**
 * Portable test cases: written once, run by ava on Node and by the XS harness on the XS
 * engine. A case sees only this Assertions subset, which ava's `t` also satisfies.
 */

export interface ThrowsExpectation {
	/** The PicketError code (or Node error code) the thrown error must carry. */
	code?: string;
	instanceOf?: abstract new (...args: never[]) => unknown;
	message?: string | RegExp;
}

export interface Assertions {
	is(actual: unknown, expected: unknown, message?: string): void;
	not(actual: unknown, expected: unknown, message?: string): void;
	deepEqual(actual: unknown, expected: unknown, message?: string): void;
	true(actual: unknown, message?: string): void;
	false(actual: unknown, message?: string): void;
	throws(fn: () => unknown, expectation?: ThrowsExpectation, message?: string): unknown;
	notThrows(fn: () => unknown, message?: string): void;
	pass(message?: string): void;
	fail(message?: string): void;
}

export type CaseBody = (t: Assertions) => void | Promise<void>;

export interface PortableCase {
	readonly name: string;
	readonly body: CaseBody;
}

export interface CaseGroup {
	readonly title: string;
	readonly cases: readonly PortableCase[];
}

/** Declares a group of portable cases: `export default portableCases("link/replay-window", (test) => { test("…", (t) => …) })`. */
export function portableCases(title: string, declare: (test: (name: string, body: CaseBody) => void) => void): CaseGroup {
	const cases: PortableCase[] = [];
	declare((name, body) => {
		cases.push({ name, body });
	});
	return { title, cases };
}
