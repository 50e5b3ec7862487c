/**
 * What a gateway and the command post say to each other inside the secure channel
 * (picket/gateway/post-link): one message per transport frame, first byte its code. All
 * integers big-endian. Gateway → post:
 *
 * | code | message   | fields after the code                                                    | size |
 * |------|-----------|--------------------------------------------------------------------------|------|
 * | 0x01 | hello     | key epoch u32 (the gateway's)                                            | 5    |
 * | 0x02 | alert     | source u16, sequence u32, group u8, hops u8, event u8, severity u8,      | 14   |
 * |      |           | incident u16, repeat u8                                                  |      |
 * | 0x03 | heartbeat | source u16, receipt flags u8, origin u16, incident u16 (device/heartbeat) | 8    |
 * | 0x04 | outcome   | action u32, peer u16, outcome u8: 0 handed to the mesh, 1 dropped,       | 8    |
 * |      |           | 2 epoch installed on the gateway, 3 refused                              |      |
 * | 0x05 | chunk-request | rollout u32, first chunk u16, count u8 (≤ CHUNKS_PER_MESSAGE)        | 8    |
 * | 0x06 | progress  | rollout u32, device u16, state u8: 1 installed, 2 confirmed (update-frame.ts) | 8 |
 *
 * Post → gateway:
 *
 * | code | message   | fields after the code                                                    | size    |
 * |------|-----------|--------------------------------------------------------------------------|---------|
 * | 0x81 | command   | action u32, kind u8 (1 acknowledge, 2 silence), origin u16, incident u16,| 11 + 2k |
 * |      |           | peer count k u8, k × peer u16                                            |         |
 * | 0x82 | delivery  | action u32, peer u16 (the gateway itself for its own), sealed key-epoch  | 7 + n   |
 * |      |           | delivery (picket/provisioning/epoch-delivery), n bytes                   |         |
 * | 0x83 | stored    | reports u32: how many of this link's reports are durably in the log      | 5       |
 * | 0x84 | rollout   | action u32, signed update offer (update-offer.ts, 151 B): seed it        | 156     |
 * | 0x85 | chunks    | rollout u32, first chunk u16, the bytes of consecutive chunks (their     | 7 + n   |
 * |      |           | lengths are the offer's TransferPlan's)                                  |         |
 * | 0x86 | rollout-stop | rollout u32: stop seeding it                                          | 5       |
 *
 * `action` numbers the operator's action in the post's log, so the outcome finds its row.
 * Authentic but malformed messages are "bad-message": a buggy peer, never a crash.
 */
import { concatBytes, readU16, readU32, writeU16, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { OFFER_LENGTH } from "picket/update/update-offer";

export type PostMessage =
	| { readonly kind: "hello"; readonly epoch: number }
	| {
			readonly kind: "alert";
			readonly source: number;
			readonly sequence: number;
			readonly group: number;
			readonly hops: number;
			readonly event: number;
			readonly severity: number;
			readonly incident: number;
			readonly repeat: number;
	  }
	| { readonly kind: "heartbeat"; readonly source: number; readonly flags: number; readonly origin: number; readonly incident: number }
	| { readonly kind: "outcome"; readonly action: number; readonly peer: number; readonly outcome: CommandOutcome }
	| { readonly kind: "command"; readonly action: number; readonly command: "acknowledge" | "silence"; readonly origin: number; readonly incident: number; readonly peers: readonly number[] }
	| { readonly kind: "delivery"; readonly action: number; readonly peer: number; readonly delivery: Uint8Array }
	| { readonly kind: "stored"; readonly reports: number }
	| { readonly kind: "chunk-request"; readonly rollout: number; readonly first: number; readonly count: number }
	| { readonly kind: "progress"; readonly rollout: number; readonly device: number; readonly state: 1 | 2 }
	| { readonly kind: "rollout"; readonly action: number; readonly offer: Uint8Array }
	| { readonly kind: "chunks"; readonly rollout: number; readonly first: number; readonly bytes: Uint8Array }
	| { readonly kind: "rollout-stop"; readonly rollout: number };

/** Chunks one request asks for and one "chunks" message carries at most (16 × 224 B fits a wire frame). */
export const CHUNKS_PER_MESSAGE = 16;

export type CommandOutcome = "handed" | "dropped" | "installed" | "refused";
const OUTCOMES: readonly CommandOutcome[] = ["handed", "dropped", "installed", "refused"];

export type PostMessageErrorCode = "bad-message";

const enum Code {
	Hello = 0x01,
	Alert = 0x02,
	Heartbeat = 0x03,
	Outcome = 0x04,
	ChunkRequest = 0x05,
	Progress = 0x06,
	Command = 0x81,
	Delivery = 0x82,
	Stored = 0x83,
	Rollout = 0x84,
	Chunks = 0x85,
	RolloutStop = 0x86,
}

function fail(message: string): never {
	throw new PicketError<PostMessageErrorCode>("bad-message", message);
}

function checked(value: number, max: number, name: string): number {
	if (!Number.isInteger(value) || value < 0 || value > max) fail(`${name} ${value}`);
	return value;
}

export function encodePostMessage(message: PostMessage): Uint8Array {
	switch (message.kind) {
		case "hello": {
			const bytes = new Uint8Array(5);
			bytes[0] = Code.Hello;
			writeU32(bytes, 1, checked(message.epoch, 0xffffffff, "epoch"));
			return bytes;
		}
		case "alert": {
			const bytes = new Uint8Array(14);
			bytes[0] = Code.Alert;
			writeU16(bytes, 1, checked(message.source, 0xffff, "source"));
			writeU32(bytes, 3, checked(message.sequence, 0xffffffff, "sequence"));
			bytes[7] = checked(message.group, 255, "group");
			bytes[8] = checked(message.hops, 255, "hops");
			bytes[9] = checked(message.event, 255, "event");
			bytes[10] = checked(message.severity, 255, "severity");
			writeU16(bytes, 11, checked(message.incident, 0xffff, "incident"));
			bytes[13] = checked(message.repeat, 255, "repeat");
			return bytes;
		}
		case "heartbeat": {
			const bytes = new Uint8Array(8);
			bytes[0] = Code.Heartbeat;
			writeU16(bytes, 1, checked(message.source, 0xffff, "source"));
			bytes[3] = checked(message.flags, 255, "flags");
			writeU16(bytes, 4, checked(message.origin, 0xffff, "origin"));
			writeU16(bytes, 6, checked(message.incident, 0xffff, "incident"));
			return bytes;
		}
		case "outcome": {
			const bytes = new Uint8Array(8);
			bytes[0] = Code.Outcome;
			writeU32(bytes, 1, checked(message.action, 0xffffffff, "action"));
			writeU16(bytes, 5, checked(message.peer, 0xffff, "peer"));
			bytes[7] = OUTCOMES.indexOf(message.outcome);
			return bytes;
		}
		case "command": {
			if (message.peers.length > 255) fail("more than 255 peers");
			const bytes = new Uint8Array(11 + 2 * message.peers.length);
			bytes[0] = Code.Command;
			writeU32(bytes, 1, checked(message.action, 0xffffffff, "action"));
			bytes[5] = message.command === "acknowledge" ? 1 : 2;
			writeU16(bytes, 6, checked(message.origin, 0xffff, "origin"));
			writeU16(bytes, 8, checked(message.incident, 0xffff, "incident"));
			bytes[10] = message.peers.length;
			message.peers.forEach((peer, i) => writeU16(bytes, 11 + 2 * i, checked(peer, 0xffff, "peer")));
			return bytes;
		}
		case "delivery": {
			const head = new Uint8Array(7);
			head[0] = Code.Delivery;
			writeU32(head, 1, checked(message.action, 0xffffffff, "action"));
			writeU16(head, 5, checked(message.peer, 0xffff, "peer"));
			return concatBytes(head, message.delivery);
		}
		case "stored": {
			const bytes = new Uint8Array(5);
			bytes[0] = Code.Stored;
			writeU32(bytes, 1, checked(message.reports, 0xffffffff, "reports"));
			return bytes;
		}
		case "chunk-request": {
			const bytes = new Uint8Array(8);
			bytes[0] = Code.ChunkRequest;
			writeU32(bytes, 1, checked(message.rollout, 0xffffffff, "rollout"));
			writeU16(bytes, 5, checked(message.first, 0xffff, "first"));
			bytes[7] = checked(message.count, CHUNKS_PER_MESSAGE, "count");
			return bytes;
		}
		case "progress": {
			const bytes = new Uint8Array(8);
			bytes[0] = Code.Progress;
			writeU32(bytes, 1, checked(message.rollout, 0xffffffff, "rollout"));
			writeU16(bytes, 5, checked(message.device, 0xffff, "device"));
			bytes[7] = checked(message.state, 2, "state");
			return bytes;
		}
		case "rollout": {
			if (message.offer.length !== OFFER_LENGTH) fail(`offer of ${message.offer.length} bytes`);
			const head = new Uint8Array(5);
			head[0] = Code.Rollout;
			writeU32(head, 1, checked(message.action, 0xffffffff, "action"));
			return concatBytes(head, message.offer);
		}
		case "chunks": {
			const head = new Uint8Array(7);
			head[0] = Code.Chunks;
			writeU32(head, 1, checked(message.rollout, 0xffffffff, "rollout"));
			writeU16(head, 5, checked(message.first, 0xffff, "first"));
			return concatBytes(head, message.bytes);
		}
		case "rollout-stop": {
			const bytes = new Uint8Array(5);
			bytes[0] = Code.RolloutStop;
			writeU32(bytes, 1, checked(message.rollout, 0xffffffff, "rollout"));
			return bytes;
		}
	}
}

function length(bytes: Uint8Array, expected: number, name: string): void {
	if (bytes.length !== expected) fail(`${name}: ${bytes.length} bytes, expected ${expected}`);
}

export function decodePostMessage(bytes: Uint8Array): PostMessage {
	if (bytes.length === 0) fail("empty");
	switch (bytes[0]) {
		case Code.Hello:
			length(bytes, 5, "hello");
			return { kind: "hello", epoch: readU32(bytes, 1) };
		case Code.Alert:
			length(bytes, 14, "alert");
			return {
				kind: "alert",
				source: readU16(bytes, 1),
				sequence: readU32(bytes, 3),
				group: bytes[7],
				hops: bytes[8],
				event: bytes[9],
				severity: bytes[10],
				incident: readU16(bytes, 11),
				repeat: bytes[13],
			};
		case Code.Heartbeat:
			length(bytes, 8, "heartbeat");
			return { kind: "heartbeat", source: readU16(bytes, 1), flags: bytes[3], origin: readU16(bytes, 4), incident: readU16(bytes, 6) };
		case Code.Outcome: {
			length(bytes, 8, "outcome");
			const outcome = OUTCOMES[bytes[7]];
			if (outcome === undefined) fail(`outcome ${bytes[7]}`);
			return { kind: "outcome", action: readU32(bytes, 1), peer: readU16(bytes, 5), outcome };
		}
		case Code.Command: {
			if (bytes.length < 11) fail(`command: ${bytes.length} bytes`);
			const count = bytes[10];
			length(bytes, 11 + 2 * count, "command");
			if (bytes[5] !== 1 && bytes[5] !== 2) fail(`command kind ${bytes[5]}`);
			const peers: number[] = [];
			for (let i = 0; i < count; i++) peers.push(readU16(bytes, 11 + 2 * i));
			return { kind: "command", action: readU32(bytes, 1), command: bytes[5] === 1 ? "acknowledge" : "silence", origin: readU16(bytes, 6), incident: readU16(bytes, 8), peers };
		}
		case Code.Delivery:
			if (bytes.length < 8) fail(`delivery: ${bytes.length} bytes`);
			return { kind: "delivery", action: readU32(bytes, 1), peer: readU16(bytes, 5), delivery: bytes.slice(7) };
		case Code.Stored:
			length(bytes, 5, "stored");
			return { kind: "stored", reports: readU32(bytes, 1) };
		case Code.ChunkRequest:
			length(bytes, 8, "chunk-request");
			if (bytes[7] === 0 || bytes[7] > CHUNKS_PER_MESSAGE) fail(`chunk-request of ${bytes[7]} chunks`);
			return { kind: "chunk-request", rollout: readU32(bytes, 1), first: readU16(bytes, 5), count: bytes[7] };
		case Code.Progress: {
			length(bytes, 8, "progress");
			const state = bytes[7];
			if (state !== 1 && state !== 2) fail(`progress state ${state}`);
			return { kind: "progress", rollout: readU32(bytes, 1), device: readU16(bytes, 5), state };
		}
		case Code.Rollout:
			length(bytes, 5 + OFFER_LENGTH, "rollout");
			return { kind: "rollout", action: readU32(bytes, 1), offer: bytes.slice(5) };
		case Code.Chunks:
			if (bytes.length < 8) fail(`chunks: ${bytes.length} bytes`);
			return { kind: "chunks", rollout: readU32(bytes, 1), first: readU16(bytes, 5), bytes: bytes.slice(7) };
		case Code.RolloutStop:
			length(bytes, 5, "rollout-stop");
			return { kind: "rollout-stop", rollout: readU32(bytes, 1) };
		default:
			return fail(`code ${bytes[0]}`);
	}
}
