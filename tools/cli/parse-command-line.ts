/**
 * Option parsing shared by every command group (image, domain, device, roster), over
 * node:util parseArgs in strict mode: an unknown option or a missing value is "bad-usage"
 * with the command's help appended; `-h`/`--help` prints the help instead.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { PicketError } from "picket/core/picket-error";
import type { CommandErrorCode, CommandIo } from "picket/tools/cli/command-group";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedCommandLine {
	readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
	readonly positionals: readonly string[];
}

/** Parses a command's options; undefined when it printed its --help instead. */
export function parseCommandLine(args: readonly string[], options: Options, help: string, io: CommandIo): ParsedCommandLine | undefined {
	let parsed: ParsedCommandLine;
	try {
		const result = parseArgs({ args: [...args], options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
		parsed = { values: result.values as ParsedCommandLine["values"], positionals: result.positionals };
	} catch (error) {
		throw new PicketError<CommandErrorCode>("bad-usage", `${(error as Error).message}\n\n${help}`);
	}
	if (parsed.values.help === true) {
		io.stdout(help);
		return undefined;
	}
	return parsed;
}

/** A string option's value, or undefined when absent. */
export function optionText(parsed: ParsedCommandLine, name: string): string | undefined {
	const value = parsed.values[name];
	return typeof value === "string" ? value : undefined;
}
