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
import { Domain, nobleAuthoritySigner } from "picket/tools/provisioning/domain-store";
import { nodeAuthoritySigner } from "picket/tools/provisioning/node-signer";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { createSeededRandom } from "picket/test/support/seeded-random";
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
	const file = sealDomain(domain, "correct horse battery staple", TEST_SCRYPT_COST);
	const text = Buffer.from(file).toString("utf8");
	const state = domain.toJson();
	t.false(text.includes(state.domainSecret));
	t.false(text.includes(state.authoritySecretKey));
	t.false(text.includes(state.devices[0].staticSecretKey));
	const reopened = openDomain(file, "correct horse battery staple");
	t.deepEqual(reopened.toJson(), state);
	t.deepEqual(reopened.roster().subarray(0, -64), domain.roster().subarray(0, -64));
	t.throws(() => openDomain(file, "correct horse battery stapler"), { code: "wrong-passphrase" });
	const envelope = JSON.parse(text) as { kdf: { logN: number }; ciphertext: string; iv: string };
	const cheaper = { ...envelope, kdf: { ...envelope.kdf, logN: 11 } };
	t.throws(() => openDomain(Buffer.from(JSON.stringify(cheaper)), "correct horse battery staple"), { code: "wrong-passphrase" });
	const ciphertext = Buffer.from(envelope.ciphertext, "base64");
	ciphertext[10] ^= 1;
	t.throws(() => openDomain(Buffer.from(JSON.stringify({ ...envelope, ciphertext: ciphertext.toString("base64") })), "correct horse battery staple"), { code: "wrong-passphrase" });
	t.throws(() => openDomain(Buffer.from("not json"), "x"), { code: "corrupt-domain-file" });
	t.throws(() => openDomain(Buffer.from('{"format":"other"}'), "x"), { code: "corrupt-domain-file" });
	t.throws(() => sealDomain(domain, "", TEST_SCRYPT_COST), { code: "bad-passphrase" });
	t.throws(() => sealDomain(domain, "x", { logN: 4, r: 8, p: 1 }), { code: "bad-kdf-cost" });
});
