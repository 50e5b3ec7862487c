/**
 * A gateway instance's wire to the command post in the Moddable simulator: TCP to
 * 127.0.0.1:PICKET_SIM_POST_PORT through ECMA-419 `embedded:io/socket/tcp`, standing in for
 * the ESP32 gateway's UART (hosts/esp32/target-host.ts serialPostLink). Bytes written before
 * the socket is writable wait; a lost connection is reopened at the next write, and the
 * gateway bridge's own retry (picket/gateway/gateway-start) then runs a new handshake.
 */
import TCP from "embedded:io/socket/tcp";
import type { Logger, PostLinkPort } from "picket/device/host-bindings";
import { WritePacer } from "picket/gateway/write-pacer";

export function tcpPostLink(port: number, log: Logger): PostLinkPort {
	let receiver: ((bytes: Uint8Array) => void) | undefined;
	let socket: TCP | undefined;
	const pacer = new WritePacer();
	const open = (): void => {
		pacer.reset();
		const opened = new TCP({
			address: "127.0.0.1",
			port,
			nodelay: true,
			format: "buffer",
			onReadable(count) {
				const bytes = this.read(count);
				if (bytes instanceof ArrayBuffer) receiver?.(new Uint8Array(bytes));
			},
			onWritable(count) {
				pacer.writable(count, (bytes) => opened.write(bytes));
			},
			onError() {
				log.warn(`post link: tcp 127.0.0.1:${port} lost`);
				pacer.reset();
				socket?.close();
				socket = undefined;
			},
		});
		socket = opened;
	};
	return {
		write(bytes) {
			if (socket === undefined) open();
			pacer.push(bytes);
		},
		onReceive(next) {
			receiver = next;
		},
	};
}
