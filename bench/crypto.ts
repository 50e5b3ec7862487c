/**
 * bench/crypto: the software suite on Node beside node:crypto (OpenSSL, the ceiling), then
 * the native suite (C over Mbed TLS's PSA API) and the software suite on the host XS engine
 * (bench/crypto-xs.ts run on picket-xs). Prints one table; run with `node build/bench/crypto.js`.
 */
import * as nodeCrypto from "node:crypto";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { formatCryptoTable, measureCryptoSuite, type SuiteMeasurements } from "picket/bench/crypto-measure";
import { createNodeCryptoSuite, nodeRandomSource } from "picket/tools/node-crypto-suite";
import { projectRoot, runXsModule } from "picket/test/support/xs-runner";

const clock = () => performance.now();
const engine = `Node ${process.versions.node}`;
const results: SuiteMeasurements[] = [
	{ suite: "node:crypto", engine, measurements: measureCryptoSuite(createNodeCryptoSuite(), clock) },
	{ suite: "software", engine, measurements: measureCryptoSuite(createSoftwareSuite(nodeRandomSource()), clock) },
];
// The XS rows: one JSON line per suite from bench/crypto-xs.ts (a suite that fails there says why).
const xsRun = runXsModule(`${projectRoot}build/bench/crypto-xs.js`);
for (const line of xsRun.stdout.split("\n").filter((text) => text.startsWith("{"))) {
	const parsed = JSON.parse(line) as SuiteMeasurements | { suite: string; error: string };
	if ("error" in parsed) console.log(`note: ${parsed.suite} on XS did not run: ${parsed.error}`);
	else results.push(parsed);
}
if (xsRun.status !== 0) console.log(`note: picket-xs exited with ${xsRun.status}: ${xsRun.stderr.trim()}`);
console.log(formatCryptoTable(results, `node:crypto on ${engine}`));

// The node:crypto suite takes raw 32-byte keys, so each X25519 call first imports them as
// KeyObjects (DER decoding in OpenSSL 3), which dominates its cost. For scale, the
// Diffie-Hellman alone on keys imported once:
const alice = nodeCrypto.generateKeyPairSync("x25519");
const bob = nodeCrypto.generateKeyPairSync("x25519");
const rounds = 2000;
const start = clock();
for (let i = 0; i < rounds; i++) nodeCrypto.diffieHellman({ privateKey: alice.privateKey, publicKey: bob.publicKey });
console.log(`\nnote: OpenSSL X25519 on pre-imported KeyObjects: ${(((clock() - start) * 1000) / rounds).toFixed(0)} µs/op`);
