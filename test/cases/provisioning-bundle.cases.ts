import { isPicketError } from "picket/core/picket-error";
import { toHex, utf8 } from "picket/core/bytes";
import { REDACTED, bundleTagKey, bundleView, decodeBundle, encodeBundle } from "picket/provisioning/bundle";
import { Roster } from "picket/provisioning/roster";
import { portableCases } from "picket/test/harness/portable";
import { FixtureDomain } from "picket/test/support/provisioning-fixture";

export default portableCases("provisioning/bundle", (test) => {
	const domain = new FixtureDomain(0xb0d1e);
	const responder = domain.add(3, "responder", 0b101);
	const relay = domain.add(4, "relay", 0);
	domain.add(5, "sensor", 0b1);
	const roster = domain.roster(2);
	const bytes = domain.bundle(responder, 2, roster);

	test("round-trips every field; length follows the byte table", (t) => {
		const bundle = decodeBundle(bytes, domain.crypto);
		t.is(bytes.length, 181 + 17 * 2 + 4 + roster.length + 32);
		t.deepEqual(bytes.subarray(0, 5), Uint8Array.of(0x50, 0x4b, 0x54, 0x42, 2));
		const tagKey = domain.crypto.hmacSha256(bundle.deliveryKey, utf8("picket v2 bundle tag"));
		t.deepEqual(bytes.subarray(bytes.length - 32), domain.crypto.hmacSha256(tagKey, bytes.subarray(0, bytes.length - 32)), "the tag follows the table");
		t.is(bundle.deviceId, 3);
		t.is(bundle.epoch, 2);
		t.deepEqual(bundle.domainId, domain.domainId);
		t.deepEqual(bundle.staticSecretKey, responder.secretKey);
		t.deepEqual(bundle.authorityPublicKey, domain.authorityPublicKey);
		t.deepEqual(bundle.groupKeys.map((entry) => entry.group), [0, 2]);
		t.deepEqual(bundle.groupKeys[1].key, domain.keys(2, responder.groups).groupKeys[1].key);
		t.deepEqual(bundle.roster, roster);
		t.deepEqual(encodeBundle(bundle, domain.crypto), bytes);
	});

	test("a relay's bundle holds no group key", (t) => {
		const bundle = decodeBundle(domain.bundle(relay, 2, roster), domain.crypto);
		t.is(bundle.groupKeys.length, 0);
		t.is(bundle.networkKey.length, 16);
	});

	test("every altered byte and every truncation is refused with a typed error", (t) => {
		for (let i = 0; i < bytes.length; i += 3) {
			const altered = bytes.slice();
			altered[i] ^= 0x40;
			let refused = false;
			try {
				decodeBundle(altered, domain.crypto);
			} catch (error) {
				refused = isPicketError(error);
			}
			t.true(refused, `byte ${i}`);
		}
		for (let length = 0; length < bytes.length; length += 7) {
			t.throws(() => decodeBundle(bytes.subarray(0, length), domain.crypto), { instanceOf: Error }, `length ${length}`);
		}
		t.throws(() => decodeBundle(bytes.subarray(0, bytes.length - 1), domain.crypto), { code: "truncated" });
		const longer = new Uint8Array(bytes.length + 1);
		longer.set(bytes);
		t.throws(() => decodeBundle(longer, domain.crypto), { code: "oversized" });
		const flipped = bytes.slice();
		flipped[100] ^= 1;
		t.throws(() => decodeBundle(flipped, domain.crypto), { code: "corrupt-bundle" });
		const magic = bytes.slice();
		magic[0] = 0;
		t.throws(() => decodeBundle(magic, domain.crypto), { code: "bad-magic" });
		const version = bytes.slice();
		version[4] = 1; // v1's plain SHA-256 trailer is no longer accepted
		t.throws(() => decodeBundle(version, domain.crypto), { code: "bad-version" });
	});

	test("the tag is keyed: a self-consistent bundle around another delivery key fails the pinned tag key", (t) => {
		const genuine = decodeBundle(bytes, domain.crypto);
		const pinned = bundleTagKey(domain.crypto, genuine.deliveryKey);
		t.notThrows(() => decodeBundle(bytes, domain.crypto, pinned));
		const crafted = encodeBundle({ ...genuine, deliveryKey: new Uint8Array(16).fill(7) }, domain.crypto);
		t.notThrows(() => decodeBundle(crafted, domain.crypto), "consistent with itself");
		t.throws(() => decodeBundle(crafted, domain.crypto, pinned), { code: "corrupt-bundle" });
		const sha256Trailer = bytes.slice();
		sha256Trailer.set(domain.crypto.sha256(bytes.subarray(0, bytes.length - 32)), bytes.length - 32);
		t.throws(() => decodeBundle(sha256Trailer, domain.crypto), { code: "corrupt-bundle" }, "a plain digest is no tag");
	});

	test("the encoder refuses wrong key sizes and bad group lists", (t) => {
		const bundle = decodeBundle(bytes, domain.crypto);
		t.throws(() => encodeBundle({ ...bundle, networkKey: new Uint8Array(15) }, domain.crypto), { code: "bad-length" });
		t.throws(() => encodeBundle({ ...bundle, authorityPublicKey: new Uint8Array(33) }, domain.crypto), { code: "bad-length" });
		t.throws(() => encodeBundle({ ...bundle, groupKeys: [bundle.groupKeys[0], bundle.groupKeys[0]] }, domain.crypto), { code: "bad-group-keys" });
		t.throws(() => encodeBundle({ ...bundle, groupKeys: [{ group: 32, key: new Uint8Array(16) }] }, domain.crypto), { code: "bad-group-keys" });
		t.throws(() => encodeBundle({ ...bundle, deviceId: 0 }, domain.crypto), { code: "bad-length" });
	});

	test("the JSON view redacts secrets unless asked", (t) => {
		const bundle = decodeBundle(bytes, domain.crypto);
		const verified = Roster.decode(roster, domain.authorityPublicKey, domain.crypto);
		const view = bundleView(bundle, verified);
		const text = JSON.stringify(view);
		for (const secret of [bundle.staticSecretKey, bundle.handshakePsk, bundle.networkKey, bundle.deliveryKey, bundle.groupKeys[0].key]) t.false(text.includes(toHex(secret)));
		t.is(view.networkKey, REDACTED);
		t.is(view.role, "responder");
		t.deepEqual(view.groups, [0, 2]);
		t.true(text.includes(toHex(responder.publicKey)));
		const revealed = bundleView(bundle, verified, { revealSecrets: true });
		t.is(revealed.networkKey, toHex(bundle.networkKey));
		t.is(revealed.staticSecretKey, toHex(responder.secretKey));
		t.deepEqual(bundleView(bundle).roster, { bytes: roster.length });
	});
});
