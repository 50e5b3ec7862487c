/**
 * The contract between `tools/picket.ts` and the command groups it dispatches to.
 *
 * Each group lives in its own file named `tools/<area>/<name>-command.ts` and default-exports
 * a `CommandGroup`. `picket.ts` finds the groups at run time by that file-name pattern, so a
 * new group (image, domain, device, roster, …) is one new file and never an edit to a shared
 * list: helpers working on different groups do not collide.
 */
import { PicketError } from "picket/core/picket-error";

/** Where a command writes what it has to say; tests pass collectors, the CLI passes the process streams. */
export interface CommandIo {
	/** Text, or bytes for a binary output sent to standard output (`image getpub -e raw`). */
	stdout(output: string | Uint8Array): void;
	stderr(text: string): void;
}

/** One top-level word of the CLI (`picket image …`, `picket domain …`). */
export interface CommandGroup {
	/** The word typed after `picket`; lower-case, unique across groups. */
	readonly name: string;
	/** One line for `picket --help`. */
	readonly summary: string;
	/**
	 * Runs the group with the words after its name. Failures throw PicketError (the CLI prints
	 * the message and exits non-zero); `--help` output goes to `io.stdout`.
	 */
	run(args: readonly string[], io: CommandIo): Promise<void>;
}

/** Codes shared by every command group for problems with the command line itself. */
export type CommandErrorCode = "bad-usage" | "bad-option" | "not-found" | "exists" | "io";

/** True when `value` has the shape of a CommandGroup (checked on modules found at run time). */
export function isCommandGroup(value: unknown): value is CommandGroup {
	if (typeof value !== "object" || value === null) return false;
	const group = value as Partial<Record<keyof CommandGroup, unknown>>;
	return typeof group.name === "string" && typeof group.summary === "string" && typeof group.run === "function";
}

/**
 * Parses an integer the way imgtool's BasedIntParamType does (Python's `int(text, 0)`):
 * decimal, or 0x / 0o / 0b prefixed. Throws "bad-option" naming the option otherwise.
 */
export function parseBasedInteger(text: string, option: string): number {
	const match = /^(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/.exec(text.trim());
	if (match === null) throw new PicketError<CommandErrorCode>("bad-option", `${option}: not an integer: ${JSON.stringify(text)}`);
	const [, hex, octal, binary, decimal] = match;
	const value =
		hex !== undefined ? parseInt(hex, 16) : octal !== undefined ? parseInt(octal, 8) : binary !== undefined ? parseInt(binary, 2) : parseInt(decimal!, 10);
	if (!Number.isSafeInteger(value)) throw new PicketError<CommandErrorCode>("bad-option", `${option}: out of range: ${text}`);
	return value;
}
