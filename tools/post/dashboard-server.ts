/**
 * The dashboard: an HTTP server on loopback only, serving the bundled page
 * (dashboard-assets.ts), a JSON snapshot, live events as Server-Sent Events and the
 * operator's actions.
 *
 * Who may use it: whoever holds the session token, a fresh random 128-bit value printed
 * with the address (in the URL's fragment, so it never appears in a request line, a log or
 * a Referer). The API wants it in the `x-picket-token` header (the event stream, which
 * cannot set headers, as a query parameter), compared in constant time. Requests whose
 * Host is not this loopback address are refused (DNS rebinding), and so are POSTs from
 * another Origin. Every response carries a strict Content-Security-Policy: scripts, styles
 * and connections to the post only, no inline code, no frames.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { isPicketError } from "picket/core/picket-error";
import type { CommandPost, LiveEvent } from "picket/tools/post/command-post";
import { APP_CSS, APP_JS, INDEX_HTML } from "picket/tools/post/dashboard-assets";
import { receiptNames } from "picket/device/heartbeat";

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const MAX_BODY = 4096;

const ASSETS: Record<string, { readonly type: string; readonly body: string }> = {
	"/": { type: "text/html; charset=utf-8", body: INDEX_HTML },
	"/app.js": { type: "text/javascript; charset=utf-8", body: APP_JS },
	"/app.css": { type: "text/css; charset=utf-8", body: APP_CSS },
};

export interface Dashboard {
	readonly url: string;
	readonly token: string;
	close(): Promise<void>;
}

export function startDashboard(post: CommandPost, port = 0): Promise<Dashboard> {
	const token = randomBytes(16).toString("hex");
	const streams = new Set<ServerResponse>();
	let host = "";
	const server: Server = createServer((request, response) => {
		try {
			handle(request, response);
		} catch (error) {
			send(response, 500, { error: (error as Error).message });
		}
	});

	function headers(type: string): Record<string, string> {
		return { "content-type": type, "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "cache-control": "no-store" };
	}

	function send(response: ServerResponse, status: number, body: unknown): void {
		response.writeHead(status, headers("application/json"));
		response.end(JSON.stringify(body));
	}

	function authorised(request: IncomingMessage, url: URL): boolean {
		const given = (request.headers["x-picket-token"] as string | undefined) ?? url.searchParams.get("token") ?? "";
		const a = Buffer.from(given);
		const b = Buffer.from(token);
		return a.length === b.length && timingSafeEqual(a, b);
	}

	function handle(request: IncomingMessage, response: ServerResponse): void {
		if (request.headers.host !== host) return send(response, 421, { error: "wrong host" });
		const url = new URL(request.url ?? "/", `http://${host}`);
		const asset = ASSETS[url.pathname];
		if (request.method === "GET" && asset !== undefined) {
			response.writeHead(200, headers(asset.type));
			response.end(asset.body);
			return;
		}
		if (!url.pathname.startsWith("/api/")) return send(response, 404, { error: "not found" });
		if (!authorised(request, url)) return send(response, 401, { error: "session token required" });
		if (request.method === "GET" && url.pathname === "/api/state") return send(response, 200, snapshot(post));
		if (request.method === "GET" && url.pathname === "/api/events") {
			response.writeHead(200, { ...headers("text/event-stream"), connection: "keep-alive" });
			response.write(": live\n\n");
			streams.add(response);
			request.on("close", () => streams.delete(response));
			return;
		}
		if (request.method === "POST" && url.pathname === "/api/actions") {
			const origin = request.headers.origin;
			if (origin !== undefined && origin !== `http://${host}`) return send(response, 403, { error: "cross-origin request" });
			readBody(request, (body) => {
				if (body === undefined) return send(response, 413, { error: "body too large" });
				try {
					const action = operatorAction(post, JSON.parse(body) as Record<string, unknown>);
					send(response, 200, { action: post.log.action(action) });
				} catch (error) {
					if (error instanceof SyntaxError || error instanceof RangeError || isPicketError(error)) send(response, 400, { error: isPicketError(error) ? error.code : error.message });
					else throw error;
				}
			});
			return;
		}
		send(response, 404, { error: "not found" });
	}

	const unsubscribe = post.subscribe((event: LiveEvent) => {
		const line = `data: ${JSON.stringify(event)}\n\n`;
		for (const stream of streams) stream.write(line);
	});

	return new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, "127.0.0.1", () => {
			const address = server.address();
			const actual = typeof address === "object" && address !== null ? address.port : port;
			host = `127.0.0.1:${actual}`;
			resolve({
				url: `http://${host}/#token=${token}`,
				token,
				close: () =>
					new Promise((done) => {
						unsubscribe();
						for (const stream of streams) stream.end();
						server.closeAllConnections();
						server.close(() => done());
					}),
			});
		});
	});
}

function readBody(request: IncomingMessage, then: (body: string | undefined) => void): void {
	let size = 0;
	const chunks: Buffer[] = [];
	let tooLarge = false;
	request.on("data", (chunk: Buffer) => {
		size += chunk.length;
		if (size > MAX_BODY) tooLarge = true;
		else chunks.push(chunk);
	});
	request.on("end", () => then(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
}

function integer(value: unknown, name: string): number {
	if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer`);
	return value;
}

function operatorAction(post: CommandPost, body: Record<string, unknown>): number {
	switch (body.kind) {
		case "acknowledge":
			return post.acknowledge(integer(body.alert, "alert"));
		case "silence":
			return post.silence(integer(body.alert, "alert"));
		case "revoke":
			if (typeof body.passphrase !== "string") throw new RangeError("passphrase required");
			return post.revoke(integer(body.device, "device"), body.passphrase);
		// The image is the one `post serve --rollout` checked against its offer; the boards check it
		// again against their pinned update key, so the page can start a genuine image only.
		case "start-rollout":
			return post.startRollout();
		case "stop-rollout":
			return post.stopRollout();
		default:
			throw new RangeError("kind must be acknowledge, silence, revoke, start-rollout or stop-rollout");
	}
}

/** Everything the page needs to draw itself, from the event log. */
export function snapshot(post: CommandPost): object {
	const log = post.log;
	return {
		epoch: post.epoch,
		devices: log.devices().map((d) => ({ id: d.id, name: d.name, role: d.role, groups: d.groups, x: d.x, y: d.y, lastHeard: d.last_heard, lost: d.lost === 1, revoked: d.revoked_epoch !== null })),
		alerts: log.alerts(100).map((a) => ({ id: a.id, source: a.source, event: a.event, severity: a.severity, incident: a.incident, gateway: a.gateway, hops: a.hops, at: a.at })),
		receipts: log.allReceipts().map((r) => ({ device: r.device, origin: r.origin, incident: r.incident, flags: receiptNames(r.flags) })),
		actions: log.actions(),
		rollout: post.rollouts,
	};
}
