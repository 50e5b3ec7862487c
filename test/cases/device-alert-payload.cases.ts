import { ALERT_PAYLOAD_LENGTH, Severity, decodeAlertPayload, encodeAlertPayload } from "picket/device/alert-payload";
import { portableCases } from "picket/test/harness/portable";

export default portableCases("device/alert-payload", (test) => {
	test("encodes per the byte table in alert-payload.ts", (t) => {
		t.deepEqual(encodeAlertPayload({ event: "motion", severity: Severity.Warning, incident: 0x1234, repeat: 0 }), Uint8Array.of(1, 1, 0x12, 0x34, 0));
		t.deepEqual(encodeAlertPayload({ event: "panic", severity: Severity.Critical, incident: 0xffff, repeat: 7 }), Uint8Array.of(2, 3, 0xff, 0xff, 7));
		t.deepEqual(encodeAlertPayload({ event: "cancel", severity: Severity.Notice, incident: 1, repeat: 999 }), Uint8Array.of(3, 0, 0, 1, 255), "repeat saturates");
	});

	test("round-trips", (t) => {
		const alert = { event: "panic", severity: Severity.Urgent, incident: 40_000, repeat: 3 } as const;
		t.deepEqual(decodeAlertPayload(encodeAlertPayload(alert)), alert);
	});

	test("refuses malformed payloads with typed errors, never anything else", (t) => {
		t.throws(() => decodeAlertPayload(new Uint8Array(ALERT_PAYLOAD_LENGTH - 1)), { code: "bad-alert-length" });
		t.throws(() => decodeAlertPayload(new Uint8Array(ALERT_PAYLOAD_LENGTH + 1)), { code: "bad-alert-length" });
		t.throws(() => decodeAlertPayload(Uint8Array.of(0, 0, 0, 0, 0)), { code: "bad-alert-event" });
		t.throws(() => decodeAlertPayload(Uint8Array.of(4, 0, 0, 0, 0)), { code: "bad-alert-event" });
		t.throws(() => decodeAlertPayload(Uint8Array.of(1, 4, 0, 0, 0)), { code: "bad-severity" });
		t.throws(() => encodeAlertPayload({ event: "motion", severity: Severity.Notice, incident: 0x10000, repeat: 0 }), { code: "bad-incident" });
	});

	test("every 5-byte input decodes or throws a PicketError (first two bytes exhaustive)", (t) => {
		let decoded = 0;
		for (let event = 0; event < 256; event++) {
			for (let severity = 0; severity < 256; severity++) {
				try {
					decodeAlertPayload(Uint8Array.of(event, severity, 1, 2, 3));
					decoded++;
				} catch (error) {
					if (!(error instanceof Error) || error.name !== "PicketError") throw error;
				}
			}
		}
		t.is(decoded, 3 * 4);
	});

});
