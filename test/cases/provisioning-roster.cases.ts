import { PicketError } from "picket/core/picket-error";
import {
	MAX_MEMBER_ID,
	MEMBER_ROLES,
	ROSTER_HEADER_LENGTH,
	ROSTER_MEMBER_LENGTH,
	ROSTER_SIGNATURE_LENGTH,
	Roster,
	attachRosterSignature,
	encodeRosterBody,
	rosterLength,
} from "picket/provisioning/roster";
import { portableCases } from "picket/test/harness/portable";
import { FixtureDomain } from "picket/test/support/provisioning-fixture";

export default portableCases("provisioning/roster", (test) => {
	const domain = new FixtureDomain(0x70a57e5);
	domain.add(7, "sensor", 0b01);
	domain.add(2, "responder", 0b11);
	domain.add(40, "relay", 0);
	domain.add(8191, "alarm", 1 << 31);
	const signed = domain.roster(3);
	const decode = (bytes: Uint8Array) => Roster.decode(bytes, domain.authorityPublicKey, domain.crypto);
	/** Re-signs a body the test edited, so only the structural check can refuse it. */
	const resign = (body: Uint8Array) => attachRosterSignature(body, domain.sign(body));

	test("a member is 39 bytes: the codec's sizes match the byte table", (t) => {
		t.is(ROSTER_MEMBER_LENGTH, 39);
		t.true(ROSTER_MEMBER_LENGTH <= 40, "DESIGN.md budget: ≤ 40 B per roster member");
		t.is(ROSTER_HEADER_LENGTH, 15);
		t.is(ROSTER_SIGNATURE_LENGTH, 64);
		t.is(signed.length, 15 + 4 * 39 + 64);
		t.is(rosterLength(4) - rosterLength(3), 39);
		const one = encodeRosterBody({ domainId: domain.domainId, epoch: 0, members: [] });
		const two = encodeRosterBody({ domainId: domain.domainId, epoch: 0, members: [{ id: 1, role: "sensor", groups: 0, staticPublicKey: new Uint8Array(32) }] });
		t.is(two.length - one.length, 39);
	});

	test("encoder lays bytes out as the table says", (t) => {
		const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
		const body = encodeRosterBody({ domainId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), epoch: 0x01020304, members: [{ id: 0x1234, role: "responder", groups: 0x80000005, staticPublicKey: key }] });
		t.deepEqual(body.subarray(0, 15), Uint8Array.of(1, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 0, 1));
		t.deepEqual(body.subarray(15, 17), Uint8Array.of(0x12, 0x34));
		t.deepEqual(body.subarray(17, 49), key);
		t.is(body[49], 2, "role code: 0 sensor, 1 alarm, 2 responder, 3 relay");
		t.deepEqual(body.subarray(50, 54), Uint8Array.of(0x80, 0, 0, 5));
	});

	test("the gateway and the command post are roles 4 and 5, signed and read back like any member", (t) => {
		const body = encodeRosterBody({
			domainId: domain.domainId,
			epoch: 1,
			members: [
				{ id: 3, role: "gateway", groups: 0b11, staticPublicKey: new Uint8Array(32).fill(3) },
				{ id: 9, role: "post", groups: 0, staticPublicKey: new Uint8Array(32).fill(9) },
			],
		});
		t.is(body[15 + 34], 4);
		t.is(body[15 + 39 + 34], 5);
		const roster = decode(resign(body));
		t.is(roster.member(3)?.role, "gateway");
		t.is(roster.member(9)?.role, "post");
		t.deepEqual(roster.member(9)?.staticPublicKey, new Uint8Array(32).fill(9));
	});

	test("decodes, sorts by id and finds members", (t) => {
		const roster = decode(signed);
		t.is(roster.epoch, 3);
		t.deepEqual(roster.domainId, domain.domainId);
		t.deepEqual(roster.members().map((member) => member.id), [2, 7, 40, 8191]);
		for (const device of domain.devices) {
			const member = roster.member(device.id);
			t.deepEqual(member && { id: member.id, role: member.role, groups: member.groups, staticPublicKey: member.staticPublicKey }, { id: device.id, role: device.role, groups: device.groups >>> 0, staticPublicKey: device.publicKey });
			if (member !== undefined) member.staticPublicKey.fill(0);
			t.deepEqual(roster.member(device.id)?.staticPublicKey, device.publicKey, "a caller's copy of the key is its own");
		}
		t.is(roster.member(1), undefined);
		t.is(roster.member(8), undefined);
		t.is(roster.member(9000), undefined);
		t.is(decode(domain.roster(0, [])).member(1), undefined);
		// Ids numbered without gaps but one revoked: a look where the id "should" be finds another member.
		const dense = new FixtureDomain(0xde45e);
		for (const id of [3, 4, 5, 7, 8, 9]) dense.add(id, "sensor", id);
		const gapped = Roster.decode(dense.roster(1), dense.authorityPublicKey, dense.crypto);
		t.deepEqual([2, 3, 4, 5, 6, 7, 8, 9, 10].map((id) => gapped.member(id)?.groups), [undefined, 3, 4, 5, undefined, 7, 8, 9, undefined]);
	});

	test("an altered byte anywhere is refused with a typed error", (t) => {
		// A sample of positions in every field (each costs a P-256 verification, slow on XS);
		// the Node test in provisioning-domain.test.ts flips every byte.
		for (const i of [0, 1, 8, 9, 12, 13, 14, 15, 16, 17, 48, 49, 50, 53, 54, 100, 170, signed.length - 64, signed.length - 33, signed.length - 1]) {
			const altered = signed.slice();
			altered[i] ^= 0x01;
			const expected = i === 0 ? "bad-version" : i === 13 || i === 14 ? "truncated" : "bad-signature";
			t.throws(() => decode(altered), { code: expected }, `byte ${i}`);
		}
	});

	test("another authority's key refuses the roster", (t) => {
		const other = new FixtureDomain(99);
		t.throws(() => Roster.decode(signed, other.authorityPublicKey, domain.crypto), { code: "bad-signature" });
		t.throws(() => Roster.decode(signed, new Uint8Array(65), domain.crypto), { code: "bad-signature" });
	});

	test("truncated and oversized rosters are refused", (t) => {
		for (const length of [0, 1, 14, 15, 78, signed.length - 64, signed.length - 1]) {
			t.throws(() => decode(signed.subarray(0, length)), { code: "truncated" }, `length ${length}`);
		}
		const longer = new Uint8Array(signed.length + 1);
		longer.set(signed);
		t.throws(() => decode(longer), { code: "oversized" });
	});

	test("signed but malformed members are refused: unsorted, duplicate, bad id, bad role, relay with groups", (t) => {
		const body = signed.slice(0, signed.length - 64);
		const member = (i: number) => 15 + i * 39;
		const swapped = body.slice();
		swapped.set(body.subarray(member(0), member(1)), member(1));
		swapped.set(body.subarray(member(1), member(2)), member(0));
		t.throws(() => decode(resign(swapped)), { code: "unsorted-members" });
		const duplicated = body.slice();
		duplicated.set(body.subarray(member(0), member(1)), member(1));
		t.throws(() => decode(resign(duplicated)), { code: "duplicate-member" });
		const zero = body.slice();
		zero[member(0)] = 0;
		zero[member(0) + 1] = 0;
		t.throws(() => decode(resign(zero)), { code: "bad-member-id" });
		const role = body.slice();
		role[member(0) + 34] = MEMBER_ROLES.length; // the first code no role has
		t.throws(() => decode(resign(role)), { code: "bad-role" });
		const relay = body.slice();
		relay[member(2) + 38] = 1; // member 40 is the relay
		t.throws(() => decode(resign(relay)), { code: "relay-with-groups" });
		t.throws(() => Roster.decode(signed, domain.authorityPublicKey, domain.crypto, new Uint8Array(8)), { code: "wrong-domain" });
	});

	test("the encoder refuses what the decoder would", (t) => {
		const key = new Uint8Array(32);
		const encode = (members: { id: number; role: "sensor" | "relay"; groups: number }[]) =>
			encodeRosterBody({ domainId: domain.domainId, epoch: 1, members: members.map((m) => ({ ...m, staticPublicKey: key })) });
		t.throws(() => encode([{ id: 0, role: "sensor", groups: 0 }]), { code: "bad-member-id" });
		t.throws(() => encode([{ id: MAX_MEMBER_ID + 1, role: "sensor", groups: 0 }]), { code: "bad-member-id" });
		t.throws(() => encode([{ id: 5, role: "sensor", groups: 0 }, { id: 5, role: "sensor", groups: 1 }]), { code: "duplicate-member" });
		t.throws(() => encode([{ id: 5, role: "relay", groups: 1 }]), { code: "relay-with-groups" });
		t.throws(() => encodeRosterBody({ domainId: new Uint8Array(7), epoch: 1, members: [] }), { instanceOf: PicketError });
		t.throws(() => attachRosterSignature(new Uint8Array(15), new Uint8Array(70)), { code: "bad-length" });
	});
});
