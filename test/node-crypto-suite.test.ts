import test from "ava";
import { fromHex, toHex } from "picket/core/bytes";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";

const suite = createNodeCryptoSuite();

// RFC 3610 §8, Packet Vector #1 (8-byte tag).
test("node:crypto reference reproduces RFC 3610 packet vector #1", (t) => {
	const key = fromHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
	const nonce = fromHex("00000003020100a0a1a2a3a4a5");
	const packet = fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
	const sealed = suite.ccmSeal(key, nonce, packet.subarray(0, 8), packet.subarray(8), 8);
	t.is(toHex(sealed), "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0");
	t.deepEqual(suite.ccmOpen(key, nonce, packet.subarray(0, 8), sealed, 8), packet.subarray(8));
	sealed[0] ^= 1;
	t.throws(() => suite.ccmOpen(key, nonce, packet.subarray(0, 8), sealed, 8), { code: "bad-tag" });
});

// RFC 7748 §6.1.
test("node:crypto reference reproduces the RFC 7748 §6.1 Diffie-Hellman", (t) => {
	const alice = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	const bob = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	t.is(toHex(suite.x25519PublicKey(alice)), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	t.is(toHex(suite.x25519SharedSecret(alice, suite.x25519PublicKey(bob))), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
});
