/**
 * The key-epoch delivery: what one remaining device must receive after a revocation
 * (DESIGN.md "Revocation is a new key epoch delivered over pairwise sessions to the
 * members that remain"). The provisioning tool makes one per remaining device; any member
 * may carry it to the device over their pairwise session (issue 5 item 6).
 *
 * The carrier must not learn or choose the device's new keys, so the keys are sealed
 * end to end under the device's delivery key (picket/link/key-schedule deriveDeliveryKey),
 * which only the authority (from the domain secret) and that device (from its bundle) hold.
 * It does not change with the epoch: a revoked device only ever knew its own, which opens
 * nothing addressed to anyone else. Members carry deliveries over their pairwise sessions
 * in chunks (picket/link/session-command "epoch-delivery"). The new roster travels in clear (it is public and
 * carries the authority's signature) but is bound to the keys as associated data.
 *
 * Byte layout, version 1 (integers big-endian):
 *
 * | offset | size | field                                                          |
 * |--------|------|----------------------------------------------------------------|
 * | 0      | 1    | format version = 1                                             |
 * | 1      | 2    | device id (u16) of the addressee                               |
 * | 3      | 4    | new epoch (u32)                                                |
 * | 7      | 13   | CCM nonce, random, chosen by the tool (see below)              |
 * | 20     | 4    | roster length L (u32)                                          |
 * | 24     | L    | signed roster of the new epoch                                 |
 * | 24+L   | s    | AES-128-CCM(delivery key, nonce, AD = bytes 0..24+L, keys) ‖ tag 16 |
 *
 * Sealed keys: handshake PSK 32 ‖ network key 16 ‖ k u8 ‖ k × (group u8 ‖ group key 16).
 *
 * The nonce is random (104 bits) rather than derived: the tool runs on a laptop with no
 * counter that survives between runs, and the same (device, epoch) may be sealed again
 * with different group keys; 13 random bytes from node:crypto make a repeat negligible.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { concatBytes } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { HANDSHAKE_PSK_LENGTH, LINK_KEY_LENGTH, MAX_GROUP } from "picket/link/key-schedule";
import type { GroupKey } from "picket/provisioning/bundle";

export const EPOCH_DELIVERY_VERSION = 1;
const NONCE_LENGTH = 13;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 24;
const GROUP_ENTRY_LENGTH = 1 + LINK_KEY_LENGTH;

export type EpochDeliveryErrorCode = "truncated" | "oversized" | "bad-version" | "bad-length" | "bad-tag" | "bad-group-keys";

/** The keys of one epoch for one device. */
export interface EpochKeys {
	readonly handshakePsk: Uint8Array;
	readonly networkKey: Uint8Array;
	readonly groupKeys: readonly GroupKey[];
}

export interface EpochDelivery extends EpochKeys {
	readonly deviceId: number;
	readonly epoch: number;
	readonly roster: Uint8Array;
}

function fail(code: EpochDeliveryErrorCode, message?: string): never {
	throw new PicketError<EpochDeliveryErrorCode>(code, message);
}

/** Seals `delivery` for its device. `nonce` is 13 fresh random bytes (see the header comment). */
export function sealEpochDelivery(crypto: CryptoSuite, deliveryKey: Uint8Array, delivery: EpochDelivery, nonce: Uint8Array): Uint8Array {
	if (nonce.length !== NONCE_LENGTH) fail("bad-length", "nonce must be 13 bytes");
	if (delivery.handshakePsk.length !== HANDSHAKE_PSK_LENGTH || delivery.networkKey.length !== LINK_KEY_LENGTH) fail("bad-length", "PSK 32 bytes, network key 16 bytes");
	const groupKeys = delivery.groupKeys.slice().sort((a, b) => a.group - b.group);
	const keys = new Uint8Array(HANDSHAKE_PSK_LENGTH + LINK_KEY_LENGTH + 1 + GROUP_ENTRY_LENGTH * groupKeys.length);
	keys.set(delivery.handshakePsk, 0);
	keys.set(delivery.networkKey, HANDSHAKE_PSK_LENGTH);
	keys[48] = groupKeys.length;
	groupKeys.forEach(({ group, key }, i) => {
		if (key.length !== LINK_KEY_LENGTH) fail("bad-length", `group ${group} key must be 16 bytes`);
		keys[49 + i * GROUP_ENTRY_LENGTH] = group;
		keys.set(key, 50 + i * GROUP_ENTRY_LENGTH);
	});
	const clear = new Uint8Array(HEADER_LENGTH + delivery.roster.length);
	const view = new DataView(clear.buffer);
	clear[0] = EPOCH_DELIVERY_VERSION;
	view.setUint16(1, delivery.deviceId);
	view.setUint32(3, delivery.epoch);
	clear.set(nonce, 7);
	view.setUint32(20, delivery.roster.length);
	clear.set(delivery.roster, HEADER_LENGTH);
	return concatBytes(clear, crypto.ccmSeal(deliveryKey, nonce, clear, keys, TAG_LENGTH));
}

/** Reads who a delivery is for, without opening it (so a carrier can route it). */
export function epochDeliveryAddressee(bytes: Uint8Array): { deviceId: number; epoch: number } {
	if (bytes.length < HEADER_LENGTH) fail("truncated");
	if (bytes[0] !== EPOCH_DELIVERY_VERSION) fail("bad-version", `version ${bytes[0]}`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return { deviceId: view.getUint16(1), epoch: view.getUint32(3) };
}

/**
 * Opens a delivery with the device's delivery key; throws "bad-tag" when anything was
 * altered or it was sealed for another device. The roster inside is NOT yet verified:
 * the keystore does that (keystore.ts applyEpochDelivery).
 */
export function openEpochDelivery(crypto: CryptoSuite, deliveryKey: Uint8Array, bytes: Uint8Array): EpochDelivery {
	const { deviceId, epoch } = epochDeliveryAddressee(bytes);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const rosterLength = view.getUint32(20);
	const sealedOffset = HEADER_LENGTH + rosterLength;
	const minimumSealed = HANDSHAKE_PSK_LENGTH + LINK_KEY_LENGTH + 1 + TAG_LENGTH;
	if (bytes.length < sealedOffset + minimumSealed) fail("truncated");
	let keys: Uint8Array;
	try {
		keys = crypto.ccmOpen(deliveryKey, bytes.subarray(7, 20), bytes.subarray(0, sealedOffset), bytes.subarray(sealedOffset), TAG_LENGTH);
	} catch {
		return fail("bad-tag", "not sealed for this device, or altered");
	}
	const count = keys[48];
	if (count > MAX_GROUP + 1) fail("bad-group-keys");
	if (keys.length < 49 + count * GROUP_ENTRY_LENGTH) fail("truncated");
	if (keys.length > 49 + count * GROUP_ENTRY_LENGTH) fail("oversized");
	const groupKeys: GroupKey[] = [];
	for (let i = 0; i < count; i++) {
		const offset = 49 + i * GROUP_ENTRY_LENGTH;
		groupKeys.push({ group: keys[offset], key: keys.slice(offset + 1, offset + GROUP_ENTRY_LENGTH) });
	}
	return {
		deviceId,
		epoch,
		roster: bytes.slice(HEADER_LENGTH, sealedOffset),
		handshakePsk: keys.slice(0, 32),
		networkKey: keys.slice(32, 48),
		groupKeys,
	};
}
