/**
 * The two protection layers of an alert, both AES-128-CCM (NIST SP 800-38C, 13-byte nonce):
 *
 * - app layer: the payload sealed under the group key, 8-byte tag, associated data = the
 *   header with TTL 0. Only members of the group read or forge it.
 * - network layer: a 4-byte CCM tag (empty plaintext, so CCM acts as a MAC) under the
 *   network key over the header with TTL 0 ‖ app ciphertext ‖ app tag. Every member,
 *   relays included, checks it without reading the payload, so forgeries from outside the
 *   domain die at the first hop.
 *
 * Sending costs 2 CCM operations, receiving 2 (a relay that cannot read: 1; a duplicate: 0).
 *
 * Header obfuscation (Bluetooth Mesh network PDU privacy, Mesh Profile 3.8.7.3), applied
 * after both tags and removed before either is checked:
 *
 *   mask = HMAC-SHA-256(privacy key, "picket alert header" ‖ privacy random)[0..4]
 *   privacy random = the frame's app tag ‖ network tag (12 B, alert-frame.ts)
 *
 * XORed over the group bits and the source and sequence (alert-frame.ts). The privacy key
 * comes from the network key (key-schedule.ts), so relays unmask before their checks and
 * forward the bytes they heard, mask unchanged (it does not depend on the TTL). Both tags
 * cover the header in clear: an altered masked bit unmasks to another header, an altered
 * privacy random to another mask, and either fails the network tag. The mask is an HMAC,
 * not Mesh's single AES block, because the CryptoSuite has no raw AES block and a third
 * CCM would exceed the budget of 2; HMAC-SHA-256 is in every suite (the ESP32's SHA
 * hardware under the native one) and is not a CCM operation. Two frames share a mask only
 * if their 96-bit privacy randoms collide.
 *
 * Nonces are derived, never random and never sent: only the sequence travels. The
 * sequence counter never repeats a (source, epoch, sequence), the layer byte keeps the
 * two layers apart even if a key were ever shared, and the epoch is the full 32 bits.
 *
 * | nonce byte | field    | content                                              |
 * |------------|----------|------------------------------------------------------|
 * | 0          | layer    | 0x01 alert network layer, 0x02 alert app layer       |
 * | 1..4       | epoch    | key epoch, u32 big-endian (all 32 bits, not the 3 sent) |
 * | 5..6       | source   | source id, u16 big-endian (13 bits used)             |
 * | 7..9       | sequence | u24 big-endian: the 19 bits sent                     |
 * | 10..11     | era      | u16 big-endian: the extended sequence's high 13 bits (alert-frame.ts), never sent |
 * | 12         | zero     | reserved                                             |
 *
 * Era 0's nonces are those of the frames before eras existed: bytes 10..11 were zero.
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { concatBytes, utf8 } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import {
	ALERT_APP_TAG_LENGTH,
	ALERT_NETWORK_TAG_LENGTH,
	type AlertFrame,
	type AlertHeader,
	encodeAlertFrame,
	encodeAlertHeader,
	maskTtl,
	MAX_SEQUENCE,
	OBFUSCATED_LENGTH,
	PRIVACY_RANDOM_LENGTH,
	privacyRandom,
	unmaskAlertFrame,
	xorHeaderMask,
} from "picket/link/alert-frame";

export const CCM_NONCE_LENGTH = 13;

export const enum AlertLayer {
	Network = 0x01,
	App = 0x02,
}

/** The 13-byte CCM nonce of one layer of one alert (table above); `sequence` is the extended sequence. */
export function alertNonce(layer: AlertLayer, epoch: number, source: number, sequence: number): Uint8Array {
	const nonce = new Uint8Array(CCM_NONCE_LENGTH);
	nonce[0] = layer;
	nonce[1] = epoch >>> 24;
	nonce[2] = (epoch >>> 16) & 255;
	nonce[3] = (epoch >>> 8) & 255;
	nonce[4] = epoch & 255;
	nonce[5] = (source >>> 8) & 255;
	nonce[6] = source & 255;
	const era = Math.floor(sequence / (MAX_SEQUENCE + 1));
	const low = sequence - era * (MAX_SEQUENCE + 1);
	nonce[7] = (low >>> 16) & 255;
	nonce[8] = (low >>> 8) & 255;
	nonce[9] = low & 255;
	nonce[10] = era >>> 8;
	nonce[11] = era & 255;
	return nonce;
}

/** The keys one alert is protected with. */
export interface AlertKeys {
	readonly networkKey: Uint8Array;
	/** derivePrivacyKey(network key) (key-schedule.ts). */
	readonly privacyKey: Uint8Array;
	readonly groupKey: Uint8Array;
}

const MASK_LABEL = utf8("picket alert header");

/** The obfuscation mask of one frame (table above): one HMAC-SHA-256, no CCM. */
function headerMask(crypto: CryptoSuite, privacyKey: Uint8Array, frame: Uint8Array): Uint8Array {
	return crypto.hmacSha256(privacyKey, concatBytes(MASK_LABEL, privacyRandom(frame))).subarray(0, OBFUSCATED_LENGTH);
}

/**
 * The frame with its header in clear, as the tags see it: `frame.bytes` becomes a copy
 * with group, source and sequence unmasked. Keep the bytes heard for relaying: the mask
 * travels with them. Not authenticated: a wrong privacy key or an altered bit gives a
 * header whose network tag fails.
 */
export function deobfuscateAlertFrame(crypto: CryptoSuite, privacyKey: Uint8Array, frame: AlertFrame): AlertFrame {
	return unmaskAlertFrame(frame, headerMask(crypto, privacyKey, frame.bytes));
}

/** Frames a HeaderMasks keeps the mask of. */
export const REMEMBERED_MASKS = 8;

/**
 * The header masks of the last REMEMBERED_MASKS frames a link unmasked under one privacy
 * key. Relays change only the TTL, so every copy of an alert carries the same privacy
 * random: a device hearing one alert from each of its neighbours computes its mask once,
 * not once per copy, and a duplicate costs no HMAC as it costs no CCM. The result is
 * `deobfuscateAlertFrame`'s, exactly: the mask is a function of the privacy key (one per
 * memory) and of the privacy random alone, compared in full, so a frame carrying another
 * frame's tags gets the mask it would have got anyway. 8 × 17 B.
 */
export class HeaderMasks {
	readonly #privacyKey: Uint8Array;
	readonly #randoms = new Uint8Array(REMEMBERED_MASKS * PRIVACY_RANDOM_LENGTH);
	/** Slot i's mask at i × 5: two arrays in all, whatever the count (slots are scarce on a board). */
	readonly #masks = new Uint8Array(REMEMBERED_MASKS * OBFUSCATED_LENGTH);
	#used = 0;
	/** The slot the next new mask takes: the oldest once all are used. */
	#next = 0;

	constructor(privacyKey: Uint8Array) {
		this.#privacyKey = privacyKey;
	}

	/** `deobfuscateAlertFrame(crypto, privacyKey, frame)`, with the mask remembered. */
	unmask(crypto: CryptoSuite, frame: AlertFrame): AlertFrame {
		let slot = this.#find(frame.bytes);
		if (slot < 0) {
			slot = this.#next;
			this.#randoms.set(privacyRandom(frame.bytes), slot * PRIVACY_RANDOM_LENGTH);
			this.#masks.set(headerMask(crypto, this.#privacyKey, frame.bytes), slot * OBFUSCATED_LENGTH);
			this.#next = (slot + 1) % REMEMBERED_MASKS;
			if (this.#used < REMEMBERED_MASKS) this.#used++;
		}
		return unmaskAlertFrame(frame, this.#masks, slot * OBFUSCATED_LENGTH);
	}

	/** The slot remembering the privacy random of `bytes` (its last 12 bytes), or −1. */
	#find(bytes: Uint8Array): number {
		const randoms = this.#randoms;
		const offset = bytes.length - PRIVACY_RANDOM_LENGTH;
		for (let slot = 0; slot < this.#used; slot++) {
			const start = slot * PRIVACY_RANDOM_LENGTH;
			let i = 0;
			while (i < PRIVACY_RANDOM_LENGTH && randoms[start + i] === bytes[offset + i]) i++;
			if (i === PRIVACY_RANDOM_LENGTH) return slot;
		}
		return -1;
	}
}

/** Builds a complete alert frame: app layer, then network layer, then the header obfuscated. Two CCM operations and one HMAC. */
export function sealAlert(crypto: CryptoSuite, keys: AlertKeys, header: AlertHeader, payload: Uint8Array): Uint8Array {
	const headerBytes = encodeAlertHeader(header);
	const associatedData = maskTtl(headerBytes);
	const sealedPayload = crypto.ccmSeal(keys.groupKey, alertNonce(AlertLayer.App, header.epoch, header.source, header.sequence), associatedData, payload, ALERT_APP_TAG_LENGTH);
	const networkTag = crypto.ccmSeal(
		keys.networkKey,
		alertNonce(AlertLayer.Network, header.epoch, header.source, header.sequence),
		networkAssociatedData(associatedData, sealedPayload),
		new Uint8Array(0),
		ALERT_NETWORK_TAG_LENGTH,
	);
	const clear = encodeAlertFrame(headerBytes, sealedPayload, networkTag);
	return xorHeaderMask(clear, headerMask(crypto, keys.privacyKey, clear));
}

/** The network tag's associated data: header with TTL 0 ‖ app ciphertext ‖ app tag. */
function networkAssociatedData(maskedHeader: Uint8Array, sealedPayload: Uint8Array): Uint8Array {
	return concatBytes(maskedHeader, sealedPayload);
}

/**
 * True when the network tag is genuine under `networkKey`, the full `epoch` and the
 * extended `sequence` (default: era 0), for a frame unmasked by `deobfuscateAlertFrame`.
 * One CCM operation; never throws on air input.
 */
export function verifyNetworkTag(crypto: CryptoSuite, networkKey: Uint8Array, epoch: number, frame: AlertFrame, sequence: number = frame.sequence): boolean {
	try {
		crypto.ccmOpen(
			networkKey,
			alertNonce(AlertLayer.Network, epoch, frame.source, sequence),
			networkAssociatedData(maskTtl(frame.header), frame.sealedPayload),
			frame.networkTag,
			ALERT_NETWORK_TAG_LENGTH,
		);
		return true;
	} catch (error) {
		if (isPicketError(error)) return false;
		throw error;
	}
}

/** The payload when the app tag is genuine under `groupKey` (extended `sequence` as above), else undefined. One CCM operation; never throws on air input. */
export function openAlertPayload(crypto: CryptoSuite, groupKey: Uint8Array, epoch: number, frame: AlertFrame, sequence: number = frame.sequence): Uint8Array | undefined {
	try {
		return crypto.ccmOpen(groupKey, alertNonce(AlertLayer.App, epoch, frame.source, sequence), maskTtl(frame.header), frame.sealedPayload, ALERT_APP_TAG_LENGTH);
	} catch (error) {
		if (isPicketError(error)) return undefined;
		throw error;
	}
}
