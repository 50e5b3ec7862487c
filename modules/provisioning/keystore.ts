/**
 * The device's keystore: loads its provisioning bundle from Preference/NVS (the `Storage`
 * contract) or from bytes, refuses it unless it is whole and its roster is signed by the
 * domain authority and lists this device with the public key of its secret key, and writes
 * bundles so that a power cut at any instant leaves the old bundle or the new one.
 *
 * Storage layout (domain "provisioning"; keys ≤ 13 chars, values ≤ STORAGE_VALUE_MAX =
 * 3,991 B, host-contracts.ts; each key is itself two Preference records,
 * power-safe-storage.ts):
 *
 * | key             | value                                                        |
 * |-----------------|--------------------------------------------------------------|
 * | `bundle.a.<i>`  | chunk i of the bundle in slot a (3,991 B each, last shorter) |
 * | `bundle.b.<i>`  | chunk i of the bundle in slot b                              |
 * | `bundle.commit` | commit marker: version 1 u8 ‖ slot u8 (0 a, 1 b) ‖ length u32 |
 *
 * A write fills the slot the marker does not name, then writes the marker (atomic per key,
 * host-contracts.ts), then deletes the other slot's chunks. Until the marker lands the old
 * bundle stays in force; chunks without a marker are never read. A marker whose chunks are
 * missing or short is "incomplete-bundle"; a whole bundle whose tag fails is
 * "corrupt-bundle" (bundle.ts).
 *
 * The trust anchor (issue 12, item 10), kept apart from the bundle (domain "picket-anchor",
 * key "anchor"), written at the device's first provisioning (the first bundle stored, or
 * the first loaded when the provisioning image was written without it):
 *
 * | byte    | field                                                        |
 * |---------|--------------------------------------------------------------|
 * | 0       | anchor version = 1                                           |
 * | 1..8    | domain id                                                    |
 * | 9..73   | domain authority public key (P-256, SEC1 uncompressed)       |
 * | 74..105 | bundle tag key (bundle.ts)                                   |
 * | 106..109| epoch floor u32: the newest epoch this device has installed  |
 *
 * Every later bundle must carry the pinned authority key and domain, and pass its tag under
 * the pinned tag key ("anchor-mismatch"), and have an epoch at least the
 * floor ("epoch-rollback"); the floor rises after each newer bundle is committed (bundle
 * first, then the floor: a cut in between leaves the floor behind, never ahead of the
 * bundle). So whoever can rewrite the bundle's NVS entries can neither install another
 * domain's bundle nor roll back to an older epoch that still lists a revoked member. The
 * anchor itself lives in the same flash: against someone who can rewrite every NVS entry,
 * only NVS encryption (and, for the authority key, an eFuse-backed store) helps.
 */
import type { CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import type { Storage } from "picket/core/host-contracts";
import { STORAGE_VALUE_MAX } from "picket/core/host-contracts";
import { concatBytes, constantTimeEqual, readU32, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { type GroupKey, type ProvisioningBundle, bundleTagKey, decodeBundle, encodeBundle } from "picket/provisioning/bundle";
import { openEpochDelivery } from "picket/provisioning/epoch-delivery";
import type { Member } from "picket/link/membership";
import { Roster, groupsOf } from "picket/provisioning/roster";

export const PROVISIONING_STORAGE_DOMAIN = "provisioning";
export const ANCHOR_STORAGE_DOMAIN = "picket-anchor";
const ANCHOR_KEY = "anchor";
const ANCHOR_VERSION = 1;
const ANCHOR_LENGTH = 110;
const COMMIT_KEY = "bundle.commit";
const COMMIT_VERSION = 1;
const SLOTS = ["a", "b"] as const;

export type KeystoreErrorCode =
	| "no-bundle" // nothing committed in storage
	| "incomplete-bundle" // the marker names chunks that are missing or short
	| "bad-commit-marker"
	| "wrong-domain" // roster and bundle disagree on the domain
	| "wrong-epoch" // roster and bundle disagree on the epoch
	| "not-in-roster" // the signed roster does not list this device
	| "key-mismatch" // the roster lists another public key for this device
	| "groups-mismatch" // the bundle holds keys for groups the roster does not grant, or lacks some
	| "stale-epoch" // an epoch delivery not newer than the current epoch
	| "anchor-mismatch" // another authority key, domain or bundle tag key than the ones pinned at first provisioning
	| "epoch-rollback" // a bundle older than the epoch floor kept in the anchor
	| "bad-anchor" // the anchor record is damaged
	| "wrong-device"; // an epoch delivery addressed to another device

function fail(code: KeystoreErrorCode, message?: string): never {
	throw new PicketError<KeystoreErrorCode>(code, message);
}

/** A device's verified provisioning: what the link and the app run on. */
export interface DeviceCredentials {
	readonly deviceId: number;
	readonly domainId: Uint8Array;
	readonly epoch: number;
	/** This device's roster entry: role and groups. */
	readonly self: Member;
	readonly staticKeyPair: X25519KeyPair;
	readonly authorityPublicKey: Uint8Array;
	readonly handshakePsk: Uint8Array;
	readonly networkKey: Uint8Array;
	readonly deliveryKey: Uint8Array;
	/** Group number → key, only the groups the roster grants this device. */
	readonly groupKeys: ReadonlyMap<number, Uint8Array>;
	readonly roster: Roster;
	/** The bundle bytes these credentials came from. */
	readonly bundle: Uint8Array;
}

/** A signed roster already decoded and verified under `authorityPublicKey`. */
export interface VerifiedRoster {
	readonly roster: Roster;
	readonly bytes: Uint8Array;
	readonly authorityPublicKey: Uint8Array;
}

export interface OpenBundleOptions {
	/**
	 * A roster already verified under this authority key: when the bundle carries the same
	 * bytes, its signature is not checked again. For the simulator, whose 1,000 devices
	 * share one roster; a device verifies its own.
	 */
	readonly verifiedRoster?: VerifiedRoster;
}

/**
 * Decodes a bundle and checks it end to end: digest (bundle.ts), roster signature under
 * the bundle's authority key (roster.ts), same domain and epoch, this device listed with
 * the public key of the bundle's secret key, and group keys for exactly its groups.
 */
export function openBundle(bytes: Uint8Array, crypto: CryptoSuite, options: OpenBundleOptions = {}, anchor?: TrustAnchor): DeviceCredentials {
	const bundle = decodeBundle(bytes, crypto);
	if (anchor !== undefined) checkAnchor(anchor, bundle, crypto);
	const known = options.verifiedRoster;
	const reuse = known !== undefined && constantTimeEqual(known.bytes, bundle.roster) && constantTimeEqual(known.authorityPublicKey, bundle.authorityPublicKey);
	const roster = reuse ? known.roster : Roster.decode(bundle.roster, bundle.authorityPublicKey, crypto);
	return credentialsFrom(bundle, roster, bytes, crypto);
}

function credentialsFrom(bundle: ProvisioningBundle, roster: Roster, bytes: Uint8Array, crypto: CryptoSuite): DeviceCredentials {
	if (!constantTimeEqual(roster.domainId, bundle.domainId)) fail("wrong-domain");
	if (roster.epoch !== bundle.epoch) fail("wrong-epoch", `bundle ${bundle.epoch}, roster ${roster.epoch}`);
	const self = roster.member(bundle.deviceId);
	if (self === undefined) fail("not-in-roster", `device ${bundle.deviceId}`);
	const publicKey = crypto.x25519PublicKey(bundle.staticSecretKey);
	if (!constantTimeEqual(publicKey, self.staticPublicKey)) fail("key-mismatch", `device ${bundle.deviceId}`);
	checkGroupKeys(bundle.groupKeys, self);
	return {
		deviceId: bundle.deviceId,
		domainId: bundle.domainId,
		epoch: bundle.epoch,
		self,
		staticKeyPair: { secretKey: bundle.staticSecretKey, publicKey },
		authorityPublicKey: bundle.authorityPublicKey,
		handshakePsk: bundle.handshakePsk,
		networkKey: bundle.networkKey,
		deliveryKey: bundle.deliveryKey,
		groupKeys: new Map(bundle.groupKeys.map(({ group, key }) => [group, key])),
		roster,
		bundle: bytes,
	};
}

function checkGroupKeys(groupKeys: readonly GroupKey[], self: Member): void {
	const granted = groupsOf(self.groups);
	const held = groupKeys.map(({ group }) => group);
	if (granted.length !== held.length || granted.some((group, i) => group !== held[i])) {
		fail("groups-mismatch", `roster grants [${granted.join(",")}], bundle holds [${held.join(",")}]`);
	}
}

function chunkKey(slot: number, index: number): string {
	return `bundle.${SLOTS[slot]}.${index}`;
}

function readMarker(storage: Storage): { slot: number; length: number } | undefined {
	const marker = storage.read(PROVISIONING_STORAGE_DOMAIN, COMMIT_KEY);
	if (marker === undefined) return undefined;
	if (marker.length !== 6 || marker[0] !== COMMIT_VERSION || marker[1] > 1) fail("bad-commit-marker");
	return { slot: marker[1], length: readU32(marker, 2) };
}

/** The committed bundle bytes, unchecked; throws "no-bundle" or "incomplete-bundle". */
export function readStoredBundle(storage: Storage): Uint8Array {
	const marker = readMarker(storage);
	if (marker === undefined) fail("no-bundle");
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (let i = 0; total < marker.length; i++) {
		const chunk = storage.read(PROVISIONING_STORAGE_DOMAIN, chunkKey(marker.slot, i));
		if (chunk === undefined || chunk.length === 0) fail("incomplete-bundle", `chunk ${i} missing`);
		chunks.push(chunk);
		total += chunk.length;
	}
	if (total !== marker.length) fail("incomplete-bundle", `${total} bytes, marker says ${marker.length}`);
	return concatBytes(...chunks);
}

/** The anchor (table above) as read from storage. */
export interface TrustAnchor {
	readonly domainId: Uint8Array;
	readonly authorityPublicKey: Uint8Array;
	readonly tagKey: Uint8Array;
	readonly epochFloor: number;
}

/** The pinned anchor, or undefined before the first provisioning; throws "bad-anchor" when damaged. */
export function readTrustAnchor(storage: Storage): TrustAnchor | undefined {
	const bytes = storage.read(ANCHOR_STORAGE_DOMAIN, ANCHOR_KEY);
	if (bytes === undefined) return undefined;
	if (bytes.length !== ANCHOR_LENGTH || bytes[0] !== ANCHOR_VERSION) fail("bad-anchor", `${bytes.length} bytes, version ${bytes[0]}`);
	return { domainId: bytes.slice(1, 9), authorityPublicKey: bytes.slice(9, 74), tagKey: bytes.slice(74, 106), epochFloor: readU32(bytes, 106) };
}

function writeTrustAnchor(storage: Storage, credentials: DeviceCredentials, crypto: CryptoSuite): void {
	const bytes = concatBytes(Uint8Array.of(ANCHOR_VERSION), credentials.domainId, credentials.authorityPublicKey, bundleTagKey(crypto, credentials.deliveryKey), new Uint8Array(4));
	writeU32(bytes, 106, credentials.epoch);
	storage.write(ANCHOR_STORAGE_DOMAIN, ANCHOR_KEY, bytes);
}

/** `bundle` passed its tag under its own delivery key; the anchor says whose it must be. */
function checkAnchor(anchor: TrustAnchor, bundle: ProvisioningBundle, crypto: CryptoSuite): void {
	if (!constantTimeEqual(anchor.authorityPublicKey, bundle.authorityPublicKey) || !constantTimeEqual(anchor.domainId, bundle.domainId)) {
		fail("anchor-mismatch", "this bundle is for another domain authority than the one pinned at first provisioning");
	}
	// Its tag verified under its own delivery key: it is under the pinned key exactly when that key derives the pinned one.
	if (!constantTimeEqual(bundleTagKey(crypto, bundle.deliveryKey), anchor.tagKey)) fail("anchor-mismatch", "the bundle's tag is not under the bundle tag key pinned at first provisioning");
	if (bundle.epoch < anchor.epochFloor) fail("epoch-rollback", `bundle epoch ${bundle.epoch}, this device has installed epoch ${anchor.epochFloor}`);
}

/** Pins the anchor at first provisioning, or raises its epoch floor to `credentials`' epoch. */
function advanceAnchor(storage: Storage, anchor: TrustAnchor | undefined, credentials: DeviceCredentials, crypto: CryptoSuite): void {
	if (anchor === undefined || credentials.epoch > anchor.epochFloor) writeTrustAnchor(storage, credentials, crypto);
}

/** Loads and verifies the committed bundle (see openBundle) against the anchor, pinning it on the first load. */
export function loadCredentials(storage: Storage, crypto: CryptoSuite, options: OpenBundleOptions = {}): DeviceCredentials {
	const anchor = readTrustAnchor(storage);
	const credentials = openBundle(readStoredBundle(storage), crypto, options, anchor);
	advanceAnchor(storage, anchor, credentials, crypto);
	return credentials;
}

/**
 * Verifies `bytes` as a bundle (openBundle, against the anchor when one is pinned) and
 * commits it to storage: chunks into the free slot, then the marker, then the old slot's
 * chunks are deleted; then the anchor is pinned or its floor raised.
 */
export function storeBundle(storage: Storage, bytes: Uint8Array, crypto: CryptoSuite, options: OpenBundleOptions = {}): DeviceCredentials {
	const anchor = readTrustAnchor(storage);
	const credentials = openBundle(bytes, crypto, options, anchor);
	const current = readMarkerOrNone(storage);
	const slot = current === undefined ? 0 : 1 - current.slot;
	clearSlot(storage, slot);
	for (let offset = 0, i = 0; offset < bytes.length; offset += STORAGE_VALUE_MAX, i++) {
		storage.write(PROVISIONING_STORAGE_DOMAIN, chunkKey(slot, i), bytes.slice(offset, offset + STORAGE_VALUE_MAX));
	}
	const marker = Uint8Array.of(COMMIT_VERSION, slot, 0, 0, 0, 0);
	writeU32(marker, 2, bytes.length);
	storage.write(PROVISIONING_STORAGE_DOMAIN, COMMIT_KEY, marker);
	clearSlot(storage, 1 - slot);
	advanceAnchor(storage, anchor, credentials, crypto);
	return credentials;
}

/** A damaged marker must not stop a fresh bundle from being written over it. */
function readMarkerOrNone(storage: Storage): { slot: number; length: number } | undefined {
	try {
		return readMarker(storage);
	} catch {
		return undefined;
	}
}

function clearSlot(storage: Storage, slot: number): void {
	const prefix = `bundle.${SLOTS[slot]}.`;
	for (const key of storage.keys(PROVISIONING_STORAGE_DOMAIN)) if (key.startsWith(prefix)) storage.delete(PROVISIONING_STORAGE_DOMAIN, key);
}

/**
 * Applies a key-epoch delivery (epoch-delivery.ts) received after a revocation: opens it
 * with this device's delivery key, verifies the new roster under the authority key it
 * already holds, requires a newer epoch and this device still listed with the same static
 * key, then commits the new bundle. Returns the new credentials.
 */
export function applyEpochDelivery(storage: Storage, current: DeviceCredentials, delivery: Uint8Array, crypto: CryptoSuite): DeviceCredentials {
	const opened = openEpochDelivery(crypto, current.deliveryKey, delivery);
	if (opened.deviceId !== current.deviceId) fail("wrong-device", `for device ${opened.deviceId}`);
	if (opened.epoch <= current.epoch) fail("stale-epoch", `epoch ${opened.epoch}, current ${current.epoch}`);
	const roster = Roster.decode(opened.roster, current.authorityPublicKey, crypto, current.domainId);
	if (roster.epoch !== opened.epoch) fail("wrong-epoch", `delivery ${opened.epoch}, roster ${roster.epoch}`);
	const bundle = encodeBundle(
		{
			deviceId: current.deviceId,
			domainId: current.domainId,
			epoch: opened.epoch,
			staticSecretKey: current.staticKeyPair.secretKey,
			authorityPublicKey: current.authorityPublicKey,
			handshakePsk: opened.handshakePsk,
			networkKey: opened.networkKey,
			deliveryKey: current.deliveryKey,
			groupKeys: opened.groupKeys,
			roster: opened.roster,
		},
		crypto,
	);
	return storeBundle(storage, bundle, crypto);
}
