/**
 * The provisioning bundle: everything one device needs to join its domain, in one
 * versioned byte string the provisioning tool writes to a `.bundle` file and the keystore
 * (keystore.ts) stores in Preference/NVS, chunked across keys of ≤ 3,991 B (STORAGE_VALUE_MAX).
 *
 * A device holds derived keys only, never the domain secret: the network key every member
 * holds, the handshake PSK, and the group keys of ITS groups (a relay: none, R5).
 *
 * Byte layout, version 2 (integers big-endian; version 1 differed only in its trailer, a
 * plain SHA-256, and is refused: re-issue the bundle):
 *
 * | offset   | size | field                                                           |
 * |----------|------|-----------------------------------------------------------------|
 * | 0        | 4    | magic "PKTB"                                                    |
 * | 4        | 1    | format version = 2                                              |
 * | 5        | 2    | device id (u16)                                                 |
 * | 7        | 8    | domain id                                                       |
 * | 15       | 4    | epoch (u32)                                                     |
 * | 19       | 32   | static X25519 secret key                                        |
 * | 51       | 65   | domain authority public key (P-256, SEC1 uncompressed)          |
 * | 116      | 32   | handshake PSK of the epoch                                      |
 * | 148      | 16   | network key of the epoch                                        |
 * | 164      | 16   | delivery key (authority → this device; epoch-delivery.ts)       |
 * | 180      | 1    | group key count k (0..32)                                       |
 * | 181      | 17·k | k × (group number u8 ‖ group key 16 B), ascending group number  |
 * | 181+17k  | 4    | roster length L (u32)                                           |
 * | 185+17k  | L    | signed roster (roster.ts)                                       |
 * | 185+17k+L| 32   | tag: HMAC-SHA256(bundle tag key, every byte before it)          |
 *
 *   bundle tag key = HMAC-SHA256(delivery key, "picket v2 bundle tag")
 *
 * The tag is keyed (issue 12, item 10): the authority computes it when it issues a bundle,
 * the device when it rebuilds one from a key-epoch delivery (keystore.ts), and the device
 * pins the tag key at its first provisioning beside the authority key and an epoch floor
 * (the keystore's anchor), so a bundle made by anyone without this device's delivery key —
 * another domain's, or one built around a key of the attacker's choosing — fails the tag
 * even when it is self-consistent. Without a pinned key (first provisioning, `picket device
 * inspect`) the bundle's own delivery key checks it: corruption is still detected. The
 * roster's signature detects a forged roster; the keystore checks the static secret key
 * against the member's public key in that roster. What no software check can give is
 * secrecy and integrity of the keys against someone who reads or rewrites the whole flash:
 * on the ESP32 that is flash encryption with NVS encryption.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { constantTimeEqual, toHex, utf8 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { DOMAIN_ID_LENGTH, HANDSHAKE_PSK_LENGTH, LINK_KEY_LENGTH, MAX_GROUP } from "picket/link/key-schedule";
import { type Roster, groupsOf } from "picket/provisioning/roster";

export const BUNDLE_MAGIC = Uint8Array.of(0x50, 0x4b, 0x54, 0x42); // "PKTB"
export const BUNDLE_VERSION = 2;
export const AUTHORITY_PUBLIC_KEY_LENGTH = 65;
export const STATIC_SECRET_KEY_LENGTH = 32;
export const DELIVERY_KEY_LENGTH = 16;
const FIXED_LENGTH = 181;
const GROUP_ENTRY_LENGTH = 1 + LINK_KEY_LENGTH;
const DIGEST_LENGTH = 32;
const TAG_KEY_LABEL = utf8("picket v2 bundle tag");

/** The key of a bundle's tag, from the device's delivery key (table above). */
export function bundleTagKey(crypto: CryptoSuite, deliveryKey: Uint8Array): Uint8Array {
	return crypto.hmacSha256(deliveryKey, TAG_KEY_LABEL);
}

export type BundleErrorCode =
	| "truncated"
	| "oversized"
	| "bad-magic"
	| "bad-version"
	| "corrupt-bundle" // the tag does not match: corrupted, or not made with this device's delivery key
	| "bad-group-keys" // unsorted, duplicated or out-of-range group numbers
	| "bad-length"; // encoder input of the wrong size

export interface GroupKey {
	readonly group: number;
	readonly key: Uint8Array;
}

/** The bundle's fields, decoded but not yet checked against the roster (keystore.ts does that). */
export interface ProvisioningBundle {
	readonly deviceId: number;
	readonly domainId: Uint8Array;
	readonly epoch: number;
	readonly staticSecretKey: Uint8Array;
	readonly authorityPublicKey: Uint8Array;
	readonly handshakePsk: Uint8Array;
	readonly networkKey: Uint8Array;
	readonly deliveryKey: Uint8Array;
	/** Ascending by group. */
	readonly groupKeys: readonly GroupKey[];
	/** The signed roster bytes. */
	readonly roster: Uint8Array;
}

function fail(code: BundleErrorCode, message?: string): never {
	throw new PicketError<BundleErrorCode>(code, message);
}

function checkLength(what: string, value: Uint8Array, length: number): void {
	if (value.length !== length) fail("bad-length", `${what} must be ${length} bytes`);
}

/** Checks that group keys are ascending, unique, in 0..31 and 16 bytes each. */
function checkGroupKeys(groupKeys: readonly GroupKey[]): void {
	if (groupKeys.length > MAX_GROUP + 1) fail("bad-group-keys", "more than 32 group keys");
	let previous = -1;
	for (const { group, key } of groupKeys) {
		if (!Number.isInteger(group) || group <= previous || group > MAX_GROUP) fail("bad-group-keys", `group ${group} after ${previous}`);
		if (key.length !== LINK_KEY_LENGTH) fail("bad-length", `group ${group} key must be 16 bytes`);
		previous = group;
	}
}

export function encodeBundle(bundle: ProvisioningBundle, crypto: CryptoSuite): Uint8Array {
	if (!Number.isInteger(bundle.deviceId) || bundle.deviceId < 1 || bundle.deviceId > 0xffff) fail("bad-length", `device id ${bundle.deviceId}`);
	if (!Number.isInteger(bundle.epoch) || bundle.epoch < 0 || bundle.epoch > 0xffffffff) fail("bad-length", `epoch ${bundle.epoch}`);
	checkLength("domain id", bundle.domainId, DOMAIN_ID_LENGTH);
	checkLength("static secret key", bundle.staticSecretKey, STATIC_SECRET_KEY_LENGTH);
	checkLength("authority public key", bundle.authorityPublicKey, AUTHORITY_PUBLIC_KEY_LENGTH);
	checkLength("handshake PSK", bundle.handshakePsk, HANDSHAKE_PSK_LENGTH);
	checkLength("network key", bundle.networkKey, LINK_KEY_LENGTH);
	checkLength("delivery key", bundle.deliveryKey, DELIVERY_KEY_LENGTH);
	const groupKeys = bundle.groupKeys.slice().sort((a, b) => a.group - b.group);
	checkGroupKeys(groupKeys);
	const rosterOffset = FIXED_LENGTH + GROUP_ENTRY_LENGTH * groupKeys.length + 4;
	const bytes = new Uint8Array(rosterOffset + bundle.roster.length + DIGEST_LENGTH);
	const view = new DataView(bytes.buffer);
	bytes.set(BUNDLE_MAGIC, 0);
	bytes[4] = BUNDLE_VERSION;
	view.setUint16(5, bundle.deviceId);
	bytes.set(bundle.domainId, 7);
	view.setUint32(15, bundle.epoch);
	bytes.set(bundle.staticSecretKey, 19);
	bytes.set(bundle.authorityPublicKey, 51);
	bytes.set(bundle.handshakePsk, 116);
	bytes.set(bundle.networkKey, 148);
	bytes.set(bundle.deliveryKey, 164);
	bytes[180] = groupKeys.length;
	let offset = FIXED_LENGTH;
	for (const { group, key } of groupKeys) {
		bytes[offset] = group;
		bytes.set(key, offset + 1);
		offset += GROUP_ENTRY_LENGTH;
	}
	view.setUint32(offset, bundle.roster.length);
	bytes.set(bundle.roster, rosterOffset);
	const digestOffset = rosterOffset + bundle.roster.length;
	bytes.set(crypto.hmacSha256(bundleTagKey(crypto, bundle.deliveryKey), bytes.subarray(0, digestOffset)), digestOffset);
	return bytes;
}

/**
 * Decodes and checks the tag under `tagKey` (the keystore's pinned one), or, without it,
 * under the key of the bundle's own delivery key; throws PicketError<BundleErrorCode>.
 * Does not verify the roster.
 */
export function decodeBundle(bytes: Uint8Array, crypto: CryptoSuite, tagKey?: Uint8Array): ProvisioningBundle {
	if (bytes.length < FIXED_LENGTH + 4 + DIGEST_LENGTH) fail("truncated", `${bytes.length} bytes`);
	if (!constantTimeEqual(bytes.subarray(0, 4), BUNDLE_MAGIC)) fail("bad-magic");
	if (bytes[4] !== BUNDLE_VERSION) fail("bad-version", `version ${bytes[4]}`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const groupCount = bytes[180];
	if (groupCount > MAX_GROUP + 1) fail("bad-group-keys", `${groupCount} group keys`);
	const rosterLengthOffset = FIXED_LENGTH + GROUP_ENTRY_LENGTH * groupCount;
	if (bytes.length < rosterLengthOffset + 4 + DIGEST_LENGTH) fail("truncated", `${bytes.length} bytes`);
	const rosterLength = view.getUint32(rosterLengthOffset);
	const digestOffset = rosterLengthOffset + 4 + rosterLength;
	if (bytes.length < digestOffset + DIGEST_LENGTH) fail("truncated", `roster of ${rosterLength} bytes does not fit`);
	if (bytes.length > digestOffset + DIGEST_LENGTH) fail("oversized", `${bytes.length - digestOffset - DIGEST_LENGTH} trailing bytes`);
	const key = tagKey ?? bundleTagKey(crypto, bytes.subarray(164, 180));
	if (!constantTimeEqual(crypto.hmacSha256(key, bytes.subarray(0, digestOffset)), bytes.subarray(digestOffset))) fail("corrupt-bundle", "tag mismatch");
	const groupKeys: GroupKey[] = [];
	for (let i = 0; i < groupCount; i++) {
		const offset = FIXED_LENGTH + i * GROUP_ENTRY_LENGTH;
		groupKeys.push({ group: bytes[offset], key: bytes.slice(offset + 1, offset + GROUP_ENTRY_LENGTH) });
	}
	checkGroupKeys(groupKeys);
	return {
		deviceId: view.getUint16(5),
		domainId: bytes.slice(7, 15),
		epoch: view.getUint32(15),
		staticSecretKey: bytes.slice(19, 51),
		authorityPublicKey: bytes.slice(51, 116),
		handshakePsk: bytes.slice(116, 148),
		networkKey: bytes.slice(148, 164),
		deliveryKey: bytes.slice(164, 180),
		groupKeys,
		roster: bytes.slice(rosterLengthOffset + 4, digestOffset),
	};
}

/** The JSON view of a bundle, for people. */
export interface BundleView {
	format: string;
	deviceId: number;
	domainId: string;
	epoch: number;
	role?: string;
	groups?: number[];
	staticPublicKey?: string;
	staticSecretKey: string;
	authorityPublicKey: string;
	handshakePsk: string;
	networkKey: string;
	deliveryKey: string;
	groupKeys: { group: number; key: string }[];
	roster: { bytes: number; epoch: number; members: { id: number; role: string; groups: number[]; staticPublicKey: string }[] } | { bytes: number };
}

export const REDACTED = "(redacted)";

/**
 * A readable view of the bundle. Secrets read "(redacted)" unless `revealSecrets`; the
 * roster is listed member by member when the caller passes it already verified.
 */
export function bundleView(bundle: ProvisioningBundle, roster?: Roster, options: { revealSecrets?: boolean } = {}): BundleView {
	const secret = (bytes: Uint8Array) => (options.revealSecrets ? toHex(bytes) : REDACTED);
	const self = roster?.member(bundle.deviceId);
	return {
		format: `picket bundle v${BUNDLE_VERSION}`,
		deviceId: bundle.deviceId,
		domainId: toHex(bundle.domainId),
		epoch: bundle.epoch,
		...(self ? { role: self.role, groups: groupsOf(self.groups), staticPublicKey: toHex(self.staticPublicKey) } : {}),
		staticSecretKey: secret(bundle.staticSecretKey),
		authorityPublicKey: toHex(bundle.authorityPublicKey),
		handshakePsk: secret(bundle.handshakePsk),
		networkKey: secret(bundle.networkKey),
		deliveryKey: secret(bundle.deliveryKey),
		groupKeys: bundle.groupKeys.map(({ group, key }) => ({ group, key: secret(key) })),
		roster: roster
			? {
					bytes: roster.bytes.length,
					epoch: roster.epoch,
					members: roster.members().map((member) => ({ id: member.id, role: member.role, groups: groupsOf(member.groups), staticPublicKey: toHex(member.staticPublicKey) })),
				}
			: { bytes: bundle.roster.length },
	};
}
