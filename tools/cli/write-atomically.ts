/**
 * Writes a file so that a reader sees either the old contents or the complete new ones,
 * never a half-written file: write a sibling temporary file, flush it to disk, then rename
 * it over the target (rename is atomic within one directory on POSIX file systems).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { PicketError } from "picket/core/picket-error";
import type { CommandErrorCode } from "picket/tools/cli/command-group";

export interface WriteOptions {
	/** File mode of the new file; 0o600 for anything secret. */
	readonly mode?: number;
	/** Refuse ("exists") when the target already exists, e.g. so keygen never clobbers a key. */
	readonly exclusive?: boolean;
}

export function writeFileAtomically(path: string, contents: Uint8Array | string, options: WriteOptions = {}): void {
	if (options.exclusive === true && existsSync(path)) {
		throw new PicketError<CommandErrorCode>("exists", `${path} already exists (use --force to replace it)`);
	}
	const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
	let descriptor: number | undefined;
	try {
		descriptor = openSync(temporary, "wx", options.mode ?? 0o644);
		const bytes = typeof contents === "string" ? Buffer.from(contents, "utf8") : contents;
		let written = 0;
		while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
		fsyncSync(descriptor);
		closeSync(descriptor);
		descriptor = undefined;
		renameSync(temporary, path);
	} catch (error) {
		if (descriptor !== undefined) closeSync(descriptor);
		rmSync(temporary, { force: true });
		if (error instanceof PicketError) throw error;
		throw new PicketError<CommandErrorCode>("io", `cannot write ${path}: ${(error as Error).message}`);
	}
}
