/**
 * `picket image keygen | getpub | sign | verify | dump`: MCUboot images as imgtool 2.4.0
 * makes them, with imgtool's option names so its documentation applies.
 */
import { readFileSync } from "node:fs";
import { PicketError } from "picket/core/picket-error";
import { toHex } from "picket/core/bytes";
import { parseBasedInteger, type CommandErrorCode, type CommandGroup, type CommandIo } from "picket/tools/cli/command-group";
import { parseCommandLine } from "picket/tools/cli/parse-command-line";
import { writeFileAtomically } from "picket/tools/cli/write-atomically";
import {
	describeImage,
	formatImageVersion,
	parseImageVersion,
	signImage,
	verifyImage,
	type FlashAlignment,
	type ImageKeyAlgorithm,
	type ImageSignOptions,
} from "picket/tools/image/mcuboot-image";
import { generateImageKeyPem, IMAGE_KEY_ALGORITHMS, loadImageSigningKey, loadImageVerifyingKey, publicKeyPem } from "picket/tools/image/image-keys";

const GROUP_HELP = `Usage: picket image <command> [options]

MCUboot images in the format imgtool 2.4.0 writes (header, protected and unprotected
TLV areas, SHA-256, key hash, Ed25519 or ECDSA P-256 signature, optional slot trailer).

Commands:
  keygen   make a signing key (PKCS#8 PEM, like imgtool keygen)
  getpub   print a key's public half (SubjectPublicKeyInfo PEM)
  sign     sign a firmware binary into an image
  verify   check an image's hash, key and signature
  dump     print an image's header, TLVs and trailer

Run \`picket image <command> --help\` for its options.
`;

const KEYGEN_HELP = `Usage: picket image keygen -t <type> -k <file> [--force]

  -t, --type <type>   ed25519 or ecdsa-p256
  -k, --key <file>    where to write the private key (PKCS#8 PEM, mode 0600)
      --force         replace an existing file (otherwise refused)
`;

const GETPUB_HELP = `Usage: picket image getpub -k <file> [-o <file>]

  -k, --key <file>     private or public key PEM
  -o, --output <file>  write there instead of standard output
`;

const SIGN_HELP = `Usage: picket image sign -k <key> -H <size> -v <version> -S <size> [options] <infile> <outfile>

Options (imgtool's names and meanings):
  -k, --key <file>               signing key PEM (ed25519 or ecdsa-p256); omit for a hash-only image
  -H, --header-size <n>          header size, ≥ 0x20 (header + padding before the body)
      --pad-header               prepend header-size erased bytes to the input
  -v, --version <a.b.c+d>        image version (later parts optional)
  -S, --slot-size <n>            slot size; image + trailer must fit
      --align <n>                flash write alignment: 1, 2, 4, 8, 16, 32 (default 1)
      --max-align <n>            8, 16 or 32 (default max(8, align))
      --pad                      pad to slot size and write the boot magic trailer
      --confirm                  pad and mark the image confirmed (image_ok = 1)
      --test                     pad, leaving image_ok erased (test swap)
  -s, --security-counter <n|auto>  protected SEC_CNT TLV (auto: from the version)
  -R, --erased-val <0|0xff>      value of erased flash (default 0xff)
      --overwrite-only           trailer for overwrite-only upgrades
  -M, --max-sectors <n>          sectors the swap status covers (default 128)
  -L, --load-addr <n>            RAM load address (sets RAM_LOAD)
Numbers take 0x/0o/0b prefixes. The output is written aside and renamed into place.
`;

const VERIFY_HELP = `Usage: picket image verify [-k <key>] <imgfile>

  -k, --key <file>   private or public key PEM; without it only the hash is checked
Prints the version and the image digest (as imgtool verify); exits 1 on any failure.
`;

const DUMP_HELP = `Usage: picket image dump [--json] <imgfile>

Prints header, protected and unprotected TLVs and the trailer after checking the
structure and the SHA-256 (not the signature: use verify).
      --json   machine-readable output
`;

function text(value: unknown): string | undefined {
	return typeof value === "string" ? value : undefined;
}

function required(value: unknown, name: string, help: string): string {
	const found = text(value);
	if (found === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `${name} is required\n\n${help}`);
	return found;
}

function readInput(path: string): Uint8Array {
	try {
		return new Uint8Array(readFileSync(path));
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not-found" : "io";
		throw new PicketError<CommandErrorCode>(code, `cannot read ${path}: ${(error as Error).message}`);
	}
}

function readText(path: string): string {
	return Buffer.from(readInput(path)).toString("utf8");
}

function keygen(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { type: { type: "string", short: "t" }, key: { type: "string", short: "k" }, force: { type: "boolean" } }, KEYGEN_HELP, io);
	if (parsed === undefined) return;
	const type = required(parsed.values.type, "--type", KEYGEN_HELP);
	const path = required(parsed.values.key, "--key", KEYGEN_HELP);
	if (!IMAGE_KEY_ALGORITHMS.includes(type as ImageKeyAlgorithm)) {
		throw new PicketError<CommandErrorCode>("bad-option", `--type must be one of ${IMAGE_KEY_ALGORITHMS.join(", ")}, not ${type}`);
	}
	writeFileAtomically(path, generateImageKeyPem(type as ImageKeyAlgorithm), { mode: 0o600, exclusive: parsed.values.force !== true });
	io.stdout(`wrote ${type} key ${path}\n`);
}

function getpub(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { key: { type: "string", short: "k" }, output: { type: "string", short: "o" } }, GETPUB_HELP, io);
	if (parsed === undefined) return;
	const pem = publicKeyPem(loadImageVerifyingKey(readText(required(parsed.values.key, "--key", GETPUB_HELP))));
	const output = text(parsed.values.output);
	if (output === undefined) io.stdout(pem);
	else writeFileAtomically(output, pem);
}

function sign(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(
		args,
		{
			key: { type: "string", short: "k" },
			"header-size": { type: "string", short: "H" },
			"pad-header": { type: "boolean" },
			version: { type: "string", short: "v" },
			"slot-size": { type: "string", short: "S" },
			align: { type: "string" },
			"max-align": { type: "string" },
			pad: { type: "boolean" },
			confirm: { type: "boolean" },
			test: { type: "boolean" },
			"security-counter": { type: "string", short: "s" },
			"erased-val": { type: "string", short: "R" },
			"overwrite-only": { type: "boolean" },
			"max-sectors": { type: "string", short: "M" },
			"load-addr": { type: "string", short: "L" },
		},
		SIGN_HELP,
		io,
	);
	if (parsed === undefined) return;
	const { values, positionals } = parsed;
	if (positionals.length !== 2) throw new PicketError<CommandErrorCode>("bad-usage", `sign takes <infile> <outfile>\n\n${SIGN_HELP}`);
	const [infile, outfile] = positionals as [string, string];
	const choice = <T extends number>(name: string, allowed: readonly T[]): T | undefined => {
		const raw = text(values[name]);
		if (raw === undefined) return undefined;
		const value = parseBasedInteger(raw, `--${name}`);
		if (!allowed.includes(value as T)) throw new PicketError<CommandErrorCode>("bad-option", `--${name} must be one of ${allowed.join(", ")}`);
		return value as T;
	};
	const integer = (name: string): number | undefined => {
		const raw = text(values[name]);
		return raw === undefined ? undefined : parseBasedInteger(raw, `--${name}`);
	};
	const maxSectors = integer("max-sectors");
	const loadAddress = integer("load-addr");
	const counter = text(values["security-counter"]);
	const erased = text(values["erased-val"]);
	if (erased !== undefined && erased !== "0" && erased !== "0xff") throw new PicketError<CommandErrorCode>("bad-option", "--erased-val must be 0 or 0xff");
	const options: ImageSignOptions = {
		headerSize: parseBasedInteger(required(values["header-size"], "--header-size", SIGN_HELP), "--header-size"),
		padHeader: values["pad-header"] === true,
		version: parseImageVersion(required(values.version, "--version", SIGN_HELP)),
		slotSize: parseBasedInteger(required(values["slot-size"], "--slot-size", SIGN_HELP), "--slot-size"),
		align: choice<FlashAlignment>("align", [1, 2, 4, 8, 16, 32]) ?? 1,
		...(values["max-align"] === undefined ? {} : { maxAlign: choice<8 | 16 | 32>("max-align", [8, 16, 32])! }),
		pad: values.pad === true,
		confirm: values.confirm === true,
		test: values.test === true,
		...(counter === undefined ? {} : { securityCounter: counter.toLowerCase() === "auto" ? ("auto" as const) : parseBasedInteger(counter, "--security-counter") }),
		...(erased === undefined ? {} : { erasedValue: erased === "0" ? (0 as const) : (0xff as const) }),
		overwriteOnly: values["overwrite-only"] === true,
		...(maxSectors === undefined ? {} : { maxSectors }),
		...(loadAddress === undefined ? {} : { loadAddress }),
	};
	const keyPath = text(values.key);
	const key = keyPath === undefined ? undefined : loadImageSigningKey(readText(keyPath));
	const image = signImage(readInput(infile), options, key);
	const verification = verifyImage(image, key); // check our own output before it reaches disk
	writeFileAtomically(outfile, image);
	io.stdout(`wrote ${outfile}: ${image.length} bytes, version ${formatImageVersion(options.version)}, ${key === undefined ? "unsigned (hash only)" : `signed ${key.algorithm}`}\n`);
	io.stdout(`Image digest: ${toHex(verification.digest)}\n`);
}

function verify(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { key: { type: "string", short: "k" } }, VERIFY_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `verify takes one <imgfile>\n\n${VERIFY_HELP}`);
	const keyPath = text(parsed.values.key);
	const key = keyPath === undefined ? undefined : loadImageVerifyingKey(readText(keyPath));
	const result = verifyImage(readInput(parsed.positionals[0]!), key);
	io.stdout(result.signedBy === undefined ? "Image hash is valid (no key given: signature not checked)\n" : `Image was correctly validated (${result.signedBy})\n`);
	io.stdout(`Image version: ${formatImageVersion(result.image.header.version)}\n`);
	io.stdout(`Image digest: ${toHex(result.digest)}\n`);
}

function dump(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { json: { type: "boolean" } }, DUMP_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `dump takes one <imgfile>\n\n${DUMP_HELP}`);
	const result = verifyImage(readInput(parsed.positionals[0]!));
	const view = describeImage(result.image, result.digest);
	if (parsed.values.json === true) {
		io.stdout(`${JSON.stringify(view, null, 2)}\n`);
		return;
	}
	const lines: string[] = [];
	const render = (value: unknown, indent: string): void => {
		for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
			if (Array.isArray(item)) {
				lines.push(`${indent}${name}:${item.length === 0 ? " none" : ""}`);
				for (const entry of item) {
					const tlv = entry as { type: string; offset: number; length: number; value: string };
					lines.push(`${indent}  ${tlv.type.padEnd(9)} @0x${tlv.offset.toString(16)} len ${tlv.length}: ${tlv.value}`);
				}
			} else if (typeof item === "object" && item !== null) {
				lines.push(`${indent}${name}:`);
				render(item, `${indent}  `);
			} else {
				lines.push(`${indent}${name}: ${String(item)}`);
			}
		}
	};
	render(view, "");
	io.stdout(`${lines.join("\n")}\n`);
}

const COMMANDS: Record<string, (args: readonly string[], io: CommandIo) => void> = { keygen, getpub, sign, verify, dump };

const imageCommands: CommandGroup = {
	name: "image",
	summary: "MCUboot firmware images: keygen, getpub, sign, verify, dump",
	async run(args, io) {
		const [command, ...rest] = args;
		if (command === undefined || command === "--help" || command === "-h") {
			io.stdout(GROUP_HELP);
			if (command === undefined) throw new PicketError<CommandErrorCode>("bad-usage", "picket image needs a command");
			return;
		}
		const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
		if (run === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `unknown image command "${command}"\n\n${GROUP_HELP}`);
		run(rest, io);
	},
};

export default imageCommands;
