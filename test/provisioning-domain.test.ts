/**
 * The provisioning tool's API on Node: a domain of 50 devices, a revocation, the sealed
 * domain file, and the device-side checks run against what the tool produced.
 */
import test from "ava";
import { isPicketError } from "picket/core/picket-error";
import { constantTimeEqual } from "picket/core/bytes";
import { decodeBundle } from "picket/provisioning/bundle";
import { openEpochDelivery } from "picket/provisioning/epoch-delivery";
import { type DeviceCredentials, applyEpochDelivery, loadCredentials, openBundle, storeBundle } from "picket/provisioning/keystore";
import { ROSTER_MEMBER_LENGTH, Roster, rosterLength } from "picket/provisioning/roster";
import { openDomain, sealDomain, TEST_SCRYPT_COST } from "picket/tools/provisioning/domain-seal";

/** Tests seal at N = 2^10, which only the explicit insecure switch allows. */
const INSECURE_TEST_KDF = { insecureTestKdf: true } as const;
import { Domain, nobleAuthoritySigner } from "picket/tools/provisioning/domain-store";
import { nodeAuthoritySigner } from "picket/tools/provisioning/node-signer";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { createSeededRandom } from "picket/test/support/seeded-random";
import { firstAlert, KNOWN_ALERT, SECRET_ALERT, twoTimePad } from "picket/test/support/two-time-pad";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";

const crypto = createNodeCryptoSuite();
const groups = { motion: 0, panic: 1, perimeter: 2 };
const roles = ["sensor", "alarm", "responder", "relay"] as const;
const groupsByRole = { sensor: ["motion", "perimeter"], alarm: ["panic"], responder: ["motion", "panic", "perimeter"], relay: [] };

function enrolFifty(): Domain {
	const domain = Domain.create({ groups, crypto, signer: nodeAuthoritySigner });
	for (let i = 0; i < 50; i++) {
		const role = roles[i % 4];
		domain.addDevice({ role, groups: groupsByRole[role] });
	}
	return domain;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
	return constantTimeEqual(a, b);
}

test("50 devices enrolled, one revoked: the others move to the new epoch, the revoked one is shut out", (t) => {
	const domain = enrolFifty();
	t.is(domain.roster().length, rosterLength(50));
	t.is(domain.roster().length, 15 + 50 * ROSTER_MEMBER_LENGTH + 64);
	// Every device loads its bundle from storage, as at first boot.
	const devices = new Map<number, { storage: MemoryStorage; credentials: DeviceCredentials }>();
	for (const member of domain.members()) {
		const storage = new MemoryStorage();
		storeBundle(storage, domain.bundle(member.id), crypto);
		const credentials = loadCredentials(storage, crypto);
		t.is(credentials.roster.size, 50);
		t.is(credentials.self.role, member.role);
		t.is(credentials.groupKeys.size, member.role === "relay" ? 0 : groupsByRole[member.role as keyof typeof groupsByRole].length);
		devices.set(member.id, { storage, credentials });
	}
	const revokedId = 17;
	const revoked = devices.get(revokedId)!.credentials;
	const revocation = domain.revoke(revokedId);
	t.is(revocation.epoch, 1);
	t.is(domain.epoch, 1);
	t.is(revocation.deliveries.size, 49);
	t.false(revocation.deliveries.has(revokedId));
	const newRoster = Roster.decode(revocation.roster, domain.authorityPublicKey, crypto, domain.domainId);
	t.is(newRoster.size, 49);
	t.is(newRoster.member(revokedId), undefined);

	for (const [id, delivery] of revocation.deliveries) {
		const device = devices.get(id)!;
		// The revoked device cannot open what the others receive.
		t.throws(() => openEpochDelivery(crypto, revoked.deliveryKey, delivery), { code: "bad-tag" });
		const updated = applyEpochDelivery(device.storage, device.credentials, delivery, crypto);
		t.is(updated.epoch, 1);
		t.is(loadCredentials(device.storage, crypto).epoch, 1);
		// The new keys are what the authority issues for epoch 1, and differ from all the revoked device holds.
		const reissued = decodeBundle(domain.bundle(id), crypto);
		t.true(equal(updated.networkKey, reissued.networkKey));
		t.true(equal(updated.handshakePsk, reissued.handshakePsk));
		t.deepEqual([...updated.groupKeys.keys()], reissued.groupKeys.map((entry) => entry.group));
		t.false(equal(updated.networkKey, revoked.networkKey));
		t.false(equal(updated.handshakePsk, revoked.handshakePsk));
		for (const [group, key] of updated.groupKeys) {
			t.true(equal(key, reissued.groupKeys.find((entry) => entry.group === group)!.key));
			const old = revoked.groupKeys.get(group);
			if (old !== undefined) t.false(equal(key, old));
		}
		t.is(updated.roster.member(revokedId), undefined);
	}
	t.throws(() => domain.bundle(revokedId), { code: "already-revoked" });
	t.throws(() => domain.revoke(revokedId), { code: "already-revoked" });
	// Whatever delivery the revoked device captures, it cannot move itself to the new epoch.
	const revokedStorage = devices.get(revokedId)!.storage;
	for (const delivery of [...revocation.deliveries.values()].slice(0, 5)) {
		t.throws(() => applyEpochDelivery(revokedStorage, revoked, delivery, crypto), { code: "bad-tag" });
	}
	t.is(loadCredentials(revokedStorage, crypto).epoch, 0);
});

test("a seeded domain with the portable signer is reproducible, and node:crypto's signature verifies the same", (t) => {
	const make = (signer = nobleAuthoritySigner) => {
		const domain = Domain.create({ groups, crypto: createSoftwareSuite(createSeededRandom(42)), signer });
		for (let i = 0; i < 5; i++) domain.addDevice({ role: roles[i % 4], groups: groupsByRole[roles[i % 4]] });
		return domain;
	};
	t.deepEqual(make().roster(), make().roster());
	t.deepEqual(make().bundle(3), make().bundle(3));
	const viaNode = make(nodeAuthoritySigner);
	t.deepEqual(viaNode.authorityPublicKey, make().authorityPublicKey);
	t.deepEqual(viaNode.roster().subarray(0, -64), make().roster().subarray(0, -64));
	t.notThrows(() => Roster.decode(viaNode.roster(), make().authorityPublicKey, crypto));
	t.notThrows(() => openBundle(viaNode.bundle(2), createSoftwareSuite(createSeededRandom(1))));
});

test("bundles from the tool verify with the portable software suite too", (t) => {
	const domain = Domain.create({ groups, crypto, signer: nodeAuthoritySigner });
	const sensor = domain.addDevice({ role: "sensor", groups: ["motion"] });
	domain.addDevice({ role: "relay", groups: [] });
	const software = createSoftwareSuite(createSeededRandom(1));
	const credentials = openBundle(domain.bundle(sensor.id), software);
	t.is(credentials.self.id, sensor.id);
	t.is(credentials.roster.size, 2);
});

test("every altered roster byte is refused", (t) => {
	const domain = Domain.create({ groups, crypto, signer: nodeAuthoritySigner });
	domain.addDevice({ role: "sensor", groups: ["motion"] });
	domain.addDevice({ role: "responder", groups: ["panic"] });
	const roster = domain.roster();
	for (let i = 0; i < roster.length; i++) {
		for (const flip of [0x01, 0x80]) {
			const altered = roster.slice();
			altered[i] ^= flip;
			const error = t.throws(() => Roster.decode(altered, domain.authorityPublicKey, crypto));
			t.true(isPicketError(error), `byte ${i}`);
		}
	}
});

test("the enrolment API refuses bad roles, groups, ids", (t) => {
	const domain = Domain.create({ groups, crypto, signer: nodeAuthoritySigner });
	t.throws(() => domain.addDevice({ role: "relay", groups: ["motion"] }), { code: "bad-group" });
	t.throws(() => domain.addDevice({ role: "sensor", groups: ["kitchen"] }), { code: "bad-group" });
	t.throws(() => domain.addDevice({ role: "boss" as "sensor", groups: [] }), { code: "bad-role" });
	domain.addDevice({ role: "sensor", groups: [0], id: 8191 });
	t.throws(() => domain.addDevice({ role: "sensor", groups: [0], id: 8191 }), { code: "device-exists" });
	t.throws(() => domain.addDevice({ role: "sensor", groups: [] }), { code: "domain-full" });
	t.throws(() => Domain.create({ groups: { a: 1, b: 1 }, crypto }), { code: "bad-group" });
	t.throws(() => Domain.create({ groups: { "Bad Name": 1 }, crypto }), { code: "bad-group" });
	t.throws(() => Domain.create({ groups: { a: 32 }, crypto }), { code: "bad-group" });
	t.throws(() => domain.device(5), { code: "unknown-device" });
});

test("the domain file is sealed: round-trips, wrong passphrase and tampering are refused, no secret in clear", (t) => {
	const domain = enrolFifty();
	domain.revoke(3);
	const file = sealDomain(domain, "correct horse battery staple", TEST_SCRYPT_COST, INSECURE_TEST_KDF);
	const text = Buffer.from(file).toString("utf8");
	const state = domain.toJson();
	t.false(text.includes(state.domainSecret));
	t.false(text.includes(state.authoritySecretKey));
	t.false(text.includes(state.devices[0].staticSecretKey));
	const reopened = openDomain(file, "correct horse battery staple", INSECURE_TEST_KDF);
	t.deepEqual(reopened.toJson(), state);
	t.deepEqual(reopened.roster().subarray(0, -64), domain.roster().subarray(0, -64));
	t.throws(() => openDomain(file, "correct horse battery stapler", INSECURE_TEST_KDF), { code: "wrong-passphrase" });
	const envelope = JSON.parse(text) as { kdf: { logN: number }; ciphertext: string; iv: string };
	const cheaper = { ...envelope, kdf: { ...envelope.kdf, logN: 11 } };
	t.throws(() => openDomain(Buffer.from(JSON.stringify(cheaper)), "correct horse battery staple", INSECURE_TEST_KDF), { code: "wrong-passphrase" });
	const ciphertext = Buffer.from(envelope.ciphertext, "base64");
	ciphertext[10] ^= 1;
	t.throws(() => openDomain(Buffer.from(JSON.stringify({ ...envelope, ciphertext: ciphertext.toString("base64") })), "correct horse battery staple", INSECURE_TEST_KDF), { code: "wrong-passphrase" });
	t.throws(() => openDomain(Buffer.from("not json"), "x"), { code: "corrupt-domain-file" });
	t.throws(() => openDomain(Buffer.from('{"format":"other"}'), "x"), { code: "corrupt-domain-file" });
	t.throws(() => sealDomain(domain, "", TEST_SCRYPT_COST, INSECURE_TEST_KDF), { code: "bad-passphrase" });
	t.throws(() => sealDomain(domain, "x", { logN: 4, r: 8, p: 1 }), { code: "bad-kdf-cost" });
});

test("domain file KDF: a crafted cost is refused before any scrypt work; a cost below the default needs the explicit test switch", (t) => {
	const domain = enrolFifty();
	const file = sealDomain(domain, "pass", TEST_SCRYPT_COST, INSECURE_TEST_KDF);
	const envelope = JSON.parse(Buffer.from(file).toString("utf8")) as { kdf: Record<string, unknown> };
	const crafted = (kdf: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, ...kdf } }));
	// 16 GiB (N 2^22, r 32, p 16), 2 GiB (N 2^20, r 16), 2^26 work (N 2^20, r 16... p 4), and nonsense: typed errors, at once.
	for (const kdf of [{ logN: 22, r: 32, p: 16 }, { logN: 20, r: 16, p: 1 }, { logN: 19, r: 16, p: 4 }, { logN: 17, r: 8, p: 200 }, { logN: "17" as unknown as number, r: 8, p: 1 }, { logN: 17.5, r: 8, p: 1 }]) {
		const error = t.throws(() => openDomain(crafted(kdf), "pass", INSECURE_TEST_KDF), { code: "bad-kdf-cost" });
		t.truthy(error?.message, JSON.stringify(kdf));
	}
	// Without the switch a weak file is not a real domain, and nothing is sealed below the default.
	t.throws(() => openDomain(file, "pass"), { code: "insecure-kdf-cost" });
	t.throws(() => sealDomain(domain, "pass", TEST_SCRYPT_COST), { code: "insecure-kdf-cost" });
	t.throws(() => sealDomain(domain, "pass", { logN: 17, r: 4, p: 1 }), { code: "insecure-kdf-cost" });
});

test("re-provisioning never reuses nonces: a second bundle in one epoch is needs-reissue; reissue moves everyone to a new epoch, so the XOR attack recovers nothing", (t) => {
	const crypto = createSoftwareSuite(createSeededRandom(0x5e55));
	const domain = Domain.create({ groups: { motion: 0 }, crypto, domainId: new Uint8Array(8).fill(5) });
	const sensor = domain.addDevice({ role: "sensor", groups: ["motion"] });
	const responder = domain.addDevice({ role: "responder", groups: ["motion"] });
	const firstBoard = openBundle(domain.issueBundle(sensor.id), crypto);
	domain.issueBundle(responder.id);
	const seal = (credentials: DeviceCredentials, payload: Uint8Array) => firstAlert(crypto, credentials, payload);
	const [known, secret] = [KNOWN_ALERT, SECRET_ALERT];
	// The attack the refusal prevents: the same epoch's bundle on an erased board.
	const sameEpoch = openBundle(domain.bundle(sensor.id), crypto);
	t.true(twoTimePad(seal(firstBoard, known), seal(sameEpoch, secret), known, secret), "same keys, same nonce: the XOR gives the secret");
	t.throws(() => domain.issueBundle(sensor.id), { code: "needs-reissue" });
	const reissued = domain.reissue(sensor.id);
	t.is(reissued.epoch, 1);
	t.deepEqual([...reissued.deliveries.keys()], [responder.id], "the others move to the new epoch by delivery");
	const newBoard = openBundle(reissued.bundle, crypto);
	t.is(newBoard.epoch, 1);
	t.false(twoTimePad(seal(firstBoard, known), seal(newBoard, secret), known, secret), "new epoch, new keys: the XOR reveals nothing");
	t.throws(() => domain.issueBundle(sensor.id), { code: "needs-reissue" }, "and once per epoch again");
	t.throws(() => domain.issueBundle(responder.id), { code: "needs-reissue" }, "its delivery was its issue for epoch 1");
	const reopened = Domain.fromJson(domain.toJson(), crypto);
	t.throws(() => reopened.issueBundle(sensor.id), { code: "needs-reissue" }, "the record survives the domain file");
});

test("enrolling a device never re-issues another member's bundle: an epoch already issued advances, the others get deliveries, the new device a bundle", (t) => {
	const crypto = createSoftwareSuite(createSeededRandom(0xadd));
	const domain = Domain.create({ groups: { motion: 0 }, crypto, domainId: new Uint8Array(8).fill(6) });
	const held = domain.enrol({ role: "sensor", groups: ["motion"] }, { issue: false });
	const responder = domain.enrol({ role: "responder", groups: ["motion"] });
	t.is(held.bundle, undefined);
	t.is(responder.epoch, 0, "nobody was issued epoch 0 yet: no board can have run it, so it stays");
	t.is(responder.deliveries.size, 0);
	const storage = new MemoryStorage();
	const sensorBoard = storeBundle(storage, domain.issueBundle(held.device.id), crypto);
	const relay = domain.enrol({ role: "relay", groups: [] });
	t.is(relay.epoch, 1, "epoch 0 was issued: it is closed to new rosters");
	t.deepEqual([...relay.deliveries.keys()], [held.device.id, responder.device.id]);
	const delivered = openEpochDelivery(crypto, sensorBoard.deliveryKey, relay.deliveries.get(held.device.id)!);
	t.is(delivered.epoch, 1);
	t.is(Roster.decode(delivered.roster, domain.authorityPublicKey, crypto, domain.domainId).members().length, 3, "the delivery carries the new roster");
	t.is(openBundle(relay.bundle!, crypto).epoch, 1);
	t.throws(() => domain.issueBundle(held.device.id), { code: "needs-reissue" }, "its delivery was its issue for epoch 1");
	const moved = applyEpochDelivery(storage, sensorBoard, relay.deliveries.get(held.device.id)!, crypto);
	t.is(moved.roster.members().length, 3);
	t.false(twoTimePad(firstAlert(crypto, sensorBoard, KNOWN_ALERT), firstAlert(crypto, moved, SECRET_ALERT), KNOWN_ALERT, SECRET_ALERT), "its next alerts are under new keys");
});

