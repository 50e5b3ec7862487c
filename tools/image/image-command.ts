/**
 * `picket image keygen | getpub | getpubhash | sign | verify | dump`: MCUboot images as
 * imgtool 2.4.0 makes them, with imgtool's option names so its documentation applies.
 * Files named *.hex are Intel HEX in and out, as imgtool decides by the extension.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { PicketError } from "picket/core/picket-error";
import { toHex } from "picket/core/bytes";
import { parseBasedInteger, type CommandErrorCode, type CommandGroup, type CommandIo } from "picket/tools/cli/command-group";
import { parseCommandLine } from "picket/tools/cli/parse-command-line";
import { writeFileAtomically } from "picket/tools/cli/write-atomically";
import {
	checkImageHash,
	describeImage,
	formatImageVersion,
	imageBinary,
	parseImage,
	parseImageVersion,
	signImageForSlot,
	verifyImage,
	type FlashAlignment,
	type ImageHashAlgorithm,
	type ImageKeyAlgorithm,
	type ImageSignOptions,
	type SignedImage,
} from "picket/tools/image/mcuboot-image";
import { generateImageKeyPem, IMAGE_KEY_ALGORITHMS, loadImageSigningKey, loadImageVerifyingKey, publicKeyPem } from "picket/tools/image/image-keys";
import { formatIntelHex, intelHexToBinary, parseIntelHex, type HexSegment } from "picket/tools/image/intel-hex";
import {
	PUBLIC_KEY_ENCODINGS,
	PUBLIC_KEY_HASH_ENCODINGS,
	publicKeyHashText,
	publicKeyText,
	type PublicKeyEncoding,
	type PublicKeyHashEncoding,
} from "picket/tools/image/public-key-text";

const GROUP_HELP = `Usage: picket image <command> [options]

MCUboot images in the format imgtool 2.4.0 writes (header, protected and unprotected
TLV areas, SHA-256/384/512, key hash or public key, Ed25519 or ECDSA P-256 signature,
optional slot trailer), as binaries or Intel HEX (files named *.hex).

Commands:
  keygen      make a signing key (PKCS#8 PEM, like imgtool keygen)
  getpub      print a key's public half (C array by default, like imgtool getpub)
  getpubhash  print the SHA-256 of a key's public half
  sign        sign a firmware binary into an image
  verify      check an image's hash, key and signature
  dump        print an image's header, TLVs and trailer

A password-protected key is opened with the password in PICKET_IMAGE_PASSWORD.
Run \`picket image <command> --help\` for its options.
`;

const KEYGEN_HELP = `Usage: picket image keygen -t <type> -k <file> [-p] [--force]

  -t, --type <type>   ed25519 or ecdsa-p256
  -k, --key <file>    where to write the private key (PKCS#8 PEM, mode 0600)
  -p, --password      protect the key with the password in PICKET_IMAGE_PASSWORD
      --force         replace an existing file (otherwise refused)
`;

const GETPUB_HELP = `Usage: picket image getpub -k <file> [-e <encoding>] [-o <file>]

  -k, --key <file>       private or public key PEM
  -e, --encoding <enc>   lang-c (default), lang-rust, pem or raw (the DER bytes)
  -l, --lang <lang>      c or rust (deprecated in imgtool: use -e)
  -o, --output <file>    write there instead of standard output
`;

const GETPUBHASH_HELP = `Usage: picket image getpubhash -k <file> [-e <encoding>] [-o <file>]

SHA-256 of the key's SubjectPublicKeyInfo DER: a SHA-256 image's KEYHASH, as imgtool prints it.
  -k, --key <file>       private or public key PEM
  -e, --encoding <enc>   lang-c (default) or raw (the 32 bytes)
  -o, --output <file>    write there instead of standard output
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
      --sha <auto|256|384|512>   image hash (auto: SHA-256; Ed25519 may use 512, ECDSA P-256 only 256)
      --pure                     Ed25519 signs the image itself (SIG_PURE; hash SHA-512)
      --public-key-format <hash|full>  KEYHASH (default) or the whole PUBKEY in the image
      --pad-sig                  pad the ECDSA signature to 72 bytes (for MCUboot < 1.5)
  -x, --hex-addr <n>             address of a .hex output (default: the .hex input's)
Numbers take 0x/0o/0b prefixes. <infile> and <outfile> named *.hex are Intel HEX.
The output is written aside and renamed into place.
`;

const VERIFY_HELP = `Usage: picket image verify [-k <key>] <imgfile>

  -k, --key <file>   private or public key PEM; without it only the hash is checked
Prints the version and the image digest (as imgtool verify); exits 1 on any failure.
`;

const DUMP_HELP = `Usage: picket image dump [--json] <imgfile>

Prints header, protected and unprotected TLVs and the trailer after checking the
structure and the hash (not the signature: use verify). An encrypted image's hash covers
its plaintext: it is shown unchecked, as imgtool dumpinfo does.
      --json   machine-readable output
`;

/** Where verify and dump stop reading a sparse .hex (its gaps become 0xff bytes). */
const MAX_HEX_IMAGE_SPAN = 64 * 1024 * 1024;

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

/** image.py decides by the extension: `os.path.splitext(path)[1][1:].lower() == "hex"`. */
function isIntelHex(path: string): boolean {
	return extname(path).toLowerCase() === ".hex";
}

/** A firmware or image file: Intel HEX becomes its bytes from the lowest address (gaps 0xff) and that address. */
function readFirmware(path: string, maxSpan: number): { readonly bytes: Uint8Array; readonly baseAddress?: number } {
	if (!isIntelHex(path)) return { bytes: readInput(path) };
	return intelHexToBinary(parseIntelHex(readText(path)), maxSpan);
}

/** PICKET_IMAGE_PASSWORD, for password-protected keys (imgtool prompts for it instead). */
function imagePassword(): string | undefined {
	return process.env.PICKET_IMAGE_PASSWORD;
}

function keygen(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(
		args,
		{ type: { type: "string", short: "t" }, key: { type: "string", short: "k" }, password: { type: "boolean", short: "p" }, force: { type: "boolean" } },
		KEYGEN_HELP,
		io,
	);
	if (parsed === undefined) return;
	const type = required(parsed.values.type, "--type", KEYGEN_HELP);
	const path = required(parsed.values.key, "--key", KEYGEN_HELP);
	if (!IMAGE_KEY_ALGORITHMS.includes(type as ImageKeyAlgorithm)) {
		throw new PicketError<CommandErrorCode>("bad-option", `--type must be one of ${IMAGE_KEY_ALGORITHMS.join(", ")}, not ${type}`);
	}
	let password: string | undefined;
	if (parsed.values.password === true) {
		password = imagePassword();
		if (password === undefined || password === "") throw new PicketError<CommandErrorCode>("bad-option", "--password takes the password from PICKET_IMAGE_PASSWORD, which is not set");
	}
	writeFileAtomically(path, generateImageKeyPem(type as ImageKeyAlgorithm, password), { mode: 0o600, exclusive: parsed.values.force !== true });
	io.stdout(`wrote ${type} key ${path}${password === undefined ? "" : " (password-protected)"}\n`);
}

function emit(output: string | Uint8Array, path: string | undefined, io: CommandIo): void {
	if (path === undefined) io.stdout(output);
	else writeFileAtomically(path, output);
}

function choiceOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
	const found = text(value);
	if (found === undefined) return undefined;
	if (!allowed.includes(found as T)) throw new PicketError<CommandErrorCode>("bad-option", `${name} must be one of ${allowed.join(", ")}, not ${found}`);
	return found as T;
}

function getpub(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(
		args,
		{ key: { type: "string", short: "k" }, encoding: { type: "string", short: "e" }, lang: { type: "string", short: "l" }, output: { type: "string", short: "o" } },
		GETPUB_HELP,
		io,
	);
	if (parsed === undefined) return;
	const encoding = choiceOf<PublicKeyEncoding>(parsed.values.encoding, "--encoding", PUBLIC_KEY_ENCODINGS);
	const lang = choiceOf(parsed.values.lang, "--lang", ["c", "rust"] as const);
	// main.py getpub: -e and -l together are a usage error; neither means C.
	if (encoding !== undefined && lang !== undefined) throw new PicketError<CommandErrorCode>("bad-usage", "use only one of --encoding/-e or --lang/-l");
	const key = loadImageVerifyingKey(readText(required(parsed.values.key, "--key", GETPUB_HELP)), imagePassword());
	emit(publicKeyText(key, encoding ?? (lang === "rust" ? "lang-rust" : "lang-c"), () => publicKeyPem(key)), text(parsed.values.output), io);
}

function getpubhash(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { key: { type: "string", short: "k" }, encoding: { type: "string", short: "e" }, output: { type: "string", short: "o" } }, GETPUBHASH_HELP, io);
	if (parsed === undefined) return;
	const encoding = choiceOf<PublicKeyHashEncoding>(parsed.values.encoding, "--encoding", PUBLIC_KEY_HASH_ENCODINGS) ?? "lang-c";
	const key = loadImageVerifyingKey(readText(required(parsed.values.key, "--key", GETPUBHASH_HELP)), imagePassword());
	emit(publicKeyHashText(key, encoding), text(parsed.values.output), io);
}

/** imgtool's `--sha` choices (main.py valid_sha); auto lets the key decide. */
const SHA_CHOICES = ["auto", "256", "384", "512"] as const;

/**
 * The signed image as the output file holds it. A binary is the image, or the whole slot
 * with --pad. Intel HEX (image.py `save`) puts the image at the base address and, with
 * --pad, only the trailer writes at their slot addresses: the gap stays out of the file.
 */
function imageFile(signed: SignedImage, outfile: string, baseAddress: number | undefined): { readonly contents: string | Uint8Array; readonly asBinary: Uint8Array } {
	if (!isIntelHex(outfile)) {
		const binary = imageBinary(signed);
		return { contents: binary, asBinary: binary };
	}
	if (baseAddress === undefined) throw new PicketError<CommandErrorCode>("bad-option", "a .hex output needs an address: the input is not Intel HEX and no --hex-addr was given");
	const segments: HexSegment[] = [{ address: baseAddress, bytes: signed.image }];
	for (const write of signed.slot?.trailer ?? []) segments.push({ address: baseAddress + write.offset, bytes: write.bytes });
	const contents = formatIntelHex(segments);
	return { contents, asBinary: intelHexToBinary(parseIntelHex(contents), Number.MAX_SAFE_INTEGER).bytes };
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
			sha: { type: "string" },
			pure: { type: "boolean" },
			"public-key-format": { type: "string" },
			"pad-sig": { type: "boolean" },
			"hex-addr": { type: "string", short: "x" },
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
	const hexAddress = integer("hex-addr");
	const counter = text(values["security-counter"]);
	const erased = text(values["erased-val"]);
	if (erased !== undefined && erased !== "0" && erased !== "0xff") throw new PicketError<CommandErrorCode>("bad-option", "--erased-val must be 0 or 0xff");
	const sha = choiceOf(values.sha, "--sha", SHA_CHOICES);
	const hashAlgorithm = sha === undefined || sha === "auto" ? undefined : (`sha${sha}` as ImageHashAlgorithm);
	const publicKeyFormat = choiceOf(values["public-key-format"], "--public-key-format", ["hash", "full"] as const);
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
		...(hashAlgorithm === undefined ? {} : { hashAlgorithm }),
		pure: values.pure === true,
		...(publicKeyFormat === undefined ? {} : { publicKeyFormat }),
		padSignature: values["pad-sig"] === true,
	};
	const keyPath = text(values.key);
	const key = keyPath === undefined ? undefined : loadImageSigningKey(readText(keyPath), imagePassword());
	const firmware = readFirmware(infile, options.slotSize);
	// image.py load(): --pad-header moves a .hex input's base address down by the header
	// size (unless it is 0); save(): --hex-addr replaces it.
	let baseAddress = firmware.baseAddress;
	if (baseAddress !== undefined && baseAddress !== 0 && options.padHeader === true) baseAddress -= options.headerSize;
	if (hexAddress !== undefined) baseAddress = hexAddress;
	if (isIntelHex(outfile) && baseAddress !== undefined && baseAddress < 0) {
		throw new PicketError<CommandErrorCode>("bad-option", `--pad-header puts the header below address 0 (input at 0x${firmware.baseAddress!.toString(16)}): give --hex-addr`);
	}
	if (hexAddress !== undefined && !isIntelHex(outfile)) io.stderr(`picket: note: --hex-addr applies to a .hex output only; ${outfile} is written as a binary\n`);
	const signed = signImageForSlot(firmware.bytes, options, key);
	const file = imageFile(signed, outfile, baseAddress);
	const verification = verifyImage(file.asBinary, key); // check our own output before it reaches disk
	writeFileAtomically(outfile, file.contents);
	io.stdout(`wrote ${outfile}: ${file.asBinary.length} bytes, version ${formatImageVersion(options.version)}, ${key === undefined ? "unsigned (hash only)" : `signed ${key.algorithm}${options.pure === true ? " (pure)" : ""}`}\n`);
	if (verification.digest !== undefined) io.stdout(`Image digest: ${toHex(verification.digest)}\n`);
}

function verify(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { key: { type: "string", short: "k" } }, VERIFY_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `verify takes one <imgfile>\n\n${VERIFY_HELP}`);
	const keyPath = text(parsed.values.key);
	const key = keyPath === undefined ? undefined : loadImageVerifyingKey(readText(keyPath), imagePassword());
	const result = verifyImage(readFirmware(parsed.positionals[0]!, MAX_HEX_IMAGE_SPAN).bytes, key);
	io.stdout(result.signedBy === undefined ? "Image hash is valid (no key given: signature not checked)\n" : `Image was correctly validated (${result.signedBy}${result.pure ? ", pure" : ""})\n`);
	io.stdout(`Image version: ${formatImageVersion(result.image.header.version)}\n`);
	// main.py verify: the digest when the image has a hash TLV; a pure signature otherwise.
	if (result.digest !== undefined) io.stdout(`Image digest: ${toHex(result.digest)}\n`);
	if (result.pure && result.signature !== undefined) io.stdout(`Image signature over image: ${toHex(result.signature)}\n`);
}

function dump(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { json: { type: "boolean" } }, DUMP_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `dump takes one <imgfile>\n\n${DUMP_HELP}`);
	const image = parseImage(readFirmware(parsed.positionals[0]!, MAX_HEX_IMAGE_SPAN).bytes);
	const view = describeImage(image, checkImageHash(image));
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

const COMMANDS: Record<string, (args: readonly string[], io: CommandIo) => void> = { keygen, getpub, getpubhash, sign, verify, dump };

const imageCommands: CommandGroup = {
	name: "image",
	summary: "MCUboot firmware images: keygen, getpub, getpubhash, sign, verify, dump",
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
