/**
 * What the secure link needs to know about the domain's members, and nothing more. The
 * signed roster (`picket/provisioning/roster`) implements `Membership`; tests and the
 * simulator may implement it directly.
 */
import { MAX_GROUP } from "picket/link/key-schedule";

/**
 * "gateway": a board that reads the alerts of its groups and bridges them to the command
 * post over a wired link; "post": the command post (a laptop, never on the air), listed so
 * that its static key is pinned for the gateway link (picket/gateway/post-link).
 */
export type MemberRole = "sensor" | "alarm" | "responder" | "relay" | "gateway" | "post";

export interface Member {
	/** 0..MAX_SOURCE_ID (see alert-frame.ts): the source id this member puts on the air. */
	readonly id: number;
	/** X25519 static public key (32 B), pinned for the handshake. */
	readonly staticPublicKey: Uint8Array;
	readonly role: MemberRole;
	/** Bitmask of authorisation groups 0..31: bit g set = may read and send alerts of group g. */
	readonly groups: number;
}

export interface Membership {
	member(id: number): Member | undefined;
	/** The roster's key epoch. */
	readonly epoch: number;
}

/** True when `member` belongs to authorisation group `group` (holds its key, may send to it). */
export function memberInGroup(member: Member, group: number): boolean {
	return Number.isInteger(group) && group >= 0 && group <= MAX_GROUP && ((member.groups >>> group) & 1) === 1;
}
