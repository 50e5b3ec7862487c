/**
 * The domain authority's signer on the operator's laptop: ECDSA P-256 through node:crypto
 * (OpenSSL), IEEE P1363 r ‖ s encoding, the form roster.ts carries and the device checks
 * with CryptoSuite.ecdsaP256Verify.
 */
import * as nodeCrypto from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import type { AuthoritySignerFactory } from "picket/tools/provisioning/domain-store";

export const nodeAuthoritySigner: AuthoritySignerFactory = (secretKey) => {
	const publicKey = p256.getPublicKey(secretKey, false);
	const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
	const key = nodeCrypto.createPrivateKey({
		key: { kty: "EC", crv: "P-256", d: base64url(secretKey), x: base64url(publicKey.subarray(1, 33)), y: base64url(publicKey.subarray(33, 65)) },
		format: "jwk",
	});
	return {
		publicKey,
		sign: (message) => new Uint8Array(nodeCrypto.sign("sha256", message, { key, dsaEncoding: "ieee-p1363" })),
	};
};
