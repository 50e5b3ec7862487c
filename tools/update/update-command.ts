/**
 * `picket update offer | anchor`: what an operator runs before a rollout over the radio.
 * `offer` turns an image signed with the update key into the signed offer and the page table
 * a seeder broadcasts (tools/update/update-signing.ts); `anchor` prints the key's point, the
 * 65 bytes every board pins at provisioning (modules/update/update-anchor.ts).
 */
import { readFileSync } from "node:fs";
import { PicketError } from "picket/core/picket-error";
import { toHex } from "picket/core/bytes";
import { parseBasedInteger, type CommandErrorCode, type CommandGroup, type CommandIo } from "picket/tools/cli/command-group";
import { optionText, parseCommandLine } from "picket/tools/cli/parse-command-line";
import { writeFileAtomically } from "picket/tools/cli/write-atomically";
import { formatImageVersion } from "picket/tools/image/mcuboot-image";
import { TransferPlan } from "picket/update/transfer-plan";
import { packageRollout, updateKeyPoint } from "picket/tools/update/update-signing";

const HELP = `Usage: picket update <command> [options]

Commands:
  offer    sign the offer and page table of a rollout of a signed image
  anchor   print the update key's point (what boards pin at provisioning), hex

The image must be signed with the same ECDSA P-256 key (picket image sign -k <key>
--security-counter N; --header-size 0x1000 --pad-header for ESP32 boards).
`;

const OFFER_HELP = `Usage: picket update offer -k <key> --rollout <n> -o <prefix> <image>

  -k, --key <file>        the update key (ECDSA P-256 PEM, as picket image keygen writes)
      --rollout <n>       the rollout's number (u32; boards name it in every frame)
      --page-shift <n>    log2 of the page size, 12..16 (default 14: 16 KiB)
      --chunk <n>         image bytes per frame, 16..224 (default 224)
  -o, --output <prefix>   writes <prefix>.offer (151 bytes) and <prefix>.pages
`;

const ANCHOR_HELP = `Usage: picket update anchor -k <key>

  -k, --key <file>   the update key, private or public PEM
`;

function readText(path: string): string {
	try {
		return readFileSync(path, "utf8");
	} catch {
		throw new PicketError<CommandErrorCode>("not-found", `cannot read ${path}`);
	}
}

function requireOption(value: string | undefined, name: string, help: string): string {
	if (value === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `--${name} is required\n\n${help}`);
	return value;
}

async function offer(args: readonly string[], io: CommandIo): Promise<void> {
	const parsed = parseCommandLine(args, { key: { type: "string", short: "k" }, rollout: { type: "string" }, "page-shift": { type: "string" }, chunk: { type: "string" }, output: { type: "string", short: "o" } }, OFFER_HELP, io);
	if (parsed === undefined) return;
	const [imagePath] = parsed.positionals;
	if (imagePath === undefined || parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `one image file\n\n${OFFER_HELP}`);
	const key = readText(requireOption(optionText(parsed, "key"), "key", OFFER_HELP));
	const rollout = parseBasedInteger(requireOption(optionText(parsed, "rollout"), "rollout", OFFER_HELP), "--rollout");
	const prefix = requireOption(optionText(parsed, "output"), "output", OFFER_HELP);
	let image: Uint8Array;
	try {
		image = new Uint8Array(readFileSync(imagePath));
	} catch {
		throw new PicketError<CommandErrorCode>("not-found", `cannot read ${imagePath}`);
	}
	const pageShift = optionText(parsed, "page-shift");
	const chunk = optionText(parsed, "chunk");
	const pkg = packageRollout(image, key, {
		rollout,
		...(pageShift === undefined ? {} : { pageShift: parseBasedInteger(pageShift, "--page-shift") }),
		...(chunk === undefined ? {} : { chunkLength: parseBasedInteger(chunk, "--chunk") }),
	});
	writeFileAtomically(`${prefix}.offer`, pkg.offerBytes);
	writeFileAtomically(`${prefix}.pages`, pkg.pageTable);
	const plan = new TransferPlan(pkg.offer);
	io.stdout(
		`rollout ${rollout}: version ${formatImageVersion(pkg.offer.version)}, security counter ${pkg.offer.securityCounter}, ${image.length} bytes in ${plan.pageCount} pages, ${plan.totalChunks} chunks\n` +
			`image SHA-256 ${toHex(pkg.offer.imageDigest)}\n`,
	);
}

async function anchor(args: readonly string[], io: CommandIo): Promise<void> {
	const parsed = parseCommandLine(args, { key: { type: "string", short: "k" } }, ANCHOR_HELP, io);
	if (parsed === undefined) return;
	io.stdout(`${toHex(updateKeyPoint(readText(requireOption(optionText(parsed, "key"), "key", ANCHOR_HELP))))}\n`);
}

const group: CommandGroup = {
	name: "update",
	summary: "sign a rollout's offer for boards to update over the radio",
	async run(args, io) {
		const [command, ...rest] = args;
		if (command === "offer") return offer(rest, io);
		if (command === "anchor") return anchor(rest, io);
		if (command === undefined || command === "--help" || command === "-h") {
			io.stdout(HELP);
			return;
		}
		throw new PicketError<CommandErrorCode>("bad-usage", `unknown command "${command}"\n\n${HELP}`);
	},
};

export default group;
