/**
 * The one error type Picket throws. Callers branch on `code`, a stable string from a
 * closed union per module, never on the message, which is for people.
 */
export class PicketError<Code extends string = string> extends Error {
	readonly code: Code;

	constructor(code: Code, message?: string) {
		super(message === undefined ? code : `${code}: ${message}`);
		this.code = code;
	}

	static {
		// `name` lives on the prototype, defined rather than assigned: in a Moddable image
		// Error.prototype is frozen, and `this.name = …` on an instance would hit its
		// read-only `name` and throw (the override mistake) before any error got reported.
		Object.defineProperty(this.prototype, "name", { value: "PicketError", writable: true, configurable: true, enumerable: false });
	}
}

/** True when `error` is a PicketError carrying `code`. */
export function isPicketError<Code extends string>(error: unknown, code?: Code): error is PicketError<Code> {
	return error instanceof PicketError && (code === undefined || error.code === code);
}
