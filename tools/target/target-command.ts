/**
 * `picket target sim | nvs`: puts a device's bundle (and settings overrides) where the
 * firmware reads them: the Preference store of a Moddable simulator instance, or an ESP-IDF
 * NVS partition image to flash onto a board. Both run the firmware's own keystore
 * (device-preferences.ts), refuse a bundle the device would refuse, and write nothing then.
 */
import { PicketError } from "picket/core/picket-error";
import { DEVICE_ROLES, type DeviceRole, isDeviceRole } from "picket/device/device-settings";
import { type CommandErrorCode, type CommandGroup, type CommandIo, parseBasedInteger } from "picket/tools/cli/command-group";
import { writeFileAtomically } from "picket/tools/cli/write-atomically";
import { type ParsedCommandLine, optionText, parseCommandLine } from "picket/tools/cli/parse-command-line";
import { dispatch, readInputFile } from "picket/tools/provisioning/command-line";
import { devicePreferences } from "picket/tools/target/device-preferences";
import { MODDABLE_NVS_OFFSET, MODDABLE_NVS_SIZE, NVS_PAGE_SIZE, nvsImage } from "picket/tools/target/nvs-image";
import { writeSimPreferences } from "picket/tools/target/sim-preferences";
import { updateKeyPoint } from "picket/tools/update/update-signing";

const GROUP_HELP = `Usage: picket target <command> [options]

Commands:
  sim       write a device's bundle and settings into a Moddable simulator instance's Preference store
  nvs       write a device's bundle and settings into an ESP-IDF NVS partition image for a board

Run \`picket target <command> --help\` for its options.
`;

const COMMON_HELP = `  -b, --bundle <file>         the device's bundle (picket device add wrote it)
  -r, --role <role>           the role the target was built as: ${DEVICE_ROLES.join(", ")}
  -s, --setting <name=n>      a settings override (Preference domain picket-cfg), repeatable
  -u, --update-key <file>     the domain's update key (PEM): pinned as the board's update anchor
`;

const SIM_HELP = `Usage: picket target sim --bundle <file> --role <role> --home <folder> [--setting name=n …]

Writes the device's Preference entries into <folder>/preferences.json, the store of the
simulator instance started with PICKET_SIM_HOME=<folder> (other Preference domains there
are kept).

${COMMON_HELP}      --home <folder>         the instance's folder (created if missing)
`;

const NVS_HELP = `Usage: picket target nvs --bundle <file> --role <role> --output <nvs.bin> [--setting name=n …]

Writes an ESP-IDF NVS partition image (format version 2) holding the device's Preference
entries (a Preference domain is an NVS namespace), and prints the esptool command that
flashes it. The defaults are Moddable's ESP32 partition table (partitions.csv: nvs at
0x9000, 0x6000 bytes). Flashing it replaces everything in the board's nvs partition. With
NVS encryption on, encrypt the image with ESP-IDF's nvs_partition_gen.py before flashing.

${COMMON_HELP}  -o, --output <file>         the image (mode 0600: it holds the device's keys)
      --offset <n>            the nvs partition's offset (default 0x9000)
      --size <n>              the nvs partition's size (default 0x6000)
`;

const COMMON_OPTIONS = {
	bundle: { type: "string", short: "b" },
	role: { type: "string", short: "r" },
	setting: { type: "string", short: "s", multiple: true },
	"update-key": { type: "string", short: "u" },
} as const;

interface CommonOptions {
	readonly bundle: Uint8Array;
	readonly role: DeviceRole;
	readonly settings: Record<string, number>;
	readonly updateKey?: Uint8Array;
}

function commonOptions(parsed: ParsedCommandLine, help: string): CommonOptions {
	if (parsed.positionals.length > 0) throw new PicketError<CommandErrorCode>("bad-usage", `unexpected argument ${parsed.positionals[0]}\n\n${help}`);
	const bundlePath = optionText(parsed, "bundle");
	if (bundlePath === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `--bundle is required\n\n${help}`);
	const role = optionText(parsed, "role");
	if (role === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `--role is required\n\n${help}`);
	if (!isDeviceRole(role)) throw new PicketError<CommandErrorCode>("bad-option", `--role must be one of ${DEVICE_ROLES.join(", ")}, not ${role}`);
	const settings: Record<string, number> = {};
	const settingTexts = parsed.values.setting;
	for (const text of Array.isArray(settingTexts) ? settingTexts : []) {
		const match = /^([A-Za-z][A-Za-z0-9]*)=(-?[0-9]+(?:\.[0-9]+)?)$/.exec(text);
		if (match === null) throw new PicketError<CommandErrorCode>("bad-option", `--setting ${text}: expected name=number`);
		settings[match[1]!] = Number(match[2]);
	}
	const updateKeyPath = optionText(parsed, "update-key");
	return { bundle: readInputFile(bundlePath), role, settings, ...(updateKeyPath === undefined ? {} : { updateKey: updateKeyPoint(new TextDecoder().decode(readInputFile(updateKeyPath))) }) };
}

function sim(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { ...COMMON_OPTIONS, home: { type: "string" } }, SIM_HELP, io);
	if (parsed === undefined) return;
	const options = commonOptions(parsed, SIM_HELP);
	const home = optionText(parsed, "home");
	if (home === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `--home is required\n\n${SIM_HELP}`);
	const entries = devicePreferences(options.bundle, { role: options.role, settings: options.settings, ...(options.updateKey === undefined ? {} : { updateKey: options.updateKey }) });
	const path = writeSimPreferences(home, entries);
	io.stdout(`wrote ${entries.length} Preference entries to ${path}\nstart the instance with PICKET_SIM_HOME=${home}\n`);
}

function nvs(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, { ...COMMON_OPTIONS, output: { type: "string", short: "o" }, offset: { type: "string" }, size: { type: "string" } }, NVS_HELP, io);
	if (parsed === undefined) return;
	const options = commonOptions(parsed, NVS_HELP);
	const output = optionText(parsed, "output");
	if (output === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `--output is required\n\n${NVS_HELP}`);
	const offsetText = optionText(parsed, "offset");
	const sizeText = optionText(parsed, "size");
	const offset = offsetText === undefined ? MODDABLE_NVS_OFFSET : parseBasedInteger(offsetText, "--offset");
	const size = sizeText === undefined ? MODDABLE_NVS_SIZE : parseBasedInteger(sizeText, "--size");
	const entries = devicePreferences(options.bundle, { role: options.role, settings: options.settings, ...(options.updateKey === undefined ? {} : { updateKey: options.updateKey }) });
	const image = nvsImage(entries, size);
	writeFileAtomically(output, image, { mode: 0o600 });
	const hex = (value: number): string => `0x${value.toString(16)}`;
	io.stdout(
		[
			`wrote ${output}: NVS partition image of ${image.length} bytes (${image.length / NVS_PAGE_SIZE} pages), ${entries.length} Preference entries in ${[...new Set(entries.map((entry) => entry.domain))].join(", ")}`,
			`flash it into the board's nvs partition (offset ${hex(offset)}, size ${hex(size)}):`,
			`  esptool.py --chip esp32 --port <PORT> write_flash ${hex(offset)} ${output}`,
			`or with ESP-IDF's partition tool, from a project with the same partition table:`,
			`  parttool.py --port <PORT> write_partition --partition-name=nvs --input ${output}`,
			"",
		].join("\n"),
	);
}

const targetCommand: CommandGroup = {
	name: "target",
	summary: "provision a target: a simulator instance's Preference store, or an NVS image for a board",
	run: (args, io) => dispatch(args, io, GROUP_HELP, { sim, nvs }),
};

export default targetCommand;
