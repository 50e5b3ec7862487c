/**
 * Byte 0 of every Picket frame on the air, whatever its kind, so a receiver can route a
 * frame before it knows anything else about it.
 *
 * | bits | field   | values                                                        |
 * |------|---------|---------------------------------------------------------------|
 * | 7..6 | version | 0 = Picket v1; anything else is "unknown-version"             |
 * | 5..4 | kind    | 0 alert, 1 handshake, 2 session, 3 mesh envelope              |
 * | 3..0 | detail  | alert, mesh: TTL (hops left); handshake: message number; session: 0 |
 */
export const PICKET_VERSION = 0;

export const enum FrameKind {
	Alert = 0,
	Handshake = 1,
	Session = 2,
	/** A handshake or session frame carried across relays (picket/link/mesh-envelope). */
	Mesh = 3,
}

export function frameVersion(byte0: number): number {
	return byte0 >>> 6;
}

export function frameKind(byte0: number): number {
	return (byte0 >>> 4) & 3;
}

export function frameDetail(byte0: number): number {
	return byte0 & 15;
}

export function frameByte0(kind: FrameKind, detail: number): number {
	return (PICKET_VERSION << 6) | (kind << 4) | (detail & 15);
}
