/**
 * The unicast commands a pairwise session carries, and their codec. A command is the
 * plaintext of one session frame (picket/link/session), so it is only ever decoded after
 * its frame authenticated; it is still parsed defensively ("bad-command") because nothing
 * from the air may crash a device.
 *
 * | code | command     | body (all integers big-endian)                                  | body bytes |
 * |------|-------------|-----------------------------------------------------------------|------------|
 * | 0x01 | acknowledge | alert source u16 ‖ alert sequence u32                           | 6          |
 * | 0x02 | silence     | seconds u16 (0 = until the next alert)                          | 2          |
 * | 0x03 | key-epoch   | epoch u32 ‖ network key (16) ‖ groups u32 (bit g = key for g    | 24 + 16·k  |
 * |      |             | follows) ‖ k group keys (16 each), ascending group number       |            |
 *
 * Byte 0 of the plaintext is the code; the body follows. Key-epoch delivery carries only
 * the keys of the receiver's groups (R5); with the 250-byte ESP-NOW limit one frame holds
 * at most KEY_EPOCH_GROUPS_PER_COMMAND group keys, and a member of more groups gets
 * several key-epoch commands, each with the network key and a disjoint part of its groups.
 */
import { PicketError } from "picket/core/picket-error";
import { LINK_KEY_LENGTH, MAX_GROUP } from "picket/link/key-schedule";

export type SessionCommandErrorCode = "bad-command";

export const enum SessionCommandCode {
	Acknowledge = 0x01,
	Silence = 0x02,
	KeyEpoch = 0x03,
}

export interface GroupKey {
	readonly group: number;
	readonly key: Uint8Array;
}

export type SessionCommand =
	| { readonly kind: "acknowledge"; readonly source: number; readonly sequence: number }
	| { readonly kind: "silence"; readonly seconds: number }
	| { readonly kind: "key-epoch"; readonly epoch: number; readonly networkKey: Uint8Array; readonly groupKeys: readonly GroupKey[] };

/** 250 (ESP-NOW) − 13 (session frame overhead) − 1 (code) − 24 (key-epoch fixed body) = 212 = 13 × 16 + 4. */
export const KEY_EPOCH_GROUPS_PER_COMMAND = 13;

function fail(message: string): never {
	throw new PicketError<SessionCommandErrorCode>("bad-command", message);
}

function checkInteger(name: string, value: number, max: number): void {
	if (!Number.isInteger(value) || value < 0 || value > max) fail(`${name} ${value} outside 0..${max}`);
}

export function encodeSessionCommand(command: SessionCommand): Uint8Array {
	switch (command.kind) {
		case "acknowledge": {
			checkInteger("source", command.source, 0xffff);
			checkInteger("sequence", command.sequence, 0xffffffff);
			const bytes = new Uint8Array(7);
			const view = new DataView(bytes.buffer);
			bytes[0] = SessionCommandCode.Acknowledge;
			view.setUint16(1, command.source);
			view.setUint32(3, command.sequence);
			return bytes;
		}
		case "silence": {
			checkInteger("seconds", command.seconds, 0xffff);
			const bytes = new Uint8Array(3);
			bytes[0] = SessionCommandCode.Silence;
			new DataView(bytes.buffer).setUint16(1, command.seconds);
			return bytes;
		}
		case "key-epoch": {
			checkInteger("epoch", command.epoch, 0xffffffff);
			if (command.networkKey.length !== LINK_KEY_LENGTH) fail("network key must be 16 bytes");
			if (command.groupKeys.length > KEY_EPOCH_GROUPS_PER_COMMAND) fail(`more than ${KEY_EPOCH_GROUPS_PER_COMMAND} group keys`);
			const sorted = command.groupKeys.slice().sort((a, b) => a.group - b.group);
			let mask = 0;
			for (const { group, key } of sorted) {
				checkInteger("group", group, MAX_GROUP);
				if (((mask >>> group) & 1) === 1) fail(`group ${group} twice`);
				if (key.length !== LINK_KEY_LENGTH) fail(`group ${group} key must be 16 bytes`);
				mask = (mask | (1 << group)) >>> 0;
			}
			const bytes = new Uint8Array(25 + LINK_KEY_LENGTH * sorted.length);
			const view = new DataView(bytes.buffer);
			bytes[0] = SessionCommandCode.KeyEpoch;
			view.setUint32(1, command.epoch);
			bytes.set(command.networkKey, 5);
			view.setUint32(21, mask);
			sorted.forEach(({ key }, index) => bytes.set(key, 25 + LINK_KEY_LENGTH * index));
			return bytes;
		}
	}
}

export function decodeSessionCommand(bytes: Uint8Array): SessionCommand {
	if (bytes.length === 0) fail("empty");
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	switch (bytes[0]) {
		case SessionCommandCode.Acknowledge:
			if (bytes.length !== 7) fail(`acknowledge is 7 bytes, not ${bytes.length}`);
			return { kind: "acknowledge", source: view.getUint16(1), sequence: view.getUint32(3) };
		case SessionCommandCode.Silence:
			if (bytes.length !== 3) fail(`silence is 3 bytes, not ${bytes.length}`);
			return { kind: "silence", seconds: view.getUint16(1) };
		case SessionCommandCode.KeyEpoch: {
			if (bytes.length < 25) fail("key-epoch shorter than its fixed part");
			const mask = view.getUint32(21);
			const groupKeys: GroupKey[] = [];
			for (let group = 0; group <= MAX_GROUP; group++) {
				if (((mask >>> group) & 1) === 0) continue;
				const offset = 25 + LINK_KEY_LENGTH * groupKeys.length;
				groupKeys.push({ group, key: bytes.slice(offset, offset + LINK_KEY_LENGTH) });
			}
			if (groupKeys.length > KEY_EPOCH_GROUPS_PER_COMMAND || bytes.length !== 25 + LINK_KEY_LENGTH * groupKeys.length) {
				fail(`key-epoch length ${bytes.length} does not match its ${groupKeys.length} groups`);
			}
			return { kind: "key-epoch", epoch: view.getUint32(1), networkKey: bytes.slice(5, 21), groupKeys };
		}
		default:
			fail(`unknown command code ${bytes[0]}`);
	}
}

/**
 * The key-epoch commands that deliver `epoch` to one member: the network key in each, its
 * group keys split KEY_EPOCH_GROUPS_PER_COMMAND at a time (one command when it has none).
 */
export function keyEpochCommands(epoch: number, networkKey: Uint8Array, groupKeys: readonly GroupKey[]): SessionCommand[] {
	const sorted = groupKeys.slice().sort((a, b) => a.group - b.group);
	const commands: SessionCommand[] = [];
	for (let start = 0; start === 0 || start < sorted.length; start += KEY_EPOCH_GROUPS_PER_COMMAND) {
		commands.push({ kind: "key-epoch", epoch, networkKey, groupKeys: sorted.slice(start, start + KEY_EPOCH_GROUPS_PER_COMMAND) });
	}
	return commands;
}
