/**
 * A small xsbug: the TCP server a debug build of a Moddable app connects to (mcsim reads
 * XSBUG_HOST and XSBUG_PORT, xs/platforms/lin_xs.c fxConnect). It keeps what the machine
 * sends and lets it run:
 *
 * | from the machine (one `<xsbug>…</xsbug>` each)  | kept / answered                                        |
 * |-------------------------------------------------|--------------------------------------------------------|
 * | `<login name=… value=…/>`                       | answered with the breakpoints, then `<go/>`            |
 * | `<log>text</log>`                               | `trace()` output, split into lines                      |
 * | `<instruments><instrument name= value=/>…`      | the names of the instrument values                      |
 * | `<samples>v,v,…</samples>`                      | one instrumentation sample (each second, and at breaks) |
 * | `<break path= line=>message</break>`            | recorded with its sample; that breakpoint cleared, `<go/>` |
 *
 * Protocol as xsbug and the SDK's tools/xsbug-log speak it (xs/sources/xsDebug.c,
 * tools/xsbug-log/xsbug-machine.js). At a break the simulator collects garbage and samples
 * the instruments before it reports the break (build/simulators/modules/screen.c
 * debugBreak), so a break's sample is the live memory at that line; "Stack used" is the
 * peak since the previous sample.
 */
import { type Server, type Socket, createServer } from "node:net";

export interface LogLine {
	/** Milliseconds since the listener opened. */
	readonly at: number;
	readonly text: string;
}

export interface InstrumentSample {
	readonly at: number;
	/** By instrument name ("Chunk used", "Slot used", "Stack used", …), in bytes where the unit is bytes. */
	readonly values: Readonly<Record<string, number>>;
}

export interface BreakRecord {
	readonly at: number;
	readonly path: string;
	readonly line: number;
	readonly message: string;
	/** The sample the machine sent as it stopped (after a garbage collection), if any. */
	readonly sample: InstrumentSample | undefined;
}

/** A line of a source file, as the machine knows it (absolute .ts path after tsc's source maps). */
export interface Breakpoint {
	readonly path: string;
	readonly line: number;
}

function decodeEntities(text: string): string {
	return text
		.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
		.replace(/&lt;/g, "<")
		.replace(/&gt;/g, ">")
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&amp;/g, "&");
}

function attribute(tag: string, name: string): string | undefined {
	const match = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
	return match === null ? undefined : decodeEntities(match[1]!);
}

function escapeAttribute(text: string): string {
	return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

export class XsbugListener {
	readonly logs: LogLine[] = [];
	readonly samples: InstrumentSample[] = [];
	readonly breaks: BreakRecord[] = [];
	/** The machine's login name, once connected. */
	title: string | undefined;
	/** Called for each complete log line (for a live transcript). */
	onLine: ((line: LogLine) => void) | undefined;
	readonly #server: Server;
	readonly #opened = Date.now();
	readonly #breakpoints: readonly Breakpoint[];
	/** The breakpoints not hit yet (each is cleared at its first break). */
	#armed: readonly Breakpoint[] = [];
	#socket: Socket | undefined;
	#buffer = "";
	#partialLog = "";
	#instrumentNames: string[] = [];
	#sampleSinceBreak: InstrumentSample | undefined;
	#waiters: (() => void)[] = [];

	private constructor(server: Server, breakpoints: readonly Breakpoint[]) {
		this.#server = server;
		this.#breakpoints = breakpoints;
		server.on("connection", (socket) => this.#accept(socket));
	}

	/** Listens on 127.0.0.1 on a port the system picks (so parallel runs never collide). */
	static open(breakpoints: readonly Breakpoint[] = []): Promise<XsbugListener> {
		return new Promise((resolve, reject) => {
			const server = createServer();
			const listener = new XsbugListener(server, breakpoints);
			server.once("error", reject);
			server.listen(0, "127.0.0.1", () => resolve(listener));
		});
	}

	get port(): number {
		const address = this.#server.address();
		if (address === null || typeof address === "string") throw new Error("xsbug listener is not listening");
		return address.port;
	}

	get connected(): boolean {
		return this.#socket !== undefined;
	}

	/** True when a log line matches. */
	logged(pattern: RegExp): boolean {
		return this.logs.some((line) => pattern.test(line.text));
	}

	/** The first log line matching, if any. */
	find(pattern: RegExp): LogLine | undefined {
		return this.logs.find((line) => pattern.test(line.text));
	}

	/** Resolves true once `condition` holds (checked after every message), false after `timeoutMs`. */
	waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
		if (condition()) return Promise.resolve(true);
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.#waiters = this.#waiters.filter((waiter) => waiter !== check);
				resolve(false);
			}, timeoutMs);
			const check = (): void => {
				if (!condition()) return;
				clearTimeout(timer);
				this.#waiters = this.#waiters.filter((waiter) => waiter !== check);
				resolve(true);
			};
			this.#waiters.push(check);
		});
	}

	close(): Promise<void> {
		this.#socket?.destroy();
		return new Promise((resolve) => this.#server.close(() => resolve()));
	}

	#accept(socket: Socket): void {
		this.#socket?.destroy();
		this.#socket = socket;
		socket.setEncoding("utf8");
		socket.on("data", (text: string) => this.#receive(text));
		socket.on("error", () => socket.destroy());
		socket.on("close", () => {
			if (this.#socket === socket) this.#socket = undefined;
		});
	}

	#send(command: string): void {
		this.#socket?.write(`\r\n${command}\r\n`);
	}

	#receive(text: string): void {
		this.#buffer += text;
		for (let end = this.#buffer.indexOf("</xsbug>"); end >= 0; end = this.#buffer.indexOf("</xsbug>")) {
			const message = this.#buffer.slice(0, end);
			this.#buffer = this.#buffer.slice(end + "</xsbug>".length);
			this.#handle(message);
		}
		for (const waiter of [...this.#waiters]) waiter();
	}

	#handle(message: string): void {
		const at = Date.now() - this.#opened;
		const login = /<login\b[^>]*>/.exec(message);
		if (login !== null) {
			this.title = attribute(login[0], "name");
			this.#armed = [...this.#breakpoints];
			const breakpoints = this.#armed.map((point) => `<breakpoint path="${escapeAttribute(point.path)}" line="${point.line}"/>`).join("");
			this.#send(`<set-all-breakpoints>${breakpoints}</set-all-breakpoints>`);
			this.#send("<go/>");
		}
		const instruments = /<instruments>([\s\S]*?)<\/instruments>/.exec(message);
		if (instruments !== null) this.#instrumentNames = [...instruments[1]!.matchAll(/<instrument\b[^>]*>/g)].map((tag) => attribute(tag[0], "name") ?? "");
		for (const samples of message.matchAll(/<samples>([^<]*)<\/samples>/g)) {
			const numbers = samples[1]!.split(",").map(Number);
			const values: Record<string, number> = {};
			this.#instrumentNames.forEach((name, index) => (values[name] = numbers[index] ?? Number.NaN));
			const sample = { at, values };
			this.samples.push(sample);
			this.#sampleSinceBreak = sample;
		}
		for (const log of message.matchAll(/<log\b[^>]*>([\s\S]*?)<\/log>/g)) this.#log(at, decodeEntities(log[1]!));
		const broken = /<break\b([^>]*)>([\s\S]*?)<\/break>/.exec(message);
		if (broken !== null) {
			const record: BreakRecord = {
				at,
				path: attribute(broken[1]!, "path") ?? "",
				line: Number(attribute(broken[1]!, "line") ?? 0),
				message: decodeEntities(broken[2]!).trim(),
				sample: this.#sampleSinceBreak,
			};
			this.breaks.push(record);
			this.#sampleSinceBreak = undefined;
			// A line of its own: the trace that follows must start its own line (the scenario's
			// checks match log lines from their start).
			this.#log(at, `xsbug break at ${record.path}:${record.line}: ${record.message}\n`);
			// Each breakpoint is wanted once: an instance breaking at every frame it handles, each
			// break a garbage collection and a round trip, falls behind the radio. xsDebug.c's
			// set-all-breakpoints only adds, so the one hit is cleared by name.
			const hit = this.#armed.find((point) => point.path === record.path && point.line === record.line);
			if (hit !== undefined) {
				this.#armed = this.#armed.filter((point) => point !== hit);
				this.#send(`<clear-breakpoint path="${escapeAttribute(hit.path)}" line="${hit.line}"/>`);
			}
			this.#send("<go/>");
		}
	}

	#log(at: number, text: string): void {
		this.#partialLog += text;
		for (let newline = this.#partialLog.indexOf("\n"); newline >= 0; newline = this.#partialLog.indexOf("\n")) {
			const line = { at, text: this.#partialLog.slice(0, newline) };
			this.#partialLog = this.#partialLog.slice(newline + 1);
			this.logs.push(line);
			this.onLine?.(line);
		}
	}
}
