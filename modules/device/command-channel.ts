/**
 * Commands between two members over their pairwise session (Noise KKpsk0, keys only the
 * two of them hold): a responder acknowledges an alert to its sender, or silences it.
 * The alarm policy only sees this interface; the node wires it to the session layer
 * (`picket/link/session`), which owns handshakes, retransmission and framing.
 *
 * Command bytes (the session's plaintext):
 *
 * | offset | size | field    | values                                                    |
 * |--------|------|----------|-----------------------------------------------------------|
 * | 0      | 1    | command  | 1 ack, 2 silence; anything else "bad-command"             |
 * | 1      | 2    | incident | u16 big-endian: the incident number of the alert it means |
 * | 3      | 2    | origin   | u16 big-endian: member id of the alert's sender           |
 */
import { PicketError } from "picket/core/picket-error";

/** What the alarm policy needs from the session layer. */
export interface CommandChannel {
	/**
	 * Sends `command` to member `peer` over their pairwise session, running the handshake
	 * first if there is none. Best effort: failures are logged by the channel, never thrown.
	 */
	send(peer: number, command: Uint8Array): void;
}

export const COMMAND_LENGTH = 5;

export type CommandKind = "ack" | "silence";

export interface Command {
	readonly kind: CommandKind;
	readonly incident: number;
	/** The member whose alert this command is about. */
	readonly origin: number;
}

export type CommandErrorCode = "bad-command" | "bad-command-length";

const KIND_CODES: readonly CommandKind[] = ["ack", "silence"]; // code = index + 1

export function encodeCommand(command: Command): Uint8Array {
	const code = KIND_CODES.indexOf(command.kind) + 1;
	if (code === 0) throw new PicketError<CommandErrorCode>("bad-command", String(command.kind));
	return Uint8Array.of(code, (command.incident >>> 8) & 0xff, command.incident & 0xff, (command.origin >>> 8) & 0xff, command.origin & 0xff);
}

export function decodeCommand(bytes: Uint8Array): Command {
	if (bytes.length !== COMMAND_LENGTH) throw new PicketError<CommandErrorCode>("bad-command-length", `${bytes.length} bytes`);
	const kind = KIND_CODES[bytes[0] - 1];
	if (kind === undefined) throw new PicketError<CommandErrorCode>("bad-command", String(bytes[0]));
	return { kind, incident: (bytes[1] << 8) | bytes[2], origin: (bytes[3] << 8) | bytes[4] };
}
