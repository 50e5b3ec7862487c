import { concatBytes } from "picket/core/bytes";
import { decodeBundle, encodeBundle } from "picket/provisioning/bundle";
import { epochDeliveryAddressee, openEpochDelivery } from "picket/provisioning/epoch-delivery";
import { ANCHOR_STORAGE_DOMAIN, PROVISIONING_STORAGE_DOMAIN, applyEpochDelivery, loadCredentials, openBundle, readStoredBundle, readTrustAnchor, storeBundle } from "picket/provisioning/keystore";
import { Roster } from "picket/provisioning/roster";
import { portableCases } from "picket/test/harness/portable";
import { FixtureDomain } from "picket/test/support/provisioning-fixture";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { CUT_EFFECTS } from "picket/hosts/sim/flash-preference";
import { rewriteBundleEntries } from "picket/hosts/sim/attacker";

export default portableCases("provisioning/keystore", (test) => {
	const domain = new FixtureDomain(0x4e75);
	const sensor = domain.add(1, "sensor", 0b1);
	const responder = domain.add(2, "responder", 0b11);
	const relay = domain.add(3, "relay", 0);
	const outsiderDomain = new FixtureDomain(0x0f);
	const outsider = outsiderDomain.add(1, "sensor", 0b1);
	const roster0 = domain.roster(0);
	const crypto = domain.crypto;
	const reencode = (bytes: Uint8Array, change: Record<string, unknown>) => encodeBundle({ ...decodeBundle(bytes, crypto), ...change }, crypto);

	test("a good bundle opens with its role, groups and keys", (t) => {
		const credentials = openBundle(domain.bundle(responder, 0, roster0), crypto);
		t.is(credentials.deviceId, 2);
		t.is(credentials.self.role, "responder");
		t.is(credentials.self.groups, 0b11);
		t.deepEqual(credentials.staticKeyPair.publicKey, responder.publicKey);
		t.deepEqual([...credentials.groupKeys.keys()], [0, 1]);
		t.is(credentials.roster.member(3)?.role, "relay");
		t.is(openBundle(domain.bundle(relay, 0, roster0), crypto).groupKeys.size, 0);
	});

	test("a roster verified once is reused only when the bytes and the key match", (t) => {
		const verified = { roster: Roster.decode(roster0, domain.authorityPublicKey, crypto), bytes: roster0, authorityPublicKey: domain.authorityPublicKey };
		t.is(openBundle(domain.bundle(sensor, 0, roster0), crypto, { verifiedRoster: verified }).roster, verified.roster);
		const tamperedRoster = roster0.slice();
		tamperedRoster[15 + 34] = 2;
		const tampered = reencode(domain.bundle(sensor, 0, roster0), { roster: tamperedRoster });
		t.throws(() => openBundle(tampered, crypto, { verifiedRoster: verified }), { code: "bad-signature" });
	});

	test("refuses a tampered roster, a foreign roster, a swapped key, missing membership and wrong group keys", (t) => {
		const good = domain.bundle(sensor, 0, roster0);
		const tamperedRoster = roster0.slice();
		tamperedRoster[15 + 34] = 2; // sensor promotes itself to responder
		t.throws(() => openBundle(reencode(good, { roster: tamperedRoster }), crypto), { code: "bad-signature" });
		const foreign = new FixtureDomain(0x0f);
		t.throws(() => openBundle(reencode(good, { authorityPublicKey: foreign.authorityPublicKey }), crypto), { code: "bad-signature" });
		t.throws(() => openBundle(reencode(good, { staticSecretKey: outsider.secretKey }), crypto), { code: "key-mismatch" });
		t.throws(() => openBundle(domain.bundle(sensor, 0, domain.roster(0, [responder, relay])), crypto), { code: "not-in-roster" });
		t.throws(() => openBundle(reencode(good, { groupKeys: decodeBundle(domain.bundle(responder, 0, roster0), crypto).groupKeys }), crypto), { code: "groups-mismatch" });
		t.throws(() => openBundle(reencode(good, { groupKeys: [] }), crypto), { code: "groups-mismatch" });
		t.throws(() => openBundle(reencode(good, { epoch: 1 }), crypto), { code: "wrong-epoch" });
		t.throws(() => openBundle(reencode(good, { domainId: new Uint8Array(8) }), crypto), { code: "wrong-domain" });
	});

	test("stores in chunks of ≤ 3,991 B under short names and loads back", (t) => {
		const many = new FixtureDomain(0xb16);
		const members = [];
		for (let id = 1; id <= 110; id++) members.push(many.add(id, "sensor", 1));
		const bytes = many.bundle(members[0], 0);
		t.true(bytes.length > 4000, `${bytes.length} bytes`);
		const storage = new MemoryStorage();
		storeBundle(storage, bytes, crypto);
		const keys = storage.keys(PROVISIONING_STORAGE_DOMAIN).sort();
		t.deepEqual(keys, ["bundle.a.0", "bundle.a.1", "bundle.commit"]);
		t.deepEqual(readStoredBundle(storage), bytes);
		t.is(loadCredentials(storage, crypto).roster.size, 110);
	});

	test("a missing marker or chunk is refused, never half-loaded", (t) => {
		const storage = new MemoryStorage();
		t.throws(() => loadCredentials(storage, crypto), { code: "no-bundle" });
		storeBundle(storage, domain.bundle(sensor, 0, roster0), crypto);
		storage.delete(PROVISIONING_STORAGE_DOMAIN, "bundle.a.0");
		t.throws(() => loadCredentials(storage, crypto), { code: "incomplete-bundle" });
		storage.write(PROVISIONING_STORAGE_DOMAIN, "bundle.a.0", Uint8Array.of(1, 2, 3));
		t.throws(() => loadCredentials(storage, crypto), { code: "incomplete-bundle" });
		storage.write(PROVISIONING_STORAGE_DOMAIN, "bundle.commit", Uint8Array.of(9));
		t.throws(() => loadCredentials(storage, crypto), { code: "bad-commit-marker" });
		const corrupt = domain.bundle(sensor, 0, roster0);
		corrupt[30] ^= 1;
		t.throws(() => storeBundle(new MemoryStorage(), corrupt, crypto), { code: "corrupt-bundle" });
	});

	test("a power cut at every flash step of a provisioning write, whatever it leaves: the old bundle or the new one", (t) => {
		// Bundles of epochs 0, 1, 2: the second write fills new names, the third rewrites old ones.
		const bundles = [0, 1, 2].map((epoch) => domain.bundle(sensor, epoch, domain.roster(epoch)));
		for (const written of [1, 2]) {
			const history = bundles.slice(0, written);
			const next = bundles[written];
			const reference = new MemoryStorage();
			for (const bundle of history) storeBundle(reference, bundle, crypto);
			const start = reference.flash.steps;
			storeBundle(reference, next, crypto);
			const steps = reference.flash.steps - start;
			t.true(steps >= 3, `${steps} flash steps`);
			const seen = new Set<number>();
			for (let cut = 0; cut < steps; cut++) {
				for (const effect of CUT_EFFECTS) {
					const storage = new MemoryStorage();
					for (const bundle of history) storeBundle(storage, bundle, crypto);
					storage.cutPowerAfter(cut, effect);
					t.throws(() => storeBundle(storage, next, crypto), { code: "power-cut" });
					storage.restorePower();
					const epoch = loadCredentials(storage, crypto).epoch;
					seen.add(epoch);
					t.true(epoch === written - 1 || epoch === written, `write ${written + 1}, cut at step ${cut + 1} (${effect}): epoch ${epoch}`);
					storeBundle(storage, next, crypto); // and the device can still be provisioned again
					t.is(loadCredentials(storage, crypto).epoch, written);
				}
			}
			t.deepEqual([...seen].sort(), [written - 1, written], "both outcomes were reached");
		}
		const fresh = new MemoryStorage();
		fresh.cutPowerAfter(0);
		t.throws(() => storeBundle(fresh, bundles[0], crypto), { code: "power-cut" });
		fresh.restorePower();
		t.throws(() => loadCredentials(fresh, crypto), { code: "no-bundle" });
	});

	test("a key-epoch delivery moves a remaining device to the new epoch, and only it", (t) => {
		const storage = new MemoryStorage();
		const current = storeBundle(storage, domain.bundle(responder, 0, roster0), crypto);
		const roster1 = domain.roster(1, [responder, relay]); // the sensor is revoked
		const delivery = domain.delivery(responder, 1, roster1);
		t.deepEqual(epochDeliveryAddressee(delivery), { deviceId: 2, epoch: 1 });
		t.throws(() => openEpochDelivery(crypto, openBundle(domain.bundle(sensor, 0, roster0), crypto).deliveryKey, delivery), { code: "bad-tag" });
		const tampered = delivery.slice();
		tampered[24 + 20] ^= 1; // a roster byte: bound as associated data
		t.throws(() => applyEpochDelivery(storage, current, tampered, crypto), { code: "bad-tag" });
		const updated = applyEpochDelivery(storage, current, delivery, crypto);
		t.is(updated.epoch, 1);
		t.is(updated.roster.member(1), undefined);
		t.notThrows(() => loadCredentials(storage, crypto));
		t.is(loadCredentials(storage, crypto).epoch, 1);
		t.deepEqual(updated.networkKey, domain.keys(1, 0).networkKey);
		t.false(updated.networkKey.every((byte, i) => byte === current.networkKey[i]));
		t.deepEqual(updated.groupKeys.get(1), domain.keys(1, 0b10).groupKeys[0].key);
		t.throws(() => applyEpochDelivery(storage, updated, delivery, crypto), { code: "stale-epoch" });
		t.throws(() => applyEpochDelivery(storage, updated, domain.delivery(responder, 1, roster1), crypto), { code: "stale-epoch" });
		// A delivery for a device the new roster leaves out is refused by the keystore.
		const other = storeBundle(new MemoryStorage(), domain.bundle(sensor, 0, roster0), crypto);
		t.throws(() => applyEpochDelivery(new MemoryStorage(), other, domain.delivery(sensor, 1, roster1), crypto), { code: "not-in-roster" });
		t.throws(() => openEpochDelivery(crypto, current.deliveryKey, concatBytes(delivery.subarray(0, 30))), { code: "truncated" });
	});

	/** Whoever can write NVS replaces the bundle's entries (not the anchor's): the simulator attacker's capability. */
	const overwriteBundleEntries = (storage: MemoryStorage, bytes: Uint8Array) => rewriteBundleEntries(storage, bytes, crypto);

	test("the trust anchor is pinned at first provisioning: another domain's bundle is refused, stored or written behind the keystore's back", (t) => {
		const storage = new MemoryStorage();
		storeBundle(storage, domain.bundle(sensor, 0, roster0), crypto);
		const anchor = readTrustAnchor(storage)!;
		t.deepEqual(anchor.authorityPublicKey, domain.authorityPublicKey);
		t.is(anchor.epochFloor, 0);
		t.deepEqual(storage.keys(ANCHOR_STORAGE_DOMAIN), ["anchor"]);
		const foreign = outsiderDomain.bundle(outsider, 0, outsiderDomain.roster(0));
		t.notThrows(() => openBundle(foreign, crypto), "a valid bundle of its own domain");
		t.throws(() => storeBundle(storage, foreign, crypto), { code: "anchor-mismatch" });
		overwriteBundleEntries(storage, foreign);
		t.throws(() => loadCredentials(storage, crypto), { code: "anchor-mismatch" }, "another authority than the pinned one");
		// A bundle of this domain built around a delivery key of the attacker's: consistent with itself, not with the anchor.
		const crafted = reencode(domain.bundle(sensor, 0, roster0), { deliveryKey: new Uint8Array(16).fill(9) });
		overwriteBundleEntries(storage, crafted);
		t.throws(() => loadCredentials(storage, crypto), { code: "anchor-mismatch" }, "its tag is not under the pinned tag key");
	});

	test("an epoch floor outside the bundle: after a key-epoch delivery the old epoch's bundle (still listing the revoked member) is refused", (t) => {
		const storage = new MemoryStorage();
		const old = domain.bundle(responder, 0, roster0);
		const current = storeBundle(storage, old, crypto);
		const roster1 = domain.roster(1, [responder, relay]); // the sensor is revoked
		applyEpochDelivery(storage, current, domain.delivery(responder, 1, roster1), crypto);
		t.is(readTrustAnchor(storage)!.epochFloor, 1);
		t.throws(() => storeBundle(storage, old, crypto), { code: "epoch-rollback" });
		overwriteBundleEntries(storage, old);
		t.throws(() => loadCredentials(storage, crypto), { code: "epoch-rollback" });
		storage.write(ANCHOR_STORAGE_DOMAIN, "anchor", Uint8Array.of(1, 2, 3));
		t.throws(() => loadCredentials(storage, crypto), { code: "bad-anchor" });
	});
});
