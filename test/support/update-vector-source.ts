/**
 * Writes test/fixtures/update/update-vector.ts, the signed rollout the portable update cases
 * check on every engine and crypto suite (the XS run needs it as a module: XS reads no files).
 * Run `node build/test/support/update-vector-source.js` after `npm run build`; the key is a new
 * one each time, written into the vector with everything it signed.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { toHex } from "picket/core/bytes";
import { rollout, signedImage, updateKeyPem, anchor } from "picket/test/support/update-fixture";

const factory = signedImage({ major: 1, minor: 0, revision: 0, build: 0 }, 1, 1_000);
const image = signedImage({ major: 1, minor: 1, revision: 0, build: 0 }, 2, 9_000);
const pkg = rollout(image, 21, { chunkLength: 200, pageShift: 12 });
const hex = (bytes: Uint8Array) => JSON.stringify(toHex(bytes));
const target = fileURLToPath(new URL("../../../test/fixtures/update/update-vector.ts", import.meta.url));
writeFileSync(
	target,
	`/**
 * A signed rollout for the portable update cases (test/support/update-acceptance-cases.ts),
 * written by test/support/update-vector-source.ts: the update key (ECDSA P-256, PKCS#8 PEM),
 * its point (the anchor), a factory image v1.0.0 (SEC_CNT 1), the image v1.1.0 (SEC_CNT 2)
 * signed with \`picket image sign\`'s code, and its offer (rollout 21, 200-byte chunks, 4 KiB pages)
 * and page table. Hex strings.
 */
export const UPDATE_KEY_PEM = ${JSON.stringify(updateKeyPem)};
export const ANCHOR = ${hex(anchor)};
export const FACTORY_IMAGE = ${hex(factory)};
export const IMAGE = ${hex(image)};
export const OFFER = ${hex(pkg.offerBytes)};
export const PAGE_TABLE = ${hex(pkg.pageTable)};
`,
);
console.log(`wrote ${target}`);
