/**
 * A gateway instance's wire to the command post in the Moddable simulator: TCP to
 * 127.0.0.1:PICKET_SIM_POST_PORT through ECMA-419 `embedded:io/socket/tcp`, standing in for
 * the ESP32 gateway's UART (hosts/esp32/target-host.ts serialPostLink). Bytes written before
 * the socket is writable wait; a lost connection is reopened at the next write, and the
 * gateway bridge's own retry (picket/gateway/gateway-start) then runs a new handshake.
 */
import TCP from "embedded:io/socket/tcp";
import type { Logger, PostLinkPort } from "picket/device/host-bindings";

export function tcpPostLink(port: number, log: Logger): PostLinkPort {
	let receiver: ((bytes: Uint8Array) => void) | undefined;
	let socket: TCP | undefined;
	let room = 0;
	const waiting: Uint8Array[] = [];
	const flush = (): void => {
		while (socket !== undefined && room > 0 && waiting.length > 0) {
			const chunk = waiting[0];
			const length = Math.min(room, chunk.length);
			socket.write(chunk.subarray(0, length));
			room -= length;
			if (length === chunk.length) waiting.shift();
			else waiting[0] = chunk.subarray(length);
		}
	};
	const open = (): void => {
		room = 0;
		socket = new TCP({
			address: "127.0.0.1",
			port,
			nodelay: true,
			format: "buffer",
			onReadable(count) {
				const bytes = this.read(count);
				if (bytes instanceof ArrayBuffer) receiver?.(new Uint8Array(bytes));
			},
			onWritable(count) {
				room = count;
				flush();
			},
			onError() {
				log.warn(`post link: tcp 127.0.0.1:${port} lost`);
				socket?.close();
				socket = undefined;
			},
		});
	};
	return {
		write(bytes) {
			waiting.push(bytes);
			if (socket === undefined) open();
			flush();
		},
		onReceive(next) {
			receiver = next;
		},
	};
}
