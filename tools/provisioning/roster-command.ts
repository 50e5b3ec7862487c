/**
 * `picket roster sign | show`: re-sign the current roster and re-issue every member's
 * bundle with it; print a roster file after verifying its signature.
 */
import { PicketError } from "picket/core/picket-error";
import { fromHex, toHex } from "picket/core/bytes";
import { Roster, groupsOf } from "picket/provisioning/roster";
import type { CommandErrorCode, CommandGroup, CommandIo } from "picket/tools/cli/command-group";
import { optionText, parseCommandLine } from "picket/tools/cli/parse-command-line";
import { DOMAIN_OPTIONS, DOMAIN_OPTIONS_HELP, dispatch, domainFolderOf, readInputFile } from "picket/tools/provisioning/command-line";
import { loadDomain, readPassphrase, saveDomain, sealCost } from "picket/tools/provisioning/domain-folder";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

const GROUP_HELP = `Usage: picket roster <command> [options]

Commands:
  sign   sign the current roster (<domain>/roster.bin) and re-issue every bundle with it
  show   verify a roster file against an authority public key and list its members

Run \`picket roster <command> --help\` for its options.
`;

const SIGN_HELP = `Usage: picket roster sign [options]

Signs the roster of the current epoch with the authority key (ECDSA P-256, r ‖ s) and
writes it to <domain>/roster.bin. No bundle is re-issued (a bundle of an epoch a board
already ran would repeat its nonces after an erase): devices take a new roster of a new
epoch through the deliveries \`device add\`, \`revoke\` and \`reissue\` write.

${DOMAIN_OPTIONS_HELP}`;

const SHOW_HELP = `Usage: picket roster show <roster.bin> --authority <hex>

  -a, --authority <hex>       the authority public key (65-byte SEC1 hex, as \`domain show\` prints)
`;

function sign(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, DOMAIN_OPTIONS, SIGN_HELP, io);
	if (parsed === undefined) return;
	const folder = domainFolderOf(parsed);
	const passphrase = readPassphrase(optionText(parsed, "passphrase-file"));
	const domain = loadDomain(folder, passphrase);
	saveDomain(folder, domain, passphrase, sealCost());
	io.stdout(`signed roster of epoch ${domain.epoch}: ${domain.members().length} members, ${domain.roster().length} bytes, ${folder}/roster.bin\n`);
}

function show(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { authority: { type: "string", short: "a" } }, SHOW_HELP, io);
	if (parsed === undefined) return;
	const authority = optionText(parsed, "authority");
	if (parsed.positionals.length !== 1 || authority === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `a roster file and --authority are required\n\n${SHOW_HELP}`);
	let key: Uint8Array;
	try {
		key = fromHex(authority);
	} catch {
		throw new PicketError<CommandErrorCode>("bad-option", "--authority: not hex");
	}
	const roster = Roster.decode(readInputFile(parsed.positionals[0]), key, createNodeCryptoSuite());
	const lines = [`roster of domain ${toHex(roster.domainId)}, epoch ${roster.epoch}: ${roster.size} members, signature valid`];
	for (const member of roster.members()) lines.push(`${String(member.id).padStart(4)}  ${member.role.padEnd(9)}  groups ${groupsOf(member.groups).join(",") || "-"}  ${toHex(member.staticPublicKey)}`);
	io.stdout(`${lines.join("\n")}\n`);
}

const rosterCommand: CommandGroup = {
	name: "roster",
	summary: "sign the domain's roster, verify and list a roster file",
	run: (args, io) => dispatch(args, io, GROUP_HELP, { sign, show }),
};

export default rosterCommand;
