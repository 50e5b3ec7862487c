/**
 * Bytes for an ECMA-419 stream (the gateway's UART on the ESP32, its TCP socket in the
 * Moddable simulator) that takes only as many bytes as its last `onWritable` offered: what
 * does not fit waits, in order, for the next `onWritable`. One queue for both wires to the
 * command post (hosts/esp32/target-host.ts, hosts/moddable-sim/tcp-post-link.ts).
 */
export class WritePacer {
	readonly #waiting: Uint8Array[] = [];
	#room = 0;
	#sink: ((bytes: Uint8Array) => void) | undefined;

	/** Queues `bytes` after what waits, and writes what the stream has room for. */
	push(bytes: Uint8Array): void {
		this.#waiting.push(bytes);
		this.#flush();
	}

	/** The stream's `onWritable`: `count` bytes may go to `sink` now. */
	writable(count: number, sink: (bytes: Uint8Array) => void): void {
		this.#room = count;
		this.#sink = sink;
		this.#flush();
	}

	/** The stream closed (or a new one opens): nothing is written until its first `onWritable`. */
	reset(): void {
		this.#room = 0;
		this.#sink = undefined;
	}

	#flush(): void {
		const sink = this.#sink;
		while (sink !== undefined && this.#room > 0 && this.#waiting.length > 0) {
			const chunk = this.#waiting[0];
			const length = Math.min(this.#room, chunk.length);
			sink(chunk.subarray(0, length));
			this.#room -= length;
			if (length === chunk.length) this.#waiting.shift();
			else this.#waiting[0] = chunk.subarray(length);
		}
	}
}
