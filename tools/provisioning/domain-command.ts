/**
 * `picket domain init | show`: create a PTT domain's authority (domain id, ECDSA P-256
 * signing key, domain secret, group definitions), sealed under a passphrase, and show it.
 */
import { existsSync } from "node:fs";
import { PicketError } from "picket/core/picket-error";
import type { CommandErrorCode, CommandGroup, CommandIo } from "picket/tools/cli/command-group";
import { optionText, parseCommandLine } from "picket/tools/cli/parse-command-line";
import { DOMAIN_OPTIONS, DOMAIN_OPTIONS_HELP, dispatch, domainFolderOf, parseInteger } from "picket/tools/provisioning/command-line";
import { domainFilePath, loadDomain, readPassphrase, saveDomain, sealCost } from "picket/tools/provisioning/domain-folder";
import { Domain } from "picket/tools/provisioning/domain-store";
import { nodeAuthoritySigner } from "picket/tools/provisioning/node-signer";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

const GROUP_HELP = `Usage: picket domain <command> [options]

Commands:
  init   create a domain: id, authority signing key, domain secret, groups
  show   print the domain: epoch, groups, devices, roster size (no secrets)

Run \`picket domain <command> --help\` for its options.
`;

const INIT_HELP = `Usage: picket domain init --group <name>=<n> [--group …] [options]

Creates the domain folder and its sealed authority file (domain.picket): a random 8-byte
domain id, an ECDSA P-256 authority key, a random 32-byte domain secret, and the groups.
The file is encrypted with AES-256-GCM under a key scrypt derives from the passphrase.

  -g, --group <name>=<n>      an authorisation group, number 0..31 (repeat the option)
      --force                 replace an existing domain (its devices stop working)
${DOMAIN_OPTIONS_HELP}
Example:
  PICKET_PASSPHRASE=… picket domain init -d site-a -g motion=0 -g panic=1
`;

const SHOW_HELP = `Usage: picket domain show [--json] [options]

      --json                  machine-readable output
${DOMAIN_OPTIONS_HELP}`;

function parseGroups(definitions: readonly string[]): Record<string, number> {
	const groups: Record<string, number> = {};
	for (const definition of definitions) {
		const match = /^([^=]+)=([0-9]+)$/.exec(definition);
		if (match === null) throw new PicketError<CommandErrorCode>("bad-option", `--group ${definition}: expected <name>=<number>`);
		if (Object.hasOwn(groups, match[1])) throw new PicketError<CommandErrorCode>("bad-option", `--group ${match[1]} given twice`);
		groups[match[1]] = parseInteger(match[2], `--group ${match[1]}`, 0, 31);
	}
	return groups;
}

function init(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { ...DOMAIN_OPTIONS, group: { type: "string", short: "g", multiple: true }, force: { type: "boolean" } }, INIT_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length > 0) throw new PicketError<CommandErrorCode>("bad-usage", `unexpected argument ${parsed.positionals[0]}\n\n${INIT_HELP}`);
	const folder = domainFolderOf(parsed);
	const force = parsed.values.force === true;
	if (!force && existsSync(domainFilePath(folder))) throw new PicketError<CommandErrorCode>("exists", `${domainFilePath(folder)} already exists (use --force to replace it)`);
	const definitions = parsed.values.group;
	const groups = parseGroups(Array.isArray(definitions) ? definitions : []);
	const passphrase = readPassphrase(optionText(parsed, "passphrase-file"));
	const domain = Domain.create({ groups, crypto: createNodeCryptoSuite(), signer: nodeAuthoritySigner });
	saveDomain(folder, domain, passphrase, sealCost(), { exclusive: !force });
	const summary = domain.summary() as { domainId: string; authorityPublicKey: string };
	io.stdout(`created domain ${summary.domainId} in ${folder}\nauthority public key ${summary.authorityPublicKey}\ngroups ${JSON.stringify(Object.fromEntries(domain.groups))}\n`);
}

function show(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { ...DOMAIN_OPTIONS, json: { type: "boolean" } }, SHOW_HELP, io);
	if (parsed === undefined) return;
	const domain = loadDomain(domainFolderOf(parsed), readPassphrase(optionText(parsed, "passphrase-file")));
	if (parsed.values.json === true) {
		io.stdout(`${JSON.stringify(domain.summary(), null, 2)}\n`);
		return;
	}
	const lines = [
		`domain ${Buffer.from(domain.domainId).toString("hex")}, epoch ${domain.epoch}`,
		`authority public key ${Buffer.from(domain.authorityPublicKey).toString("hex")}`,
		`groups: ${[...domain.groups].map(([name, number]) => `${name}=${number}`).join(", ") || "none"}`,
		`roster: ${domain.members().length} members, ${domain.roster().length} bytes`,
		"",
		"  id  role       groups                 state",
	];
	const names = new Map([...domain.groups].map(([name, number]) => [number, name]));
	for (const device of domain.devices()) {
		const groups = [];
		for (let g = 0; g < 32; g++) if ((device.groups >>> g) & 1) groups.push(names.get(g) ?? String(g));
		const state = device.revokedAtEpoch === undefined ? "member" : `revoked (epoch ${device.revokedAtEpoch})`;
		lines.push(`${String(device.id).padStart(4)}  ${device.role.padEnd(9)}  ${(groups.join(",") || "-").padEnd(21)}  ${state}`);
	}
	io.stdout(`${lines.join("\n")}\n`);
}

const domainCommand: CommandGroup = {
	name: "domain",
	summary: "create a PTT domain (authority key, secret, groups) and show it",
	run: (args, io) => dispatch(args, io, GROUP_HELP, { init, show }),
};

export default domainCommand;
