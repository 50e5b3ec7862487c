/**
 * The narrow view of the secure link the device node needs. The link helper's facade
 * (`picket/link/secure-link`) is expected to satisfy it; until that API settles, the
 * node codes against this and `main.ts` adapts one to the other in one place.
 *
 * Flow (DESIGN.md): policy → `sendAlert` → radio; radio → `receive` → outcome → policy,
 * and `relay` → radio again after the jitter the link chose.
 */
import type { PicketError } from "picket/core/picket-error";

/** Forward this frame (TTL already decremented by the link) after `delayMs` of jitter. */
export interface RelayInstruction {
	readonly frame: Uint8Array;
	readonly delayMs: number;
}

export type LinkOutcome =
	/** Authenticated, fresh and readable by this device (it holds the group key). */
	| { readonly kind: "alert"; readonly source: number; readonly group: number; readonly payload: Uint8Array; readonly relay?: RelayInstruction }
	/** Authenticated and fresh, but for a group this device cannot read: only relay it. */
	| { readonly kind: "relay-only"; readonly source: number; readonly group: number; readonly relay?: RelayInstruction }
	/** A handshake or session frame: it carried a command for the policy, or nothing the policy sees. */
	| { readonly kind: "command"; readonly peer: number; readonly command: Uint8Array }
	| { readonly kind: "session"; readonly reply?: Uint8Array }
	/** Dropped: forged, replayed, duplicate, expired TTL… `reason` is the link's error code. */
	| { readonly kind: "dropped"; readonly reason: string; readonly error?: PicketError };

export interface AlertLink {
	/** Seals `payload` for authorisation group `group`; returns the whole frame to broadcast. */
	sendAlert(group: number, payload: Uint8Array): Uint8Array;
	/** Verifies and routes one received frame. Never throws on bytes from the air. */
	receive(frame: Uint8Array): LinkOutcome;
}
