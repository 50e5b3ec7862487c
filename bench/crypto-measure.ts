/**
 * The portable measuring loop of bench/crypto: cost per operation of one CryptoSuite.
 * No Node API here — the same code runs under Node (bench/crypto.ts), on the host XS
 * engine and on a device, each driver passing its own millisecond clock.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";

export interface CryptoMeasurement {
	readonly operation: string;
	readonly iterations: number;
	readonly microsecondsPerOperation: number;
	readonly operationsPerSecond: number;
}

export interface MeasureOptions {
	/** Keep repeating an operation until this much time has passed (ms). */
	readonly minimumMilliseconds?: number;
	/** Measure each operation this many times and keep the fastest: a busy machine only ever slows a round down. */
	readonly rounds?: number;
}

/** Deterministic, recognisable inputs: byte i of a `length`-byte input is (seed + i) & 255. */
function pattern(length: number, seed: number): Uint8Array {
	const bytes = new Uint8Array(length);
	for (let i = 0; i < length; i++) bytes[i] = (seed + i) & 0xff;
	return bytes;
}

/** Runs `operation` in doubling batches until `minimumMilliseconds` have passed, after a warm-up of a fifth of that (lets a JIT settle). */
function measure(name: string, operation: () => Uint8Array, clock: () => number, minimumMilliseconds: number): CryptoMeasurement {
	let sink = 0; // consumed below so that no engine can drop the work
	const runBatch = (count: number) => {
		for (let i = 0; i < count; i++) sink ^= operation()[0];
	};
	const warmUpEnd = clock() + minimumMilliseconds / 5;
	while (clock() < warmUpEnd) runBatch(1);
	let iterations = 0;
	let batch = 1;
	const start = clock();
	let elapsed = 0;
	while (elapsed < minimumMilliseconds) {
		runBatch(batch);
		iterations += batch;
		batch *= 2;
		elapsed = clock() - start;
	}
	if (sink === 256) throw new Error("unreachable"); // a byte XOR never reaches 256
	const microsecondsPerOperation = (elapsed * 1000) / iterations;
	return { operation: name, iterations, microsecondsPerOperation, operationsPerSecond: 1e6 / microsecondsPerOperation };
}

/**
 * Measures the operations an alert and a handshake cost: seal and open of a 32-byte alert
 * (8-byte tag, 8-byte header as associated data), an X25519 shared secret, and HKDF-SHA-256
 * with 32 bytes out. `clock` returns milliseconds.
 */
export function measureCryptoSuite(suite: CryptoSuite, clock: () => number, options: MeasureOptions = {}): CryptoMeasurement[] {
	const minimumMilliseconds = options.minimumMilliseconds ?? 200;
	const rounds = options.rounds ?? 3;
	const key = pattern(16, 0x40);
	const nonce = pattern(13, 0x10);
	const header = pattern(8, 0x00);
	const alert = pattern(32, 0x20);
	const sealed = suite.ccmSeal(key, nonce, header, alert, 8);
	const secretKey = pattern(32, 0x77);
	const peerPublicKey = suite.x25519PublicKey(pattern(32, 0x5d));
	const salt = pattern(32, 0x60);
	const info = pattern(16, 0xb0);
	const operations: [string, () => Uint8Array][] = [
		["CCM seal, 32 B alert", () => suite.ccmSeal(key, nonce, header, alert, 8)],
		["CCM open, 32 B alert", () => suite.ccmOpen(key, nonce, header, sealed, 8)],
		["X25519 shared secret", () => suite.x25519SharedSecret(secretKey, peerPublicKey)],
		["HKDF-SHA-256, 32 B out", () => suite.hkdfSha256(secretKey, salt, info, 32)],
	];
	return operations.map(([name, operation]) => {
		let fastest = measure(name, operation, clock, minimumMilliseconds);
		for (let round = 1; round < rounds; round++) {
			const next = measure(name, operation, clock, minimumMilliseconds);
			if (next.microsecondsPerOperation < fastest.microsecondsPerOperation) fastest = next;
		}
		return fastest;
	});
}

export interface SuiteMeasurements {
	readonly suite: string;
	readonly engine: string;
	readonly measurements: readonly CryptoMeasurement[];
}

/** Thousands separated by commas, written out because toLocaleString differs between engines. */
function formatNumber(value: number): string {
	if (value >= 100) return String(Math.round(value)).replace(/\B(?=(\d{3})+$)/g, ",");
	if (value >= 10) return value.toFixed(1);
	return value.toFixed(2);
}

/**
 * One table, one row per operation and suite, with the cost relative to the `ceiling`
 * suite's (ratio = µs/op ÷ ceiling µs/op, so 12.0× means twelve times slower).
 */
export function formatCryptoTable(results: readonly SuiteMeasurements[], ceiling: string): string {
	const ceilingResult = results.find((result) => `${result.suite} on ${result.engine}` === ceiling);
	const header = ["operation", "provider", "µs/op", "ops/s", `× ${ceiling}`];
	const rows: string[][] = [];
	const operations = results[0]?.measurements.map((measurement) => measurement.operation) ?? [];
	for (const operation of operations) {
		const ceilingCost = ceilingResult?.measurements.find((measurement) => measurement.operation === operation)?.microsecondsPerOperation;
		for (const result of results) {
			const measurement = result.measurements.find((candidate) => candidate.operation === operation);
			if (measurement === undefined) continue;
			const ratio = ceilingCost === undefined ? "—" : `${(measurement.microsecondsPerOperation / ceilingCost).toFixed(1)}×`;
			rows.push([operation, `${result.suite} on ${result.engine}`, formatNumber(measurement.microsecondsPerOperation), formatNumber(measurement.operationsPerSecond), ratio]);
		}
	}
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => (column >= 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join(" | ")} |`;
	const rule = `|${widths.map((width, column) => (column >= 2 ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`;
	return [line(header), rule, ...rows.map(line)].join("\n");
}
