/**
 * The dashboard in a real browser (Debian's chromium through puppeteer-core), against
 * `npm start -- --post`'s session: a simulated domain, its gateway on TCP, a real command
 * post. The page shows the PIR alert live (it arrives over the event stream after the page
 * loaded), the operator presses Silence, the simulated responder's siren stops, the device
 * confirms in the page, and the event log holds the action. The operator starts the staged
 * firmware rollout from the page and stops it. Skipped with one line where no chromium is installed.
 */
import test from "ava";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { startPostSession } from "picket/hosts/sim/post-session";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const chromium = CANDIDATES.find((path): path is string => path !== undefined && path !== "" && existsSync(path));
if (chromium === undefined) console.log("skipped: dashboard browser test (no chromium; `npm run setup` installs Debian's, or set CHROMIUM_PATH)");

const SCREENSHOT = join(process.cwd(), "build", "post-dashboard.png");

async function textOf(page: Page, selector: string): Promise<string> {
	return page.$eval(selector, (node) => node.textContent ?? "");
}

(chromium === undefined ? test.skip : test)("the operator sees the PIR alert live, silences it, the responder's siren stops and the log holds the action", async (t) => {
	const session = await startPostSession({ heartbeatMs: 2_000, lostAfterMissed: 3 });
	let browser: Browser | undefined;
	try {
		browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
		const page = await browser.newPage();
		await page.setViewport({ width: 1280, height: 800 });
		const violations: string[] = [];
		page.on("console", (message) => {
			if (/Content Security Policy|Refused/.test(message.text())) violations.push(message.text());
		});
		await page.goto(session.dashboard.url);
		await page.waitForFunction('document.getElementById("link")?.textContent === "live"', { timeout: 20_000 });
		t.is(await page.$$eval("li.alert", (items) => items.length), 0, "no alert before the scenario runs");

		// The scenario starts only now: the alert must reach the page over the live stream.
		const running = session.runUntil(60_000);
		await page.waitForSelector('li.alert[data-event="motion"]', { timeout: 30_000 });
		t.regex(await textOf(page, 'li.alert[data-event="motion"] b'), /motion from pir-hall/);
		const respWest = session.simulation.deviceHandle("resp-west");
		await page.waitForFunction(`/resp-west: read\\+acted\\+acknowledged/.test(document.querySelector('li.alert[data-event="motion"] .receipts')?.textContent ?? "")`, { timeout: 30_000 });
		const siren = (): string | undefined => respWest.running?.node.outputs.playing("siren");
		t.is(siren(), "chirp", "resp-west sounds its siren");

		// Clicked inside the page in one turn: the live list re-renders on every event, so an element
		// handle taken a moment earlier may be detached by the time a puppeteer click lands.
		await page.waitForFunction(`(() => { const button = document.querySelector('li.alert[data-event="motion"] button[data-action="silence"]'); button?.click(); return button !== null; })()`, { timeout: 30_000 });
		await page.waitForFunction(`/confirmed by .*resp-west/.test(document.querySelector("li[data-action-id]")?.textContent ?? "")`, { timeout: 30_000 });
		t.regex(await page.$eval("li[data-action-id]", (node) => node.getAttribute("data-state") ?? ""), /^(confirmed|partly-confirmed)$/);
		t.is(siren(), undefined, "resp-west's siren stopped");
		t.is(respWest.gpio.output("siren"), 0);
		await page.waitForFunction(`/resp-west: [a-z+]*silenced/.test(document.querySelector('li.alert[data-event="motion"] .receipts')?.textContent ?? "")`, { timeout: 30_000 });

		const action = session.post.log.actions().find((row) => row.kind === "silence");
		t.truthy(action);
		t.regex(action!.state, /confirmed/);
		t.true(session.post.log.outcomes(action!.id).some((outcome) => outcome.outcome === "confirmed" && outcome.peer === respWest.memberId));
		t.deepEqual(violations, []);

		mkdirSync(join(process.cwd(), "build"), { recursive: true });
		await page.screenshot({ path: SCREENSHOT as `${string}.png` });
		void running;
	} finally {
		await browser?.close();
		await session.stop();
	}
});

(chromium === undefined ? test.skip : test)("the operator starts the staged rollout from the page, watches the boards report, stops it, and the gateway stops seeding", async (t) => {
	// `post serve --rollout … --offer … --hold`: the image is checked and staged, nothing is seeded yet.
	const session = await startPostSession({ stageRollout: true, speed: 20 });
	let browser: Browser | undefined;
	try {
		browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
		const page = await browser.newPage();
		const violations: string[] = [];
		page.on("console", (message) => {
			if (/Content Security Policy|Refused/.test(message.text())) violations.push(message.text());
		});
		await page.goto(session.dashboard.url);
		await page.waitForFunction('document.getElementById("link")?.textContent === "live"', { timeout: 20_000 });
		t.regex(await textOf(page, "#rollout-staged"), /staged: rollout 1, version 1\.1\.0\+0, security counter 2/);
		t.regex(await textOf(page, "#rollout-running"), /no rollout being seeded/);
		t.true(await page.$eval("#rollout-stop", (node) => node.hasAttribute("hidden")), "nothing to stop yet");
		const running = session.runUntil(600_000);
		await page.waitForFunction('document.querySelector("#devices tbody tr") !== null', { timeout: 20_000 });
		const gateway = session.simulation.deviceHandle("gateway").running!.seeding!;
		t.is(gateway.rollout, undefined, "the gateway seeds nothing before the operator starts");

		await page.click("#rollout-start");
		await page.waitForFunction('/seeding rollout 1: [1-9][0-9]* installed/.test(document.getElementById("rollout-running")?.textContent ?? "")', { timeout: 60_000 });
		t.is(gateway.rollout, 1, "the gateway seeds rollout 1");
		const started = session.post.log.actions().find((row) => row.kind === "rollout");
		t.truthy(started);
		t.true(session.post.rollouts.running!.installed >= 1);

		await page.click("#rollout-stop");
		await page.waitForFunction(`document.querySelector('li[data-action-id="${started!.id}"]')?.getAttribute("data-state") === "stopped"`, { timeout: 20_000 });
		await page.waitForFunction('!document.getElementById("rollout-start").hidden && document.getElementById("rollout-stop").hidden', { timeout: 20_000 });
		t.regex(await textOf(page, "#rollout-running"), /no rollout being seeded/);
		// The stop crosses the wire to the gateway (simulated time moves on meanwhile).
		const deadline = Date.now() + 10_000;
		while (gateway.rollout !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
		t.is(gateway.rollout, undefined, "the gateway stopped seeding");
		t.is(session.post.rollouts.running, undefined);
		t.regex(await textOf(page, "#rollout-staged"), /staged: rollout 1/, "the image stays staged, to start again");
		t.deepEqual(violations, []);
		void running;
	} finally {
		await browser?.close();
		await session.stop();
	}
});

(chromium === undefined ? test.skip : test)("the dashboard's API refuses requests without the session token or from another host", async (t) => {
	const session = await startPostSession({ heartbeatMs: 2_000 });
	try {
		const base = session.dashboard.url.replace(/\/#token=.*$/, "");
		t.is((await fetch(`${base}/api/state`)).status, 401);
		t.is((await fetch(`${base}/api/state`, { headers: { "x-picket-token": "0".repeat(32) } })).status, 401);
		const ok = await fetch(`${base}/api/state`, { headers: { "x-picket-token": session.dashboard.token } });
		t.is(ok.status, 200);
		t.regex(ok.headers.get("content-security-policy") ?? "", /script-src 'self'/);
		const page = await fetch(`${base}/`);
		t.regex(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
		const crossOrigin = await fetch(`${base}/api/actions`, { method: "POST", headers: { "x-picket-token": session.dashboard.token, origin: "http://evil.example", "content-type": "application/json" }, body: "{}" });
		t.is(crossOrigin.status, 403);
		const badAction = await fetch(`${base}/api/actions`, { method: "POST", headers: { "x-picket-token": session.dashboard.token, "content-type": "application/json" }, body: JSON.stringify({ kind: "revoke", device: 1, passphrase: "wrong" }) });
		t.is(badAction.status, 400);
		t.regex(((await badAction.json()) as { error: string }).error, /wrong-passphrase/);
	} finally {
		await session.stop();
	}
});
