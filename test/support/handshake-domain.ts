/**
 * A small domain for handshake and session tests: members with static X25519 keys, a
 * roster lookup, and the epoch's handshake PSK from the key schedule. Portable.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { type HandshakeIdentity, type HandshakeMember, type HandshakeRoster } from "picket/link/handshake";
import { deriveHandshakePsk } from "picket/link/key-schedule";

export const TEST_DOMAIN_ID = Uint8Array.of(0x70, 0x69, 0x63, 0x6b, 0x65, 0x74, 0x00, 0x01);
export const TEST_DOMAIN_SECRET = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

export class TestRoster implements HandshakeRoster {
	readonly #members = new Map<number, HandshakeMember>();

	add(member: HandshakeMember): void {
		this.#members.set(member.id, member);
	}

	remove(id: number): void {
		this.#members.delete(id);
	}

	member(id: number): HandshakeMember | undefined {
		return this.#members.get(id);
	}
}

export interface TestDomain {
	readonly roster: TestRoster;
	/** The identity of member `id` (created on first use) in `epoch`. */
	identity(id: number, epoch?: number): HandshakeIdentity;
}

export function createTestDomain(crypto: CryptoSuite): TestDomain {
	const roster = new TestRoster();
	const keyPairs = new Map<number, ReturnType<CryptoSuite["x25519KeyPair"]>>();
	return {
		roster,
		identity(id, epoch = 1) {
			let staticKeyPair = keyPairs.get(id);
			if (staticKeyPair === undefined) {
				staticKeyPair = crypto.x25519KeyPair();
				keyPairs.set(id, staticKeyPair);
				roster.add({ id, staticPublicKey: staticKeyPair.publicKey });
			}
			return { crypto, domainId: TEST_DOMAIN_ID, memberId: id, staticKeyPair, psk: deriveHandshakePsk(crypto, TEST_DOMAIN_ID, TEST_DOMAIN_SECRET, epoch), roster };
		},
	};
}
