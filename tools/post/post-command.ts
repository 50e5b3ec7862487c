/**
 * `picket post serve`: the command post on the operator's laptop. Opens the domain file
 * with the passphrase (the post's own roster entry, role "post", holds its static key),
 * listens for gateways on loopback TCP (a serial bridge such as `socat` joins a USB
 * gateway to it), keeps the event log and serves the dashboard on 127.0.0.1.
 *
 * `picket post log`: prints what an event log holds (for after the fact, or after a crash).
 */
import { readFileSync } from "node:fs";
import { PicketError } from "picket/core/picket-error";
import { openBundle } from "picket/provisioning/keystore";
import type { CommandErrorCode, CommandGroup, CommandIo } from "picket/tools/cli/command-group";
import { optionText, parseCommandLine } from "picket/tools/cli/parse-command-line";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { CommandPost, type PostDevice } from "picket/tools/post/command-post";
import { startDashboard } from "picket/tools/post/dashboard-server";
import { EventLog } from "picket/tools/post/event-log";
import { DOMAIN_OPTIONS, DOMAIN_OPTIONS_HELP, dispatch, domainFolderOf, parseInteger } from "picket/tools/provisioning/command-line";
import { loadDomain, readPassphrase, saveDomain, sealCost, writeRevocation } from "picket/tools/provisioning/domain-folder";
import type { Domain } from "picket/tools/provisioning/domain-store";
import type { PostLinkIdentity } from "picket/gateway/post-link";

const GROUP_HELP = `Usage: picket post <command> [options]

Commands:
  serve   run the command post: gateways on loopback TCP, the event log, the dashboard
  log     print what an event log holds

Run \`picket post <command> --help\` for its options.
`;

const SERVE_HELP = `Usage: picket post serve [options]

${DOMAIN_OPTIONS_HELP}      --db <file>             the event log (SQLite; default <domain>/events.sqlite)
      --gateway-port <n>      TCP port for gateways on 127.0.0.1 (default 7461)
      --http-port <n>         dashboard port on 127.0.0.1 (default 7462; 0 picks one)
      --plan <file.json>      device positions: [{ "id": 1, "name": "pir-hall", "x": 0, "y": 0 }, …]
      --heartbeat-ms <n>      the devices' heartbeat period (default 30000)
      --lost-after <n>        missed heartbeats before a device is lost (default 3)
      --rollout <image>       start a rollout over the radio of this signed image (picket image sign
                              with the update key) through every gateway that connects
      --offer <file>          its signed offer (picket update offer … -o r7: r7.offer); required with --rollout
      --hold                  check and stage the image but do not start: the operator starts (and
                              stops) the rollout from the dashboard

The domain must have a member of role "post" (\`picket device add --role post\`).
`;

const LOG_HELP = `Usage: picket post log <file>
`;

function postMember(domain: Domain): number {
	const post = domain.members().find((member) => member.role === "post");
	if (post === undefined) throw new PicketError<CommandErrorCode>("not-found", "the domain has no member of role post: enrol one with `picket device add --role post`");
	return post.id;
}

function identityOf(domain: Domain, postId: number): PostLinkIdentity {
	const credentials = openBundle(domain.bundle(postId), domain.crypto);
	return { crypto: createNodeCryptoSuite(), domainId: credentials.domainId, memberId: postId, staticKeyPair: credentials.staticKeyPair, psk: credentials.handshakePsk, roster: credentials.roster };
}

function readPlan(path: string | undefined): Map<number, { name?: string; x: number; y: number }> {
	const plan = new Map<number, { name?: string; x: number; y: number }>();
	if (path === undefined) return plan;
	let entries: unknown;
	try {
		entries = JSON.parse(readFileSync(path, "utf8"));
	} catch (error) {
		throw new PicketError<CommandErrorCode>("bad-option", `--plan ${path}: ${(error as Error).message}`);
	}
	if (!Array.isArray(entries)) throw new PicketError<CommandErrorCode>("bad-option", `--plan ${path}: expected an array`);
	entries.forEach((entry: { id?: unknown; name?: unknown; x?: unknown; y?: unknown }, i) => {
		if (typeof entry?.id !== "number" || typeof entry.x !== "number" || typeof entry.y !== "number") throw new PicketError<CommandErrorCode>("bad-option", `--plan ${path}: [${i}] needs numeric id, x, y`);
		plan.set(entry.id, { x: entry.x, y: entry.y, ...(typeof entry.name === "string" ? { name: entry.name } : {}) });
	});
	return plan;
}

/** The image and offer of `--rollout`/`--offer`, read before anything starts. */
function readRollout(imagePath: string | undefined, offerPath: string | undefined): { image: Uint8Array; offer: Uint8Array } | undefined {
	if (imagePath === undefined && offerPath === undefined) return undefined;
	if (imagePath === undefined || offerPath === undefined) throw new PicketError<CommandErrorCode>("bad-usage", `--rollout and --offer go together\n\n${SERVE_HELP}`);
	const read = (path: string): Uint8Array => {
		try {
			return new Uint8Array(readFileSync(path));
		} catch {
			throw new PicketError<CommandErrorCode>("not-found", `cannot read ${path}`);
		}
	};
	return { image: read(imagePath), offer: read(offerPath) };
}

async function serve(args: readonly string[], io: CommandIo): Promise<void> {
	const parsed = parseCommandLine(
		args,
		{ ...DOMAIN_OPTIONS, db: { type: "string" }, "gateway-port": { type: "string" }, "http-port": { type: "string" }, plan: { type: "string" }, "heartbeat-ms": { type: "string" }, "lost-after": { type: "string" }, rollout: { type: "string" }, offer: { type: "string" }, hold: { type: "boolean" } },
		SERVE_HELP,
		io,
	);
	if (parsed === undefined) return;
	const rollout = readRollout(optionText(parsed, "rollout"), optionText(parsed, "offer"));
	if (rollout === undefined && parsed.values.hold === true) throw new PicketError<CommandErrorCode>("bad-usage", `--hold stages the image of --rollout: give --rollout and --offer\n\n${SERVE_HELP}`);
	const folder = domainFolderOf(parsed);
	const passphraseFile = optionText(parsed, "passphrase-file");
	const domain = loadDomain(folder, readPassphrase(passphraseFile));
	const postId = postMember(domain);
	const plan = readPlan(optionText(parsed, "plan"));
	const devices: PostDevice[] = domain.members().map((member) => {
		const place = plan.get(member.id);
		return { id: member.id, name: place?.name ?? `${member.role}-${member.id}`, role: member.role, groups: member.groups, ...(place === undefined ? {} : { x: place.x, y: place.y }) };
	});
	const log = new EventLog(optionText(parsed, "db") ?? `${folder}/events.sqlite`);
	const post = new CommandPost({
		log,
		identity: identityOf(domain, postId),
		devices,
		heartbeatMs: parseInteger(optionText(parsed, "heartbeat-ms") ?? "30000", "--heartbeat-ms", 0, 3_600_000),
		lostAfterMissed: parseInteger(optionText(parsed, "lost-after") ?? "3", "--lost-after", 1, 100),
		note: (line) => io.stdout(`${new Date().toISOString()}  ${line}\n`),
		revoke: (device, passphrase) => {
			const current = loadDomain(folder, passphrase);
			const revocation = current.revoke(device);
			saveDomain(folder, current, passphrase, sealCost());
			writeRevocation(folder, revocation);
			return { revocation, identity: identityOf(current, postId) };
		},
	});
	if (rollout !== undefined) {
		if (parsed.values.hold === true) post.stageRollout(rollout.image, rollout.offer);
		else post.startRollout(rollout.image, rollout.offer);
	}
	const gatewayPort = await post.listen(parseInteger(optionText(parsed, "gateway-port") ?? "7461", "--gateway-port", 0, 65535));
	const dashboard = await startDashboard(post, parseInteger(optionText(parsed, "http-port") ?? "7462", "--http-port", 0, 65535));
	io.stdout(`picket post: member ${postId} of domain ${folder}, key epoch ${post.epoch}\n  gateways: tcp 127.0.0.1:${gatewayPort}\n  event log: ${log.path}\n  dashboard: ${dashboard.url}\n`);
	await new Promise<void>((resolve) => {
		const stop = (): void => resolve();
		process.once("SIGINT", stop);
		process.once("SIGTERM", stop);
	});
	await dashboard.close();
	await post.close();
	log.close();
}

function printLog(args: readonly string[], io: CommandIo): void {
	const parsed = parseCommandLine(args, {}, LOG_HELP, io);
	if (parsed === undefined) return;
	if (parsed.positionals.length !== 1) throw new PicketError<CommandErrorCode>("bad-usage", `an event log file is required\n\n${LOG_HELP}`);
	const log = new EventLog(parsed.positionals[0]);
	try {
		io.stdout(`schema ${log.schemaVersion}, key epoch ${log.epoch() ?? "-"}: ${log.count("alerts")} alerts, ${log.count("receipts")} receipts, ${log.count("actions")} actions, ${log.count("events")} events\n`);
		for (const alert of log.alerts(20).reverse()) io.stdout(`alert ${alert.id}: ${alert.event} from ${alert.source}, incident ${alert.incident}, severity ${alert.severity}, via gateway ${alert.gateway}\n`);
		for (const action of log.actions().reverse()) io.stdout(`action ${action.id}: ${action.kind} ${action.state}${action.detail === null ? "" : ` (${action.detail})`}\n`);
		const progress = new Map<number, { installed: number[]; confirmed: number[] }>();
		for (const row of log.rolloutProgress()) {
			const entry = progress.get(row.rollout) ?? { installed: [], confirmed: [] };
			entry[row.state].push(row.device);
			progress.set(row.rollout, entry);
		}
		for (const [rollout, { installed, confirmed }] of progress) {
			io.stdout(`rollout ${rollout}: ${installed.length} reported installed (${installed.join(", ")}), ${confirmed.length} confirmed (${confirmed.join(", ")})\n`);
		}
	} finally {
		log.close();
	}
}

const post: CommandGroup = {
	name: "post",
	summary: "the command post: gateways, event log, dashboard",
	run: (args, io) => dispatch(args, io, GROUP_HELP, { serve, log: printLog }),
};

export default post;
