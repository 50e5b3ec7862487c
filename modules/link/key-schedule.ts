/**
 * Picket's key schedule: every working key is derived from the domain secret with
 * HKDF-SHA-256 (RFC 5869) under its own label, so keys are separated by purpose and a
 * device receives only the keys its role needs (a relay gets the network key only).
 *
 *   salt = "picket v1 " ‖ domain id (8 B)
 *   network key (16 B)        = HKDF(secret, salt, "net"   ‖ epoch u32)
 *   group key g (16 B)        = HKDF(secret, salt, "group" ‖ epoch u32 ‖ g u8)
 *   handshake PSK (32 B)      = HKDF(secret, salt, "psk"   ‖ epoch u32)
 *   delivery key (16 B)       = HKDF(secret, salt, "delivery" ‖ device id u16)
 *
 * and on the device, from the network key it already holds (Bluetooth Mesh's PrivacyKey,
 * Mesh Profile 3.8.6.3.1, is likewise derived from the NetKey):
 *
 *   privacy key (16 B)        = HKDF(network key, "picket v1 privacy", "privacy")
 *
 * It keys the alert header's obfuscation (alert-layers.ts); every holder of the network
 * key (relays too) can derive it, nobody else can.
 *
 * The delivery key seals a device's key-epoch deliveries end to end
 * (picket/provisioning/epoch-delivery); it has no epoch: a revoked device only ever knew
 * its own, which opens nothing addressed to anyone else.
 *
 * The provisioning tool runs this on the operator's laptop; devices only ever hold the
 * derived keys, never the domain secret.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { concatBytes, utf8 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";

export const DOMAIN_ID_LENGTH = 8;
export const DOMAIN_SECRET_LENGTH = 32;
export const LINK_KEY_LENGTH = 16;
export const HANDSHAKE_PSK_LENGTH = 32;
/** Groups are numbered 0..MAX_GROUP; a member's groups fit a 32-bit mask. */
export const MAX_GROUP = 31;

export type KeyScheduleErrorCode = "bad-length" | "bad-group" | "bad-epoch" | "bad-member-id";

function u32(value: number): Uint8Array {
	if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new PicketError<KeyScheduleErrorCode>("bad-epoch", `epoch ${value}`);
	return Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

function derive(crypto: CryptoSuite, domainId: Uint8Array, domainSecret: Uint8Array, info: Uint8Array, length: number): Uint8Array {
	if (domainId.length !== DOMAIN_ID_LENGTH) throw new PicketError<KeyScheduleErrorCode>("bad-length", "domain id must be 8 bytes");
	if (domainSecret.length !== DOMAIN_SECRET_LENGTH) throw new PicketError<KeyScheduleErrorCode>("bad-length", "domain secret must be 32 bytes");
	return crypto.hkdfSha256(domainSecret, concatBytes(utf8("picket v1 "), domainId), info, length);
}

export function deriveNetworkKey(crypto: CryptoSuite, domainId: Uint8Array, domainSecret: Uint8Array, epoch: number): Uint8Array {
	return derive(crypto, domainId, domainSecret, concatBytes(utf8("net"), u32(epoch)), LINK_KEY_LENGTH);
}

export function deriveGroupKey(crypto: CryptoSuite, domainId: Uint8Array, domainSecret: Uint8Array, epoch: number, group: number): Uint8Array {
	if (!Number.isInteger(group) || group < 0 || group > MAX_GROUP) throw new PicketError<KeyScheduleErrorCode>("bad-group", `group ${group}`);
	return derive(crypto, domainId, domainSecret, concatBytes(utf8("group"), u32(epoch), Uint8Array.of(group)), LINK_KEY_LENGTH);
}

export function deriveHandshakePsk(crypto: CryptoSuite, domainId: Uint8Array, domainSecret: Uint8Array, epoch: number): Uint8Array {
	return derive(crypto, domainId, domainSecret, concatBytes(utf8("psk"), u32(epoch)), HANDSHAKE_PSK_LENGTH);
}

export function deriveDeliveryKey(crypto: CryptoSuite, domainId: Uint8Array, domainSecret: Uint8Array, deviceId: number): Uint8Array {
	if (!Number.isInteger(deviceId) || deviceId < 0 || deviceId > 0xffff) throw new PicketError<KeyScheduleErrorCode>("bad-member-id", `device ${deviceId}`);
	return derive(crypto, domainId, domainSecret, concatBytes(utf8("delivery"), Uint8Array.of(deviceId >>> 8, deviceId & 255)), LINK_KEY_LENGTH);
}

/** The alert header's obfuscation key, derived on the device from the epoch's network key (table above). */
export function derivePrivacyKey(crypto: CryptoSuite, networkKey: Uint8Array): Uint8Array {
	if (networkKey.length !== LINK_KEY_LENGTH) throw new PicketError<KeyScheduleErrorCode>("bad-length", "network key must be 16 bytes");
	return crypto.hkdfSha256(networkKey, utf8("picket v1 privacy"), utf8("privacy"), LINK_KEY_LENGTH);
}
