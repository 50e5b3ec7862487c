/**
 * What the provisioning command groups (domain, device, roster) share beyond option
 * parsing (picket/tools/cli/parse-command-line): the domain folder and passphrase options.
 */
import { readFileSync } from "node:fs";
import { PicketError } from "picket/core/picket-error";
import type { CommandErrorCode, CommandIo } from "picket/tools/cli/command-group";
import { type Options, type ParsedCommandLine, optionText } from "picket/tools/cli/parse-command-line";

/** Options every provisioning command takes. */
export const DOMAIN_OPTIONS: Options = {
	domain: { type: "string", short: "d" },
	"passphrase-file": { type: "string" },
};

export const DOMAIN_OPTIONS_HELP = `  -d, --domain <folder>       the domain folder (default: ./picket-domain)
      --passphrase-file <f>   read the passphrase from the first line of <f>;
                              otherwise the PICKET_PASSPHRASE environment variable
`;

export function domainFolderOf(parsed: ParsedCommandLine): string {
	return optionText(parsed, "domain") ?? "picket-domain";
}

/** A decimal integer in [min, max], or "bad-option". */
export function parseInteger(text: string, what: string, min: number, max: number): number {
	if (!/^[0-9]+$/.test(text)) throw new PicketError<CommandErrorCode>("bad-option", `${what}: not a number: ${JSON.stringify(text)}`);
	const value = Number(text);
	if (value < min || value > max) throw new PicketError<CommandErrorCode>("bad-option", `${what}: ${value} outside ${min}..${max}`);
	return value;
}

export function readInputFile(path: string): Uint8Array {
	try {
		return new Uint8Array(readFileSync(path));
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not-found" : "io";
		throw new PicketError<CommandErrorCode>(code, `cannot read ${path}: ${(error as Error).message}`);
	}
}

/** Runs the sub-command named by the first word, or prints the group's help. */
export async function dispatch(
	args: readonly string[],
	io: CommandIo,
	help: string,
	commands: Readonly<Record<string, (args: readonly string[], io: CommandIo) => void | Promise<void>>>,
): Promise<void> {
	const [word, ...rest] = args;
	if (word === undefined || word === "--help" || word === "-h" || word === "help") {
		io.stdout(help);
		if (word === undefined) throw new PicketError<CommandErrorCode>("bad-usage", "a command is required");
		return;
	}
	const command = Object.hasOwn(commands, word) ? commands[word] : undefined;
	if (command === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `unknown command "${word}"; commands: ${Object.keys(commands).join(", ")}`);
	await command(rest, io);
}
