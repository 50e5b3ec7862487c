/**
 * bench/crypto on Node: the software suite beside node:crypto (OpenSSL, the ceiling).
 * Prints one table; run with `node build/bench/crypto.js`.
 */
import * as nodeCrypto from "node:crypto";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { formatCryptoTable, measureCryptoSuite, type SuiteMeasurements } from "picket/bench/crypto-measure";
import { createNodeCryptoSuite, nodeRandomSource } from "picket/test/support/node-crypto-suite";

const clock = () => performance.now();
const engine = `Node ${process.versions.node}`;
const results: SuiteMeasurements[] = [
	{ suite: "node:crypto", engine, measurements: measureCryptoSuite(createNodeCryptoSuite(), clock) },
	{ suite: "software", engine, measurements: measureCryptoSuite(createSoftwareSuite(nodeRandomSource()), clock) },
];
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
