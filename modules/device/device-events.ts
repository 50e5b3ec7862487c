/**
 * What a device's node and links decided, as events, for whoever watches: the host
 * simulator builds its timeline and summary from them; a board may log them or leave
 * `HostBindings.onEvent` unset. Events are emitted after the decision, synchronously; a
 * watcher only looks (it must not throw, and nothing it returns is used).
 *
 * | kind             | emitted by        | when                                                    |
 * |------------------|-------------------|---------------------------------------------------------|
 * | alert-sealed     | device-node       | the policy's alert (first send or repeat) goes on air    |
 * | alert-received   | device-node       | the alert link judged a frame from the air               |
 * | session-received | device-node       | the session layer judged a handshake or session frame    |
 * | mesh-received    | device-node       | the mesh layer judged an envelope (deliver, relay, reject)|
 * | command-sent     | device-node       | the policy handed a command for a peer to the sessions   |
 * | session-dropped  | provisioned-links | the session layer gave up something queued for a peer   |
 * | epoch-installed  | provisioned-links | a key-epoch delivery was verified, committed, installed  |
 * | epoch-refused    | provisioned-links | a key-epoch delivery failed the keystore's checks        |
 * | delivery-acknowledged | provisioned-links | a delivery this device carried was acknowledged   |
 */
import type { CommandAction } from "picket/device/alarm-policy";
import type { AlarmCommand, AlertOutcome, MeshOutcome, SessionOutcome } from "picket/device/alert-link";

export type DeviceEvent =
	| { readonly kind: "alert-sealed"; readonly frame: Uint8Array }
	| { readonly kind: "alert-received"; readonly frame: Uint8Array; readonly outcome: AlertOutcome }
	/** `action`: what the alarm policy did with a command ("refused": the sender's role may not give it). */
	| { readonly kind: "session-received"; readonly frame: Uint8Array; readonly from: Uint8Array; readonly outcome: SessionOutcome; readonly action?: CommandAction }
	| { readonly kind: "mesh-received"; readonly frame: Uint8Array; readonly outcome: MeshOutcome }
	| { readonly kind: "command-sent"; readonly peer: number; readonly command: AlarmCommand }
	| { readonly kind: "session-dropped"; readonly peer: number; readonly reason: string }
	/** `from`: the member that carried the delivery over a session; absent when handed over directly. */
	| { readonly kind: "epoch-installed"; readonly epoch: number; readonly members: number; readonly from?: number }
	| { readonly kind: "epoch-refused"; readonly reason: string; readonly from?: number }
	| { readonly kind: "delivery-acknowledged"; readonly peer: number; readonly epoch: number };

/** Receives a device's events (HostBindings.onEvent). */
export type DeviceEventListener = (event: DeviceEvent) => void;
