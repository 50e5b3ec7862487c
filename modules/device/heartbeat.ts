/**
 * The supervision heartbeat: a cheap authenticated "still here" that every device with a
 * `heartbeatMs` setting sends as an ordinary alert frame to its alert group (so it costs
 * one 24-byte frame, is sealed and replay-checked like any alert, and relays carry it
 * without reading it). Alarm standards require supervision of wireless detectors
 * (EN 50131-5-3: a detector silent for longer than its supervision interval is reported);
 * the command post (picket/gateway/supervision through a gateway) and responders report a
 * device lost after `lostAfterMissed` periods without one.
 *
 * Relays hold no group key and send none (nobody can tell a silent relay from a lost one
 * except by the alerts it stops carrying).
 *
 * The heartbeat also carries the device's last receipt, so the post learns who read,
 * acted on, acknowledged or was silenced for an incident without any extra frame type: a
 * device sends one out of period when its receipt changes.
 *
 * | offset | size | field    | values                                                         |
 * |--------|------|----------|----------------------------------------------------------------|
 * | 0      | 1    | event    | 4 = heartbeat (after picket/device/alert-payload's 1, 2, 3)    |
 * | 1      | 1    | receipt  | bit 0 read, 1 acted, 2 acknowledged, 3 silenced; others 0      |
 * | 2      | 2    | origin   | u16 big-endian, source of the incident the receipt is about (0 none) |
 * | 4      | 2    | incident | u16 big-endian                                                 |
 *
 * Six bytes, one more than an alert payload, so a device without this module rejects a
 * heartbeat as "bad-alert-length" instead of misreading it.
 */
import { PicketError } from "picket/core/picket-error";

export const HEARTBEAT_EVENT = 4;
export const HEARTBEAT_LENGTH = 6;

export const enum ReceiptFlag {
	Read = 1,
	Acted = 2,
	Acknowledged = 4,
	Silenced = 8,
}
const RECEIPT_FLAGS_MASK = 15;

/** What a device last did about somebody's incident. */
export interface Receipt {
	readonly origin: number;
	readonly incident: number;
	readonly flags: number;
}

export const NO_RECEIPT: Receipt = { origin: 0, incident: 0, flags: 0 };

export type HeartbeatErrorCode = "bad-heartbeat";

export function isHeartbeatPayload(payload: Uint8Array): boolean {
	return payload.length > 0 && payload[0] === HEARTBEAT_EVENT;
}

export function encodeHeartbeat(receipt: Receipt): Uint8Array {
	const { origin, incident, flags } = receipt;
	if (!Number.isInteger(origin) || origin < 0 || origin > 0xffff || !Number.isInteger(incident) || incident < 0 || incident > 0xffff || (flags & ~RECEIPT_FLAGS_MASK) !== 0) {
		throw new PicketError<HeartbeatErrorCode>("bad-heartbeat", `receipt ${origin}/${incident}/${flags}`);
	}
	return Uint8Array.of(HEARTBEAT_EVENT, flags, origin >>> 8, origin & 255, incident >>> 8, incident & 255);
}

/** Never throws anything but PicketError "bad-heartbeat": the bytes were decrypted, but a member may be buggy. */
export function decodeHeartbeat(payload: Uint8Array): Receipt {
	if (payload.length !== HEARTBEAT_LENGTH || payload[0] !== HEARTBEAT_EVENT || (payload[1] & ~RECEIPT_FLAGS_MASK) !== 0) {
		throw new PicketError<HeartbeatErrorCode>("bad-heartbeat", `${payload.length} bytes`);
	}
	return { flags: payload[1], origin: (payload[2] << 8) | payload[3], incident: (payload[4] << 8) | payload[5] };
}

/** Names of the flags set, for logs and the dashboard. */
export function receiptNames(flags: number): string[] {
	const names: string[] = [];
	if (flags & ReceiptFlag.Read) names.push("read");
	if (flags & ReceiptFlag.Acted) names.push("acted");
	if (flags & ReceiptFlag.Acknowledged) names.push("acknowledged");
	if (flags & ReceiptFlag.Silenced) names.push("silenced");
	return names;
}
