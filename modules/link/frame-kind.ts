/**
 * Byte 0 of every Picket frame on the air, whatever its kind, so a receiver can route a
 * frame before it knows anything else about it.
 *
 * | bits | field   | values                                                        |
 * |------|---------|---------------------------------------------------------------|
 * | 7    | version | 0 = Picket v1; 1 is "unknown-version"                         |
 * | 6..4 | kind    | 0 alert, 1 handshake, 2 session, 3 mesh envelope, 4 update (modules/update/update-frame.ts), 5..7 "unknown-kind" |
 * | 3..0 | detail  | alert, mesh: TTL (hops left); handshake: message number; session: 0; update: its type |
 *
 * The kind took one bit from the version when the mesh envelope and the update frame both
 * needed a kind: frames of kinds 0–2 keep their bytes, and a v1 receiver that predates the
 * change read kinds 4–7 as "unknown-version" and dropped them, as it should.
 */
export const PICKET_VERSION = 0;

export const enum FrameKind {
	Alert = 0,
	Handshake = 1,
	Session = 2,
	/** A handshake or session frame carried across relays (picket/link/mesh-envelope). */
	Mesh = 3,
	Update = 4,
}

export function frameVersion(byte0: number): number {
	return byte0 >>> 7;
}

export function frameKind(byte0: number): number {
	return (byte0 >>> 4) & 7;
}

export function frameDetail(byte0: number): number {
	return byte0 & 15;
}

export function frameByte0(kind: FrameKind, detail: number): number {
	return (PICKET_VERSION << 7) | (kind << 4) | (detail & 15);
}
