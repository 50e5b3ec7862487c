/**
 * The one error type Picket throws. Callers branch on `code`, a stable string from a
 * closed union per module, never on the message, which is for people.
 */
export class PicketError<Code extends string = string> extends Error {
	readonly code: Code;

	constructor(code: Code, message?: string) {
		super(message === undefined ? code : `${code}: ${message}`);
		this.name = "PicketError";
		this.code = code;
	}
}

/** True when `error` is a PicketError carrying `code`. */
export function isPicketError<Code extends string>(error: unknown, code?: Code): error is PicketError<Code> {
	return error instanceof PicketError && (code === undefined || error.code === code);
}
