/**
 * The nonce-reuse attack of issue 12, item 5: two boards holding the same epoch's keys
 * both seal their first alert at sequence 0 (a fresh board's counter starts at 0), so the
 * XOR of the two frames is the XOR of the two plaintexts, and a known one gives the other.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { sealAlert } from "picket/link/alert-layers";
import { derivePrivacyKey } from "picket/link/key-schedule";
import type { DeviceCredentials } from "picket/provisioning/keystore";

/** A board's first alert (sequence 0) in group 0. */
export function firstAlert(crypto: CryptoSuite, credentials: DeviceCredentials, payload: Uint8Array): Uint8Array {
	return sealAlert(crypto, { networkKey: credentials.networkKey, privacyKey: derivePrivacyKey(crypto, credentials.networkKey), groupKey: credentials.groupKeys.get(0)! }, { ttl: 3, epoch: credentials.epoch, group: 0, source: credentials.deviceId, sequence: 0 }, payload);
}

/** True when XOR of the two frames holds P1 ⊕ P2 somewhere: a known P1 then reveals P2 (two-time pad). */
export function twoTimePad(first: Uint8Array, second: Uint8Array, p1: Uint8Array, p2: Uint8Array): boolean {
	const frames = first.map((byte, i) => byte ^ second[i]);
	const plaintexts = p1.map((byte, i) => byte ^ p2[i]);
	for (let offset = 0; offset + plaintexts.length <= frames.length; offset++) {
		if (plaintexts.every((byte, i) => frames[offset + i] === byte)) return true;
	}
	return false;
}

/** A known plaintext and a secret one, of one alert payload's length. */
export const KNOWN_ALERT = Uint8Array.of(1, 2, 0, 7, 0, 0, 0, 0);
export const SECRET_ALERT = Uint8Array.of(2, 3, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa);
