/**
 * The unicast commands a pairwise session carries, and their one codec. A command is the
 * plaintext of one session frame (picket/link/session), so it is only ever decoded after
 * its frame authenticated; it is still parsed defensively ("bad-command",
 * "bad-command-length") because nothing from the air may crash a device.
 *
 * | code | command        | body (integers big-endian)                               | body bytes |
 * |------|----------------|----------------------------------------------------------|------------|
 * | 0x01 | acknowledge    | incident u16 ‖ origin u16 (member id of the alert's sender) | 4       |
 * | 0x02 | silence        | incident u16 ‖ origin u16                                 | 4          |
 * | 0x03 | epoch-delivery | chunk index u8 ‖ chunk count u8 ‖ 1..222 bytes of a sealed | 3..224     |
 * |      |                | key-epoch delivery (picket/provisioning/epoch-delivery)   |            |
 * | 0x04 | delivery-ack   | epoch u32: the key epoch the sender now holds, after a    | 4          |
 * |      |                | delivery from this peer opened (picket/link/delivery-tracker) |        |
 *
 * Byte 0 of the plaintext is the code; the body follows.
 *
 * Acknowledge and silence name an incident (picket/device/alert-payload), not an alert
 * frame: every repeat of an incident is a new frame with a new sequence, and the responder
 * means the incident, whichever repeat reached it.
 *
 * A key epoch travels as the sealed delivery the provisioning tool made for the receiver
 * (sealed end to end under the receiver's delivery key): the member carrying it can
 * neither read nor alter the keys, so one mechanism serves the tool and every carrier.
 * It is roster-sized, so it is cut into chunks of at most EPOCH_DELIVERY_CHUNK_MAX bytes
 * (250 − 12 mesh envelope − 13 session overhead − 3 command header: a chunk crosses relays
 * too, picket/link/mesh-envelope); the receiver reassembles them
 * (picket/link/pairwise-sessions) and hands the whole delivery to the keystore.
 */
import { readU16, readU32, writeU16, writeU32 } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { RADIO_FRAME_MAX } from "picket/device/radio";

export type SessionCommandErrorCode = "bad-command" | "bad-command-length";

export const enum SessionCommandCode {
	Acknowledge = 0x01,
	Silence = 0x02,
	EpochDelivery = 0x03,
	DeliveryAck = 0x04,
}

/** What one member's alarm policy tells another's about an incident. */
export interface AlarmCommand {
	readonly kind: "acknowledge" | "silence";
	readonly incident: number;
	/** The member whose alert this command is about. */
	readonly origin: number;
}

/** One piece of a sealed key-epoch delivery. */
export interface EpochDeliveryChunk {
	readonly kind: "epoch-delivery";
	readonly index: number;
	readonly count: number;
	readonly bytes: Uint8Array;
}

/** "Your delivery reached me; I hold key epoch `epoch`": ends the carrier's retransmissions. */
export interface DeliveryAck {
	readonly kind: "delivery-ack";
	readonly epoch: number;
}

export type SessionCommand = AlarmCommand | EpochDeliveryChunk | DeliveryAck;

/** Session frame overhead (picket/link/session: 5 B header + 8 B tag) and the mesh envelope's (12 B), restated here to size the chunks. */
const SESSION_FRAME_OVERHEAD = 13;
const MESH_ENVELOPE_OVERHEAD = 12;
const ALARM_COMMAND_LENGTH = 5;
const DELIVERY_ACK_LENGTH = 5;
const CHUNK_HEADER_LENGTH = 3;
export const EPOCH_DELIVERY_CHUNK_MAX = RADIO_FRAME_MAX - MESH_ENVELOPE_OVERHEAD - SESSION_FRAME_OVERHEAD - CHUNK_HEADER_LENGTH; // 222
export const EPOCH_DELIVERY_CHUNKS_MAX = 255;

function fail(code: SessionCommandErrorCode, message: string): never {
	throw new PicketError<SessionCommandErrorCode>(code, message);
}

function checkU16(name: string, value: number): void {
	if (!Number.isInteger(value) || value < 0 || value > 0xffff) fail("bad-command", `${name} ${value} outside 0..65535`);
}

export function encodeSessionCommand(command: SessionCommand): Uint8Array {
	switch (command.kind) {
		case "acknowledge":
		case "silence": {
			checkU16("incident", command.incident);
			checkU16("origin", command.origin);
			const code = command.kind === "acknowledge" ? SessionCommandCode.Acknowledge : SessionCommandCode.Silence;
			const bytes = Uint8Array.of(code, 0, 0, 0, 0);
			writeU16(bytes, 1, command.incident);
			writeU16(bytes, 3, command.origin);
			return bytes;
		}
		case "epoch-delivery": {
			const { index, count, bytes } = command;
			if (!Number.isInteger(count) || count < 1 || count > EPOCH_DELIVERY_CHUNKS_MAX) fail("bad-command", `chunk count ${count}`);
			if (!Number.isInteger(index) || index < 0 || index >= count) fail("bad-command", `chunk ${index} of ${count}`);
			if (bytes.length < 1 || bytes.length > EPOCH_DELIVERY_CHUNK_MAX) fail("bad-command-length", `chunk of ${bytes.length} bytes`);
			const plaintext = new Uint8Array(CHUNK_HEADER_LENGTH + bytes.length);
			plaintext[0] = SessionCommandCode.EpochDelivery;
			plaintext[1] = index;
			plaintext[2] = count;
			plaintext.set(bytes, CHUNK_HEADER_LENGTH);
			return plaintext;
		}
		case "delivery-ack": {
			if (!Number.isInteger(command.epoch) || command.epoch < 0 || command.epoch > 0xffffffff) fail("bad-command", `epoch ${command.epoch}`);
			const bytes = new Uint8Array(DELIVERY_ACK_LENGTH);
			bytes[0] = SessionCommandCode.DeliveryAck;
			writeU32(bytes, 1, command.epoch);
			return bytes;
		}
	}
}

export function decodeSessionCommand(bytes: Uint8Array): SessionCommand {
	if (bytes.length === 0) fail("bad-command-length", "empty");
	switch (bytes[0]) {
		case SessionCommandCode.Acknowledge:
		case SessionCommandCode.Silence:
			if (bytes.length !== ALARM_COMMAND_LENGTH) fail("bad-command-length", `${bytes.length} bytes, not ${ALARM_COMMAND_LENGTH}`);
			return {
				kind: bytes[0] === SessionCommandCode.Acknowledge ? "acknowledge" : "silence",
				incident: readU16(bytes, 1),
				origin: readU16(bytes, 3),
			};
		case SessionCommandCode.EpochDelivery: {
			if (bytes.length <= CHUNK_HEADER_LENGTH || bytes.length > CHUNK_HEADER_LENGTH + EPOCH_DELIVERY_CHUNK_MAX) fail("bad-command-length", `chunk command of ${bytes.length} bytes`);
			const index = bytes[1];
			const count = bytes[2];
			if (count === 0 || index >= count) fail("bad-command", `chunk ${index} of ${count}`);
			return { kind: "epoch-delivery", index, count, bytes: bytes.slice(CHUNK_HEADER_LENGTH) };
		}
		case SessionCommandCode.DeliveryAck:
			if (bytes.length !== DELIVERY_ACK_LENGTH) fail("bad-command-length", `${bytes.length} bytes, not ${DELIVERY_ACK_LENGTH}`);
			return { kind: "delivery-ack", epoch: readU32(bytes, 1) };
		default:
			return fail("bad-command", `unknown command code ${bytes[0]}`);
	}
}

/** Cuts a sealed key-epoch delivery into the chunk commands that carry it, in order. */
export function epochDeliveryChunks(delivery: Uint8Array): EpochDeliveryChunk[] {
	const count = Math.ceil(delivery.length / EPOCH_DELIVERY_CHUNK_MAX);
	if (count < 1 || count > EPOCH_DELIVERY_CHUNKS_MAX) fail("bad-command-length", `delivery of ${delivery.length} bytes`);
	const chunks: EpochDeliveryChunk[] = [];
	for (let index = 0; index < count; index++) {
		chunks.push({ kind: "epoch-delivery", index, count, bytes: delivery.subarray(index * EPOCH_DELIVERY_CHUNK_MAX, (index + 1) * EPOCH_DELIVERY_CHUNK_MAX) });
	}
	return chunks;
}
