/**
 * test:moddable's gateway: a Moddable simulator instance built as a gateway, provisioned
 * like the others, whose post link (PICKET_SIM_POST_PORT) is TCP to a real CommandPost in
 * this process. It hears the alarm's station, so the alarm's panic must reach the post's
 * event log through it, after a Noise KKpsk0 handshake between the firmware and the post.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openBundle } from "picket/provisioning/keystore";
import { CommandPost } from "picket/tools/post/command-post";
import { EventLog } from "picket/tools/post/event-log";
import { kdfPolicy, loadDomain } from "picket/tools/provisioning/domain-folder";
import { type CommandRun, type ScenarioOptions, bundlePath, instanceHome, picketCommand, provisioningEnvironment } from "picket/test/moddable/alarm-scenario";
import { SimulatorInstance } from "picket/test/moddable/simulator-instance";

export const GATEWAY_MEMBER = 6;
export const GATEWAY_STATION = 4;

export interface GatewayWithPost {
	readonly provisioning: CommandRun;
	readonly instance: SimulatorInstance | undefined;
	readonly post: CommandPost;
	close(): Promise<void>;
}

export async function startGatewayWithPost(options: ScenarioOptions): Promise<GatewayWithPost> {
	const env = provisioningEnvironment();
	const domain = loadDomain(join(options.work, "site-a"), env.PICKET_PASSPHRASE!, kdfPolicy(env));
	const postId = domain.members().find((member) => member.role === "post")!.id;
	const credentials = openBundle(domain.bundle(postId), domain.crypto);
	const database = join(options.work, "post-events.sqlite");
	for (const suffix of ["", "-wal", "-shm"]) rmSync(database + suffix, { force: true });
	const post = new CommandPost({
		log: new EventLog(database),
		identity: { crypto: domain.crypto, domainId: credentials.domainId, memberId: postId, staticKeyPair: credentials.staticKeyPair, psk: credentials.handshakePsk, roster: credentials.roster },
		devices: domain.members().map((member) => ({ id: member.id, name: `${member.role}-${member.id}`, role: member.role, groups: member.groups })),
		heartbeatMs: 0,
		lostAfterMissed: 3,
	});
	const port = await post.listen();
	const home = instanceHome(options.work, "gateway");
	rmSync(home, { recursive: true, force: true });
	const provisioning = picketCommand(["target", "sim", "--bundle", bundlePath(options.work, GATEWAY_MEMBER), "--role", "gateway", "--home", home], env);
	const instance = provisioning.ok
		? await SimulatorInstance.start({ sdk: options.sdk, name: "gateway", library: options.libraries.gateway, display: options.display, home, station: GATEWAY_STATION, basePort: options.basePort, inRange: [0, 1, 2], postPort: port })
		: undefined;
	return {
		provisioning,
		instance,
		post,
		close: async () => {
			await post.close();
			post.log.close();
		},
	};
}

/** Polls `condition` until it holds or `timeoutMs` passed. */
export async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
	const until = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > until) return false;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return true;
}
