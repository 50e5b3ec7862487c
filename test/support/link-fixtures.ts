/**
 * Portable fixtures for the link tests and benchmarks (no Node API: they run on XS too):
 * a fixed roster, a test domain whose keys come from the real key schedule, and a
 * CryptoSuite wrapper that counts operations. Storage: picket/hosts/sim/memory-storage.
 */
import type { CcmTagLength, CryptoSuite } from "picket/crypto/crypto-suite";
import { deriveGroupKey, deriveNetworkKey } from "picket/link/key-schedule";
import type { Member, Membership } from "picket/link/membership";
import type { EpochKeys } from "picket/link/secure-link";

export class FixedMembership implements Membership {
	readonly #members = new Map<number, Member>();
	readonly epoch: number;

	constructor(members: readonly Member[], epoch = 1) {
		for (const member of members) this.#members.set(member.id, member);
		this.epoch = epoch;
	}

	member(id: number): Member | undefined {
		return this.#members.get(id);
	}
}

/** A member with a dummy static key (the alert path never uses it). */
export function testMember(id: number, role: Member["role"], groups: readonly number[]): Member {
	let mask = 0;
	for (const group of groups) mask |= 1 << group;
	return { id, staticPublicKey: new Uint8Array(32).fill(id & 255), role, groups: mask >>> 0 };
}

export const TEST_DOMAIN_ID = Uint8Array.of(0x70, 0x69, 0x63, 0x6b, 0x65, 0x74, 0x00, 0x01);
export const TEST_DOMAIN_SECRET = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 255);

/** The keys `member` receives for `epoch` from the key schedule: the network key, and one key per group it belongs to. */
export function epochKeysFor(crypto: CryptoSuite, member: Member, epoch: number, secret: Uint8Array = TEST_DOMAIN_SECRET): EpochKeys {
	const groupKeys = new Map<number, Uint8Array>();
	for (let group = 0; group < 32; group++) {
		if ((member.groups >>> group) & 1) groupKeys.set(group, deriveGroupKey(crypto, TEST_DOMAIN_ID, secret, epoch, group));
	}
	return { epoch, networkKey: deriveNetworkKey(crypto, TEST_DOMAIN_ID, secret, epoch), groupKeys };
}

/** Operation counts of a CountingSuite. */
export interface CryptoCounts {
	ccm: number;
	x25519: number;
}

/** Wraps a CryptoSuite and counts AES-CCM and X25519 operations (the per-alert budgets). */
export function countingSuite(inner: CryptoSuite): { suite: CryptoSuite; counts: CryptoCounts; reset(): void } {
	const counts: CryptoCounts = { ccm: 0, x25519: 0 };
	const suite: CryptoSuite = {
		name: `counting ${inner.name}`,
		sha256: (message) => inner.sha256(message),
		hmacSha256: (key, message) => inner.hmacSha256(key, message),
		hkdfSha256: (ikm, salt, info, length) => inner.hkdfSha256(ikm, salt, info, length),
		ecdsaP256Verify: (publicKey, message, signature) => inner.ecdsaP256Verify(publicKey, message, signature),
		ecdsaP256VerifyDigest: (publicKey, digest, signature) => inner.ecdsaP256VerifyDigest(publicKey, digest, signature),
		sha256Stream: () => inner.sha256Stream(),
		randomBytes: (length) => inner.randomBytes(length),
		ccmSeal(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, plaintext: Uint8Array, tagLength: CcmTagLength) {
			counts.ccm++;
			return inner.ccmSeal(key, nonce, associatedData, plaintext, tagLength);
		},
		ccmOpen(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, sealed: Uint8Array, tagLength: CcmTagLength) {
			counts.ccm++;
			return inner.ccmOpen(key, nonce, associatedData, sealed, tagLength);
		},
		x25519KeyPair() {
			counts.x25519++;
			return inner.x25519KeyPair();
		},
		x25519PublicKey(secretKey: Uint8Array) {
			counts.x25519++;
			return inner.x25519PublicKey(secretKey);
		},
		x25519SharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array) {
			counts.x25519++;
			return inner.x25519SharedSecret(secretKey, peerPublicKey);
		},
	};
	return {
		suite,
		counts,
		reset() {
			counts.ccm = 0;
			counts.x25519 = 0;
		},
	};
}
