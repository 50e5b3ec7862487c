/**
 * The narrow views of the link layer the device node needs. `SecureLink`
 * (`picket/link/secure-link`) satisfies `AlertLink` structurally (its ReceiveOutcome has
 * these kinds and more fields); `PairwiseSessions` (`picket/link/pairwise-sessions`:
 * handshakes, pairwise sessions, commands) satisfies `SessionPort` and `CommandChannel`.
 * `picket/device/provisioned-links` builds both from the device's provisioning.
 *
 * Flow (DESIGN.md): policy → `sendAlert` → radio; radio → frame kind (byte 0) →
 * alert frames to `AlertLink.receive`, handshake and session frames to `SessionPort.receive`.
 */
import type { Membership } from "picket/link/membership";
import type { AlarmCommand } from "picket/link/session-command";

export type { AlarmCommand } from "picket/link/session-command";

/** Forward this frame (TTL already decremented by the link) after `delayMs` of jitter, to `to` (default: broadcast). */
export interface RelayInstruction {
	readonly frame: Uint8Array;
	readonly delayMs: number;
	readonly to?: Uint8Array;
}

export type AlertOutcome =
	/** Authentic, fresh and readable by this device (it holds the group key). */
	| { readonly kind: "alert"; readonly source: number; readonly group: number; readonly payload: Uint8Array; readonly relay: RelayInstruction | undefined }
	/** Authentic and fresh, for a group this device cannot read: relay only (R5). */
	| { readonly kind: "relay-only"; readonly source: number; readonly group: number; readonly relay: RelayInstruction | undefined }
	/** Forged, replayed, duplicate, unknown sender… `reason` is the link's code; `relay` only for a duplicate with more hops left than any copy before. */
	| { readonly kind: "rejected"; readonly reason: string; readonly relay: RelayInstruction | undefined };

export interface AlertLink {
	/** Seals `payload` for authorisation group `group`; returns the whole frame to broadcast. */
	sendAlert(group: number, payload: Uint8Array): Uint8Array;
	/** Judges one alert frame from the air. Never throws on what the air delivers. */
	receive(frame: Uint8Array): AlertOutcome;
	/**
	 * The claimed source of a frame refused as "wrong-epoch" (an alert or mesh envelope of the
	 * epoch a revocation replaced), or undefined: unauthenticated, a hint only.
	 */
	behindSource?(frame: Uint8Array): number | undefined;
}

export type SessionOutcome =
	/** A session frame that carried a command for the alarm policy. */
	| { readonly kind: "command"; readonly peer: number; readonly command: AlarmCommand }
	/** A handshake step or session housekeeping (the session layer transmits its own replies). */
	| { readonly kind: "handled" }
	| { readonly kind: "rejected"; readonly reason: string };

export interface SessionPort {
	/**
	 * One handshake or session frame from the air, with the MAC of its transmitter (ESP-NOW
	 * gives it; sessions are matched by it). Never throws on what the air delivers.
	 */
	receive(frame: Uint8Array, from: Uint8Array): SessionOutcome;
	/**
	 * Member `peer` was heard transmitting an authenticated alert itself, not relayed, from
	 * `mac`: the only MAC, besides a handshake's, that commands to it may use
	 * (picket/link/neighbour-table).
	 */
	heardDirectly(peer: number, mac: Uint8Array): void;
}

/** What the alarm policy needs from the session layer. */
export interface CommandChannel {
	/**
	 * Sends `command` to member `peer` over their pairwise session, running the handshake
	 * first if there is none. Best effort: failures are logged by the channel, never thrown.
	 */
	send(peer: number, command: AlarmCommand): void;
}

/** The mesh layer (picket/link/mesh-link): session frames for and through this device across relays. */
export interface MeshPort {
	/** One mesh envelope from the neighbour `from`. Never throws on what the air delivers. */
	receive(frame: Uint8Array, from: Uint8Array): MeshOutcome;
	/** The first copy of an authenticated alert of `source` came from the neighbour `from`: the way back to it. */
	heard(source: number, from: Uint8Array): void;
}

export type MeshOutcome =
	/** For this device: the inner handshake or session frame, from member `source`. */
	| { readonly kind: "deliver"; readonly source: number; readonly inner: Uint8Array }
	/** For another member: forward it (unless `relay` is undefined: no TTL left, or this device does not relay). */
	| { readonly kind: "relay"; readonly relay: (RelayInstruction & { readonly to: Uint8Array }) | undefined }
	| { readonly kind: "rejected"; readonly reason: string };

/** What a LinkFactory builds for one device. */
export interface DeviceLinks {
	readonly alerts: AlertLink;
	readonly sessions: SessionPort;
	readonly commands: CommandChannel;
	/** The signed roster in force (it changes with each key epoch): the alarm policy authorises commands by role. */
	readonly members: Pick<Membership, "member">;
	/** Absent: session frames reach radio neighbours only. */
	readonly mesh?: MeshPort;
	/** Member `member` was heard sending under a key epoch this device no longer holds (a frame refused as "wrong-epoch"). */
	heardBehind?(member: number): void;
	close?(): void;
}
