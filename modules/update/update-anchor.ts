/**
 * The update anchor: the domain's update public key (ECDSA P-256, SEC1 uncompressed), pinned
 * at provisioning in the board's storage. Only offers and images signed by it are accepted.
 * Pinned means written once: a board that holds an anchor refuses to replace it with another
 * key (an attacker with a provisioning path would otherwise swap it first); re-pinning the
 * same key is a no-op so that provisioning can run again.
 *
 * Storage: domain "update", key "anchor", the 65-byte point.
 */
import type { Storage } from "picket/core/host-contracts";
import { constantTimeEqual } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";

export const UPDATE_STORAGE_DOMAIN = "update";
const ANCHOR_KEY = "anchor";
const P256_POINT_LENGTH = 65;

export type UpdateAnchorErrorCode = "bad-anchor" | "anchor-pinned" | "no-anchor";

function checkPoint(point: Uint8Array): void {
	if (point.length !== P256_POINT_LENGTH || point[0] !== 4) {
		throw new PicketError<UpdateAnchorErrorCode>("bad-anchor", "the update key must be an uncompressed SEC1 P-256 point (65 bytes, 0x04 first)");
	}
}

/** Pins `updateKey`; "anchor-pinned" when another key is already pinned. */
export function pinUpdateAnchor(storage: Storage, updateKey: Uint8Array): void {
	checkPoint(updateKey);
	const pinned = storage.read(UPDATE_STORAGE_DOMAIN, ANCHOR_KEY);
	if (pinned !== undefined) {
		if (constantTimeEqual(pinned, updateKey)) return;
		throw new PicketError<UpdateAnchorErrorCode>("anchor-pinned", "this board already trusts another update key");
	}
	storage.write(UPDATE_STORAGE_DOMAIN, ANCHOR_KEY, updateKey.slice());
}

/** The pinned update key; "no-anchor" when the board was provisioned without one (it then accepts no update). */
export function loadUpdateAnchor(storage: Storage): Uint8Array {
	const pinned = storage.read(UPDATE_STORAGE_DOMAIN, ANCHOR_KEY);
	if (pinned === undefined) throw new PicketError<UpdateAnchorErrorCode>("no-anchor", "no update key was pinned at provisioning");
	checkPoint(pinned);
	return pinned;
}
