/**
 * The signed roster: who belongs to a PTT domain in one key epoch, with each member's
 * static X25519 public key (pinned by the Noise KKpsk0 handshake), role and authorisation
 * groups (DESIGN.md "Authorisation lives in the signed roster").
 *
 * Why ECDSA P-256 for the domain authority, not Ed25519: the device verifies the roster at
 * every boot and on every epoch delivery, on the ESP32 through Mbed TLS's PSA API, and Mbed
 * TLS has no Ed25519. P-256 verification runs in the native PSA provider (and Espressif's
 * ECC/MPI accelerator where present) at a few tens of milliseconds, with no extra curve code
 * in flash. The operator's laptop signs with node:crypto. The signature is IEEE P1363 r ‖ s
 * (64 B) rather than DER so its length is fixed and the codec needs no ASN.1 parser.
 *
 * Byte layout, version 1 (all integers big-endian):
 *
 * | offset          | size | field                                              |
 * |-----------------|------|----------------------------------------------------|
 * | 0               | 1    | format version = 1                                 |
 * | 1               | 8    | domain id                                          |
 * | 9               | 4    | epoch (u32)                                        |
 * | 13              | 2    | member count n (u16)                               |
 * | 15 + 39·i       | 39   | member i, strictly ascending by id (table below)   |
 * | 15 + 39·n       | 64   | authority signature r ‖ s over bytes 0 .. 15+39·n  |
 *
 * One member (39 B, within the 40 B per-member storage budget):
 *
 * | offset | size | field                                                          |
 * |--------|------|----------------------------------------------------------------|
 * | 0      | 2    | id (u16, 1..8191): the source id of the member's alert frames  |
 * | 2      | 32   | static X25519 public key                                       |
 * | 34     | 1    | role: 0 sensor, 1 alarm, 2 responder, 3 relay, 4 gateway, 5 post |
 * | 35     | 4    | groups (u32 bit mask, bit g = member of group g); relay: 0     |
 *
 * The decoded roster keeps the signed bytes and searches them in place: a device holds one
 * buffer, not n objects, and `member(id)` is a binary search (O(log n)).
 */
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { constantTimeEqual, readU16, readU32, writeU16, writeU32 } from "picket/core/bytes";
import { PicketError, isPicketError } from "picket/core/picket-error";
import { DOMAIN_ID_LENGTH } from "picket/link/key-schedule";
import type { Member, MemberRole, Membership } from "picket/link/membership";

export const ROSTER_VERSION = 1;
export const ROSTER_HEADER_LENGTH = 15;
export const ROSTER_MEMBER_LENGTH = 39;
export const ROSTER_SIGNATURE_LENGTH = 64;
export const STATIC_PUBLIC_KEY_LENGTH = 32;
/** Member ids are 1..MAX_MEMBER_ID; 0 is never a member (reserved for "nobody"). */
export const MAX_MEMBER_ID = 8191;

/** Wire codes of the roles, index = code. */
export const MEMBER_ROLES: readonly MemberRole[] = ["sensor", "alarm", "responder", "relay", "gateway", "post"];

export type RosterErrorCode =
	| "truncated" // shorter than its header, member count and signature say
	| "oversized" // bytes after the signature
	| "bad-version"
	| "bad-signature" // the authority did not sign these bytes
	| "wrong-domain" // signed, but for another domain than the caller expected
	| "unsorted-members"
	| "duplicate-member"
	| "bad-member-id" // 0 or above MAX_MEMBER_ID
	| "bad-role"
	| "relay-with-groups" // a relay-only member may hold no group key (R5)
	| "bad-length"; // encoder input of the wrong size

/** Unsigned content of a roster, as the provisioning tool assembles it. */
export interface RosterContent {
	readonly domainId: Uint8Array;
	readonly epoch: number;
	readonly members: readonly Member[];
}

function fail(code: RosterErrorCode, message?: string): never {
	throw new PicketError<RosterErrorCode>(code, message);
}

/** Bytes a signed roster of `count` members occupies. */
export function rosterLength(count: number): number {
	return ROSTER_HEADER_LENGTH + count * ROSTER_MEMBER_LENGTH + ROSTER_SIGNATURE_LENGTH;
}

/** Group numbers set in a mask, ascending. */
export function groupsOf(mask: number): number[] {
	const groups: number[] = [];
	for (let g = 0; g < 32; g++) if ((mask >>> g) & 1) groups.push(g);
	return groups;
}

/**
 * Encodes everything the authority signs (the roster minus its signature). Members are
 * sorted here; duplicates, bad ids, unknown roles and relays with groups are refused.
 */
export function encodeRosterBody(content: RosterContent): Uint8Array {
	if (content.domainId.length !== DOMAIN_ID_LENGTH) fail("bad-length", "domain id must be 8 bytes");
	if (!Number.isInteger(content.epoch) || content.epoch < 0 || content.epoch > 0xffffffff) fail("bad-length", `epoch ${content.epoch}`);
	if (content.members.length > MAX_MEMBER_ID) fail("bad-length", "too many members");
	const members = content.members.slice().sort((a, b) => a.id - b.id);
	const body = new Uint8Array(ROSTER_HEADER_LENGTH + members.length * ROSTER_MEMBER_LENGTH);
	body[0] = ROSTER_VERSION;
	body.set(content.domainId, 1);
	writeU32(body, 9, content.epoch);
	writeU16(body, 13, members.length);
	let offset = ROSTER_HEADER_LENGTH;
	let previous = 0;
	for (const member of members) {
		checkMember(member.id, member.role, member.groups, previous);
		if (member.staticPublicKey.length !== STATIC_PUBLIC_KEY_LENGTH) fail("bad-length", `member ${member.id}: public key must be 32 bytes`);
		writeU16(body, offset, member.id);
		body.set(member.staticPublicKey, offset + 2);
		body[offset + 34] = MEMBER_ROLES.indexOf(member.role);
		writeU32(body, offset + 35, member.groups >>> 0);
		previous = member.id;
		offset += ROSTER_MEMBER_LENGTH;
	}
	return body;
}

function checkMember(id: number, role: MemberRole | undefined, groups: number, previousId: number): void {
	if (!Number.isInteger(id) || id < 1 || id > MAX_MEMBER_ID) fail("bad-member-id", `id ${id}`);
	if (id === previousId) fail("duplicate-member", `id ${id}`);
	if (id < previousId) fail("unsorted-members", `id ${id} after ${previousId}`);
	if (role === undefined || !MEMBER_ROLES.includes(role)) fail("bad-role", `member ${id}`);
	if (role === "relay" && groups !== 0) fail("relay-with-groups", `member ${id}`);
}

/** Joins a body from `encodeRosterBody` and the authority's r ‖ s signature over it. */
export function attachRosterSignature(body: Uint8Array, signature: Uint8Array): Uint8Array {
	if (signature.length !== ROSTER_SIGNATURE_LENGTH) fail("bad-length", "signature must be r ‖ s, 64 bytes");
	const signed = new Uint8Array(body.length + ROSTER_SIGNATURE_LENGTH);
	signed.set(body);
	signed.set(signature, body.length);
	return signed;
}

/** A roster whose signature has been verified. Immutable. */
export class Roster implements Membership {
	/** The signed bytes, exactly as stored and delivered. */
	readonly bytes: Uint8Array;
	readonly domainId: Uint8Array;
	readonly epoch: number;
	readonly size: number;

	private constructor(bytes: Uint8Array) {
		this.bytes = bytes;
		this.domainId = bytes.slice(1, 1 + DOMAIN_ID_LENGTH);
		this.epoch = readU32(bytes, 9);
		this.size = readU16(bytes, 13);
	}

	/**
	 * Checks layout, then the authority's signature, then every member, and returns the
	 * roster; throws PicketError<RosterErrorCode> otherwise. `expectedDomainId`, when given,
	 * refuses a roster the same authority signed for another domain.
	 */
	static decode(bytes: Uint8Array, authorityPublicKey: Uint8Array, crypto: CryptoSuite, expectedDomainId?: Uint8Array): Roster {
		if (bytes.length < ROSTER_HEADER_LENGTH + ROSTER_SIGNATURE_LENGTH) fail("truncated", `${bytes.length} bytes`);
		if (bytes[0] !== ROSTER_VERSION) fail("bad-version", `version ${bytes[0]}`);
		const count = readU16(bytes, 13);
		const expected = rosterLength(count);
		if (bytes.length < expected) fail("truncated", `${count} members need ${expected} bytes, have ${bytes.length}`);
		if (bytes.length > expected) fail("oversized", `${count} members need ${expected} bytes, have ${bytes.length}`);
		const bodyLength = expected - ROSTER_SIGNATURE_LENGTH;
		let valid = false;
		try {
			valid = crypto.ecdsaP256Verify(authorityPublicKey, bytes.subarray(0, bodyLength), bytes.subarray(bodyLength));
		} catch (error) {
			// A signature (or key) that does not even parse is a bad signature, not a crash.
			if (!isPicketError(error, "bad-signature-encoding")) throw error;
		}
		if (!valid) fail("bad-signature");
		const roster = new Roster(bytes.slice());
		if (expectedDomainId !== undefined && !constantTimeEqual(roster.domainId, expectedDomainId)) fail("wrong-domain");
		let previous = 0;
		for (let i = 0; i < count; i++) {
			const offset = ROSTER_HEADER_LENGTH + i * ROSTER_MEMBER_LENGTH;
			const id = readU16(bytes, offset);
			checkMember(id, MEMBER_ROLES[bytes[offset + 34]], readU32(bytes, offset + 35), previous);
			previous = id;
		}
		return roster;
	}

	/**
	 * The member with this id, or undefined: a binary search over the signed bytes, after one
	 * look where the id would be if ids were numbered from the first without gaps (as the
	 * provisioning tool numbers them until members are revoked).
	 */
	member(id: number): Member | undefined {
		if (this.size === 0) return undefined;
		const guess = id - readU16(this.bytes, ROSTER_HEADER_LENGTH);
		if (guess >= 0 && guess < this.size && readU16(this.bytes, ROSTER_HEADER_LENGTH + guess * ROSTER_MEMBER_LENGTH) === id) return this.memberAt(guess);
		let low = 0;
		let high = this.size - 1;
		while (low <= high) {
			const middle = (low + high) >>> 1;
			const found = readU16(this.bytes, ROSTER_HEADER_LENGTH + middle * ROSTER_MEMBER_LENGTH);
			if (found === id) return this.memberAt(middle);
			if (found < id) low = middle + 1;
			else high = middle - 1;
		}
		return undefined;
	}

	/** The i-th member in id order (0 ≤ i < size). */
	memberAt(index: number): Member {
		if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`member index ${index}`);
		return new RosterMember(this.bytes, ROSTER_HEADER_LENGTH + index * ROSTER_MEMBER_LENGTH);
	}

	members(): Member[] {
		const all: Member[] = [];
		for (let i = 0; i < this.size; i++) all.push(this.memberAt(i));
		return all;
	}
}

/**
 * One member's entry, read from the signed bytes. The static key is copied out when asked
 * for: the link looks a member up for every frame it hears and reads only its groups.
 */
class RosterMember implements Member {
	readonly id: number;
	readonly role: MemberRole;
	readonly groups: number;
	readonly #bytes: Uint8Array;
	readonly #offset: number;

	constructor(bytes: Uint8Array, offset: number) {
		this.#bytes = bytes;
		this.#offset = offset;
		this.id = readU16(bytes, offset);
		this.role = MEMBER_ROLES[bytes[offset + 34]];
		this.groups = readU32(bytes, offset + 35);
	}

	/** A copy: the roster stays as signed whatever the caller does with it. */
	get staticPublicKey(): Uint8Array {
		return this.#bytes.slice(this.#offset + 2, this.#offset + 34);
	}
}
