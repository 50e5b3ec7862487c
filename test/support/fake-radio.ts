/** A Radio for portable cases: a case delivers frames to it and reads back what it wrote. */
import { PicketError } from "picket/core/picket-error";
import { RADIO_FRAME_MAX, type Radio, type RadioFactory, type RadioOptions } from "picket/device/radio";

export class FakeRadio implements Radio {
	readonly mac = Uint8Array.of(2, 0, 0, 0, 0, 1);
	readonly written: { to: Uint8Array; payload: Uint8Array }[] = [];
	#queue: Uint8Array[] = [];
	#options: RadioOptions = {};
	closed = false;

	/** A RadioFactory that hands out this radio. */
	readonly factory: RadioFactory = (options) => {
		this.#options = options;
		return this;
	};

	write(to: Uint8Array, payload: Uint8Array): void {
		if (payload.length > RADIO_FRAME_MAX) throw new PicketError("frame-too-long", `${payload.length} bytes`);
		this.written.push({ to, payload });
	}

	read() {
		const payload = this.#queue.shift();
		return payload === undefined ? undefined : { from: Uint8Array.of(2, 0, 0, 0, 0, 9), payload, rssi: -60 };
	}

	close(): void {
		this.closed = true;
	}

	/** A frame arrives from the air. */
	deliver(payload: Uint8Array): void {
		this.#queue.push(payload);
		this.#options.onReadable?.(this.#queue.length);
	}
}
