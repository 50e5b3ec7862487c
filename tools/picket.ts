/**
 * `picket`: the operator's host tool. One entry point; each top-level word is a command
 * group found at run time in `tools/<area>/*-command.ts` (see tools/cli/command-group.ts),
 * so groups are added as files, never by editing this one.
 *
 *   node build/tools/picket.js <group> <command> [options]     (npm run picket -- …)
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { PicketError } from "picket/core/picket-error";
import { isCommandGroup, type CommandErrorCode, type CommandGroup, type CommandIo } from "picket/tools/cli/command-group";

const toolsFolder = fileURLToPath(new URL(".", import.meta.url));

/** Every command group under the compiled tools folder, sorted by name. */
export async function findCommandGroups(folder: string = toolsFolder): Promise<CommandGroup[]> {
	const groups = new Map<string, CommandGroup>();
	const areas = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory());
	for (const area of areas) {
		const files = readdirSync(join(folder, area.name)).filter((file) => file.endsWith("-command.js"));
		for (const file of files.sort()) {
			const module = (await import(pathToFileURL(join(folder, area.name, file)).href)) as { default?: unknown };
			if (!isCommandGroup(module.default)) continue;
			const clash = groups.get(module.default.name);
			if (clash !== undefined) throw new PicketError("bad-usage", `two command groups are named "${module.default.name}" (${area.name}/${file})`);
			groups.set(module.default.name, module.default);
		}
	}
	return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function overview(groups: readonly CommandGroup[]): string {
	const width = Math.max(0, ...groups.map((group) => group.name.length));
	return [
		"Usage: picket <group> <command> [options]",
		"",
		"Groups:",
		...groups.map((group) => `  ${group.name.padEnd(width)}  ${group.summary}`),
		"",
		"Run `picket <group> --help` for the commands of a group.",
		"",
	].join("\n");
}

/** Runs the CLI on `args` (the words after `picket`); returns the process exit code. */
export async function runPicket(args: readonly string[], io: CommandIo): Promise<number> {
	try {
		const groups = await findCommandGroups();
		const [word, ...rest] = args;
		if (word === undefined || word === "--help" || word === "-h" || word === "help") {
			io.stdout(overview(groups));
			return word === undefined ? 2 : 0;
		}
		const group = groups.find((candidate) => candidate.name === word);
		if (group === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `unknown group "${word}"; groups: ${groups.map((g) => g.name).join(", ")}`);
		await group.run(rest, io);
		return 0;
	} catch (error) {
		if (error instanceof PicketError) {
			io.stderr(`picket: ${error.message}\n`);
			return 1;
		}
		io.stderr(`picket: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		return 70; // EX_SOFTWARE: a bug, not bad input
	}
}

/**
 * A process stream that a reader may close early (`picket image verify … | head -1`): the
 * EPIPE that follows is the reader's choice, not a failure of the command, so the command
 * ends with its own exit status and nothing more is written; any other write error still
 * surfaces as a crash.
 */
function closableOutput(stream: NodeJS.WriteStream): (output: string | Uint8Array) => void {
	let readerGone = false;
	stream.on("error", (error: NodeJS.ErrnoException) => {
		if (error.code !== "EPIPE") throw error;
		readerGone = true;
	});
	return (output) => {
		if (!readerGone) stream.write(output);
	};
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
	const code = await runPicket(process.argv.slice(2), { stdout: closableOutput(process.stdout), stderr: closableOutput(process.stderr) });
	process.exitCode = code;
}
