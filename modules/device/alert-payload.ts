/**
 * The plaintext an alert carries inside the app layer (sealed with the group key by the
 * secure link; the link's header already names the source and sequence).
 *
 * | offset | size | field    | values                                                          |
 * |--------|------|----------|-----------------------------------------------------------------|
 * | 0      | 1    | event    | 1 motion, 2 panic, 3 cancel; anything else "bad-alert-event"    |
 * | 1      | 1    | severity | 0 notice, 1 warning, 2 urgent, 3 critical; else "bad-severity"  |
 * | 2      | 2    | incident | u16 big-endian, the sender's incident number: all repeats of   |
 * |        |      |          | one incident and its cancel carry the same number               |
 * | 4      | 1    | repeat   | 0 on the first send, n on the n-th repeat (saturates at 255)    |
 *
 * 5 bytes: the payload adds to the frame only what the receiver needs to act and to
 * tell a repeat (acknowledge again, do not sound again) from a new incident.
 */
import { PicketError } from "picket/core/picket-error";

export const ALERT_PAYLOAD_LENGTH = 5;

export type AlertEvent = "motion" | "panic" | "cancel";
export const enum Severity {
	Notice = 0,
	Warning = 1,
	Urgent = 2,
	Critical = 3,
}

export interface AlertPayload {
	readonly event: AlertEvent;
	readonly severity: Severity;
	readonly incident: number;
	readonly repeat: number;
}

export type AlertPayloadErrorCode = "bad-alert-length" | "bad-alert-event" | "bad-severity" | "bad-incident";

const EVENT_CODES: readonly AlertEvent[] = ["motion", "panic", "cancel"]; // code = index + 1

export function encodeAlertPayload(alert: AlertPayload): Uint8Array {
	const code = EVENT_CODES.indexOf(alert.event) + 1;
	if (code === 0) throw new PicketError<AlertPayloadErrorCode>("bad-alert-event", String(alert.event));
	if (!Number.isInteger(alert.severity) || alert.severity < Severity.Notice || alert.severity > Severity.Critical) {
		throw new PicketError<AlertPayloadErrorCode>("bad-severity", String(alert.severity));
	}
	if (!Number.isInteger(alert.incident) || alert.incident < 0 || alert.incident > 0xffff) {
		throw new PicketError<AlertPayloadErrorCode>("bad-incident", String(alert.incident));
	}
	const repeat = Math.min(Math.max(0, Math.floor(alert.repeat)), 255);
	return Uint8Array.of(code, alert.severity, alert.incident >>> 8, alert.incident & 0xff, repeat);
}

/** Never throws anything but PicketError: the bytes were decrypted but come from the air. */
export function decodeAlertPayload(bytes: Uint8Array): AlertPayload {
	if (bytes.length !== ALERT_PAYLOAD_LENGTH) throw new PicketError<AlertPayloadErrorCode>("bad-alert-length", `${bytes.length} bytes`);
	const event = EVENT_CODES[bytes[0] - 1];
	if (event === undefined) throw new PicketError<AlertPayloadErrorCode>("bad-alert-event", String(bytes[0]));
	if (bytes[1] > Severity.Critical) throw new PicketError<AlertPayloadErrorCode>("bad-severity", String(bytes[1]));
	return { event, severity: bytes[1] as Severity, incident: (bytes[2] << 8) | bytes[3], repeat: bytes[4] };
}
