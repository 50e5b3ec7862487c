import { PREFERENCE_NAME_MAX } from "picket/core/power-safe-storage";
import { DEVICE_ROLES, ROLE_DEFAULTS, SETTING_NAMES, repeatDelay, resolveSettings, validateSettingsLayer } from "picket/device/device-settings";
import { portableCases } from "picket/test/harness/portable";

export default portableCases("device/settings", (test) => {
	test("every role's defaults are valid and every setting name fits a Preference key", (t) => {
		for (const role of DEVICE_ROLES) t.deepEqual(resolveSettings(role), ROLE_DEFAULTS[role]);
		for (const name of SETTING_NAMES) t.true(name.length <= PREFERENCE_NAME_MAX, name);
	});

	test("manifest config overrides the role defaults, Preference overrides the manifest", (t) => {
		const settings = resolveSettings("sensor", { holdOffMs: 30_000, repeatLimit: 2 }, { repeatLimit: 9 });
		t.is(settings.holdOffMs, 30_000);
		t.is(settings.repeatLimit, 9);
		t.is(settings.debounceMs, ROLE_DEFAULTS.sensor.debounceMs);
	});

	test("an unknown name, a wrong type, a fraction or an out-of-range value is refused with the field named", (t) => {
		t.throws(() => resolveSettings("alarm", undefined, { holdoffMs: 5 }), { code: "unknown-setting", message: /holdoffMs/ });
		t.throws(() => resolveSettings("alarm", undefined, { repeatLimit: "3" }), { code: "bad-setting", message: /repeatLimit/ });
		t.throws(() => resolveSettings("alarm", undefined, { repeatLimit: 2.5 }), { code: "bad-setting" });
		t.throws(() => resolveSettings("alarm", { alertGroup: 32 }), { code: "bad-setting", message: /alertGroup/ });
		t.throws(() => resolveSettings("alarm", { debounceMs: -1 }), { code: "bad-setting" });
		t.throws(() => resolveSettings("alarm", [1, 2]), { code: "bad-setting" });
		t.notThrows(() => resolveSettings("alarm", { backoffFactor: 1.5 }));
	});

	test("settings that contradict each other and unknown roles are refused", (t) => {
		t.throws(() => resolveSettings("responder", { repeatFirstMs: 5_000, backoffMaxMs: 1_000 }), { code: "bad-setting" });
		t.throws(() => resolveSettings("siren-tower" as never), { code: "bad-role" });
	});

	test("absent layers are empty", (t) => {
		t.deepEqual(validateSettingsLayer(undefined, "x"), {});
		t.deepEqual(validateSettingsLayer(null, "x"), {});
	});

	test("backoff schedule: doubles from repeatFirstMs and stops growing at backoffMaxMs", (t) => {
		const settings = resolveSettings("responder", { repeatFirstMs: 500, backoffFactor: 2, backoffMaxMs: 8_000 });
		t.deepEqual(
			[1, 2, 3, 4, 5, 6, 7].map((repeat) => repeatDelay(settings, repeat)),
			[500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000],
		);
		const flat = resolveSettings("responder", { repeatFirstMs: 700, backoffFactor: 1 });
		t.deepEqual([1, 2, 3].map((repeat) => repeatDelay(flat, repeat)), [700, 700, 700]);
	});
});
