/**
 * `picket device add | issue | revoke | reissue | inspect`: enrol a device (static X25519 key
 * pair, roster entry, bundle; a new epoch with deliveries for the members already issued
 * the current one), issue a held-back bundle, revoke one (new epoch, key-epoch deliveries for the others),
 * re-issue one for a new or erased board (new epoch, nobody removed), and check a bundle
 * file as the device's keystore would.
 */
import { join } from "node:path";
import { PicketError } from "picket/core/picket-error";
import { bundleView, decodeBundle } from "picket/provisioning/bundle";
import { openBundle } from "picket/provisioning/keystore";
import type { MemberRole } from "picket/link/membership";
import { MAX_MEMBER_ID, MEMBER_ROLES } from "picket/provisioning/roster";
import type { CommandErrorCode, CommandGroup, CommandIo } from "picket/tools/cli/command-group";
import { optionText, parseCommandLine } from "picket/tools/cli/parse-command-line";
import {
	DOMAIN_OPTIONS,
	DOMAIN_OPTIONS_HELP,
	dispatch,
	domainFolderOf,
	parseInteger,
	readInputFile,
} from "picket/tools/provisioning/command-line";
import { bundlePath, loadDomain, readPassphrase, saveDomain, sealCost, writeRevocation } from "picket/tools/provisioning/domain-folder";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

const GROUP_HELP = `Usage: picket device <command> [options]

Commands:
  add       enrol a device: key pair, roster entry, its bundle; deliveries for the others
  issue     write the bundle of a device enrolled with --no-bundle
  revoke    remove a device: new epoch, re-signed roster, deliveries for the others
  reissue   a new or erased board for a device: new epoch, deliveries for the others
  inspect   check a bundle file as the device would and print its JSON view

Run \`picket device <command> --help\` for its options.
`;

const ADD_HELP = `Usage: picket device add --role <role> [--groups <g,…>] [--id <n>] [--no-bundle] [options]

Enrols a device and writes its bundle only, in <domain>/devices/device-<id>.bundle (secret,
mode 0600) and device-<id>.json (redacted view). The other members learn the new roster
without a new bundle: a bundle of an epoch a board already ran, flashed onto it after an
erase, would repeat its nonces. So when members were already issued the current epoch, the
epoch advances and each of them gets a key-epoch delivery in
<domain>/epochs/epoch-<n>/device-<id>.delivery, to be carried to it over a pairwise session;
their old bundle files are removed.

  -r, --role <role>           ${MEMBER_ROLES.join(", ")}
  -g, --groups <g,…>          group names (or numbers) it may read and send; none for a relay
      --id <n>                device id 1..${MAX_MEMBER_ID} (default: next unused)
      --no-bundle             enrol only; \`picket device issue <id>\` writes the bundle later
                              (to enrol a whole site in one epoch before flashing any board)
${DOMAIN_OPTIONS_HELP}`;

const ISSUE_HELP = `Usage: picket device issue <id> [options]

Writes the bundle of a device enrolled with --no-bundle, in the current epoch. Once per
device and epoch: a second one is refused ("needs-reissue"; use \`picket device reissue\`).

${DOMAIN_OPTIONS_HELP}`;

const REVOKE_HELP = `Usage: picket device revoke <id> [options]

Revokes a device: the epoch advances, so the network key, group keys and handshake PSK
all change; the roster is re-signed without it; and each remaining device gets a
key-epoch delivery, sealed to it alone, in <domain>/epochs/epoch-<n>/device-<id>.delivery,
to be carried to it over a pairwise session. No bundle is re-issued (their old files are
removed): a board provisioned again by cable needs \`picket device reissue <id>\`.

${DOMAIN_OPTIONS_HELP}`;

const REISSUE_HELP = `Usage: picket device reissue <id> [options]

For a device whose board is replaced or whose flash was erased. Its new board would start
its alert sequence at 0; under the same epoch's keys that repeats nonces its old board
already used (two ciphertexts XORed with one known plaintext give the other). So the epoch
advances for everyone, as in a revocation but removing nobody: every key changes, the
device gets a bundle of the new epoch, and each other member a key-epoch delivery in
<domain>/epochs/epoch-<n>/device-<id>.delivery, to be carried to it over a pairwise session.
A second bundle for the same device in one epoch is refused ("needs-reissue").

${DOMAIN_OPTIONS_HELP}`;

const INSPECT_HELP = `Usage: picket device inspect <file.bundle> [--reveal-secrets]

Checks a bundle as the device's keystore does (digest, roster signature, this device in
the roster with the public key of its secret key, group keys) and prints its JSON view.
Exits 1 with the reason when any check fails. Needs no passphrase.

      --reveal-secrets        print the keys instead of "(redacted)"
`;

function add(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { ...DOMAIN_OPTIONS, role: { type: "string", short: "r" }, groups: { type: "string", short: "g" }, id: { type: "string" }, "no-bundle": { type: "boolean" } }, ADD_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length > 0) throw new PicketError<CommandErrorCode>("bad-usage", `unexpected argument ${parsed.positionals[0]}\n\n${ADD_HELP}`);
	const role = optionText(parsed, "role");
	if (role === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `--role is required\n\n${ADD_HELP}`);
	if (!MEMBER_ROLES.includes(role as MemberRole)) throw new PicketError<CommandErrorCode>("bad-option", `--role must be one of ${MEMBER_ROLES.join(", ")}, not ${role}`);
	const groupText = optionText(parsed, "groups") ?? "";
	const groups = groupText === "" ? [] : groupText.split(",").map((group) => (/^[0-9]+$/.test(group) ? Number(group) : group.trim()));
	const idText = optionText(parsed, "id");
	const folder = domainFolderOf(parsed);
	const passphrase = readPassphrase(optionText(parsed, "passphrase-file"));
	const domain = loadDomain(folder, passphrase);
	const enrolment = domain.enrol({ role: role as MemberRole, groups, ...(idText === undefined ? {} : { id: parseInteger(idText, "--id", 1, MAX_MEMBER_ID) }) }, { issue: parsed.values["no-bundle"] !== true });
	const { device, epoch, deliveries, bundle } = enrolment;
	const epochFolder = deliveries.size === 0 ? undefined : writeRevocation(folder, { epoch, roster: domain.roster(), deliveries });
	saveDomain(folder, domain, passphrase, sealCost(), { bundles: new Map(bundle === undefined ? [] : [[device.id, bundle]]) });
	const lines = [`enrolled device ${device.id} (${device.role}) in epoch ${epoch}; roster: ${domain.members().length} members, ${domain.roster().length} bytes`];
	lines.push(bundle === undefined ? `no bundle yet: \`picket device issue ${device.id}\` writes it` : `flash its bundle: ${bundlePath(folder, device.id)}`);
	if (epochFolder !== undefined) lines.push(`new epoch ${epoch}: hand these deliveries to carriers (the old bundles of these devices are removed):`, ...deliveryLines(epochFolder, deliveries));
	io.stdout(`${lines.join("\n")}\n`);
}

function issue(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, DOMAIN_OPTIONS, ISSUE_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `one device id is required\n\n${ISSUE_HELP}`);
	const id = parseInteger(parsed.positionals[0], "device id", 1, MAX_MEMBER_ID);
	const folder = domainFolderOf(parsed);
	const passphrase = readPassphrase(optionText(parsed, "passphrase-file"));
	const domain = loadDomain(folder, passphrase);
	saveDomain(folder, domain, passphrase, sealCost(), { bundles: new Map([[id, domain.issueBundle(id)]]) });
	io.stdout(`issued device ${id} in epoch ${domain.epoch}: flash ${bundlePath(folder, id)}\n`);
}

function deliveryLines(epochFolder: string, deliveries: ReadonlyMap<number, Uint8Array>): string[] {
	return [...deliveries].map(([member, delivery]) => `  device ${member}: ${join(epochFolder, `device-${member}.delivery`)} (${delivery.length} bytes)`);
}

function revoke(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, DOMAIN_OPTIONS, REVOKE_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `one device id is required\n\n${REVOKE_HELP}`);
	const id = parseInteger(parsed.positionals[0], "device id", 1, MAX_MEMBER_ID);
	const folder = domainFolderOf(parsed);
	const passphrase = readPassphrase(optionText(parsed, "passphrase-file"));
	const domain = loadDomain(folder, passphrase);
	const revocation = domain.revoke(id);
	const epochFolder = writeRevocation(folder, revocation);
	saveDomain(folder, domain, passphrase, sealCost());
	const lines = [`revoked device ${id}; domain now in epoch ${revocation.epoch}, roster ${revocation.roster.length} bytes`, `hand these deliveries to carriers (the old bundles are removed):`, ...deliveryLines(epochFolder, revocation.deliveries)];
	io.stdout(`${lines.join("\n")}\n`);
}

function reissue(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, DOMAIN_OPTIONS, REISSUE_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `one device id is required\n\n${REISSUE_HELP}`);
	const id = parseInteger(parsed.positionals[0], "device id", 1, MAX_MEMBER_ID);
	const folder = domainFolderOf(parsed);
	const passphrase = readPassphrase(optionText(parsed, "passphrase-file"));
	const domain = loadDomain(folder, passphrase);
	const reissued = domain.reissue(id);
	const epochFolder = writeRevocation(folder, reissued);
	saveDomain(folder, domain, passphrase, sealCost(), { bundles: new Map([[id, reissued.bundle]]) });
	const lines = [`re-issued device ${id} in epoch ${reissued.epoch}: flash ${bundlePath(folder, id)}`, `hand these deliveries to carriers (the other members' old bundles are removed):`, ...deliveryLines(epochFolder, reissued.deliveries)];
	io.stdout(`${lines.join("\n")}\n`);
}

function inspect(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { "reveal-secrets": { type: "boolean" } }, INSPECT_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `one bundle file is required\n\n${INSPECT_HELP}`);
	const bytes = readInputFile(parsed.positionals[0]);
	const crypto = createNodeCryptoSuite();
	const credentials = openBundle(bytes, crypto);
	const view = bundleView(decodeBundle(bytes, crypto), credentials.roster, { revealSecrets: parsed.values["reveal-secrets"] === true });
	io.stdout(`${JSON.stringify(view, null, 2)}\n`);
}

const deviceCommand: CommandGroup = {
	name: "device",
	summary: "enrol, issue, revoke, re-issue and inspect devices (bundles, key-epoch deliveries)",
	run: (args, io) => dispatch(args, io, GROUP_HELP, { add, issue, revoke, reissue, inspect }),
};

export default deviceCommand;
