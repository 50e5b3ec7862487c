import { isPicketError } from "picket/core/picket-error";
import { BROADCAST_MAC, type ReceivedFrame, type SendResult } from "picket/device/radio";
import { Medium, espNowAirtimeMs, type MediumOptions } from "picket/hosts/sim/medium";
import { SeededRandom } from "picket/hosts/sim/seeded-random";
import { VirtualClock } from "picket/hosts/sim/virtual-clock";
import { portableCases } from "picket/test/harness/portable";

interface Node {
	readonly received: ReceivedFrame[];
	readonly sent: SendResult[];
	write(to: Uint8Array, payload: Uint8Array): void;
	readonly mac: Uint8Array;
}

function mac(n: number): Uint8Array {
	return Uint8Array.of(0x02, 0, 0, 0, 0, n);
}

/** Builds a medium with stations at the given x positions (y = 0), each collecting what it receives. */
function line(xs: readonly number[], options: MediumOptions = {}, seed = 1): { clock: VirtualClock; medium: Medium; nodes: Node[] } {
	const clock = new VirtualClock();
	const medium = new Medium(clock, new SeededRandom(seed), { rangeM: 100, ...options });
	const nodes = xs.map((x, i) => {
		const station = medium.addStation(mac(i + 1), { x, y: 0 }, { label: `n${i + 1}` });
		const received: ReceivedFrame[] = [];
		const sent: SendResult[] = [];
		const radio = medium.openRadio(station, {
			onReadable: () => {
				for (let frame = radio.read(); frame !== undefined; frame = radio.read()) received.push(frame);
			},
			onWritable: (result) => sent.push(result),
		});
		return { received, sent, mac: radio.mac, write: (to: Uint8Array, payload: Uint8Array) => radio.write(to, payload) };
	});
	return { clock, medium, nodes };
}

export default portableCases("sim/medium", (test) => {
	test("airtime is ESP-NOW's at 1 Mbps: 192 µs PLCP plus 8 µs per byte of a 43 B + payload frame", (t) => {
		t.is(espNowAirtimeMs(0), 0.192 + 0.344);
		t.is(espNowAirtimeMs(250), 0.192 + 2.344);
	});

	test("a broadcast reaches the stations in range and no others", (t) => {
		const { clock, nodes, medium } = line([0, 60, 100, 150]);
		nodes[0].write(BROADCAST_MAC, Uint8Array.of(1, 2, 3));
		clock.runUntilIdle();
		t.deepEqual(nodes.map((node) => node.received.length), [0, 1, 1, 0]);
		t.deepEqual(nodes[1].received[0].payload, Uint8Array.of(1, 2, 3));
		t.deepEqual(nodes[1].received[0].from, mac(1));
		t.deepEqual(nodes[0].sent, [{ to: BROADCAST_MAC, delivered: true }]);
		t.is(medium.statistics.payloadBytesOnAir, 3);
		t.is(medium.statistics.bytesOnAir, 46);
	});

	test("RSSI falls with distance", (t) => {
		const { clock, nodes } = line([0, 5, 95]);
		nodes[0].write(BROADCAST_MAC, Uint8Array.of(1));
		clock.runUntilIdle();
		t.true(nodes[1].received[0].rssi > nodes[2].received[0].rssi + 10);
	});

	test("a unicast reaches only its destination and is acknowledged", (t) => {
		const { clock, nodes } = line([0, 10, 20]);
		nodes[0].write(mac(3), Uint8Array.of(9));
		clock.runUntilIdle();
		t.deepEqual(nodes.map((node) => node.received.length), [0, 0, 1]);
		t.deepEqual(nodes[0].sent, [{ to: mac(3), delivered: true }]);
	});

	test("a unicast to nobody is retried, then reported undelivered", (t) => {
		const { clock, nodes, medium } = line([0, 10], { unicastRetries: 3 });
		nodes[0].write(mac(9), Uint8Array.of(9));
		clock.runUntilIdle();
		t.deepEqual(nodes[0].sent, [{ to: mac(9), delivered: false }]);
		t.is(medium.statistics.transmissions, 4);
	});

	test("hidden terminals: two senders out of each other's range collide at the station between them", (t) => {
		const { clock, nodes, medium } = line([0, 100, 200]);
		nodes[0].write(BROADCAST_MAC, Uint8Array.of(1));
		nodes[2].write(BROADCAST_MAC, Uint8Array.of(2));
		clock.runUntilIdle();
		t.is(nodes[1].received.length, 0);
		t.is(medium.statistics.losses.collision, 2);
	});

	test("carrier sense: a sender that hears the channel busy waits, and both frames arrive", (t) => {
		const { clock, nodes, medium } = line([0, 50, 90]);
		nodes[0].write(BROADCAST_MAC, new Uint8Array(200));
		clock.runUntil(1.5); // n1's frame is on air from 1 ms (latency) for 2 ms
		nodes[1].write(BROADCAST_MAC, new Uint8Array(200));
		clock.runUntilIdle();
		t.is(nodes[2].received.length, 2);
		t.is(medium.statistics.losses.collision, 0);
	});

	test("without collisions modelled, the hidden terminals both get through", (t) => {
		const { clock, nodes } = line([0, 100, 200], { collisions: false });
		nodes[0].write(BROADCAST_MAC, Uint8Array.of(1));
		nodes[2].write(BROADCAST_MAC, Uint8Array.of(2));
		clock.runUntilIdle();
		t.is(nodes[1].received.length, 2);
	});

	test("loss probability is honoured per receiver (30% over 2,000 frames)", (t) => {
		const { clock, nodes } = line([0, 10], { lossProbability: 0.3 });
		for (let i = 0; i < 2000; i++) {
			nodes[0].write(BROADCAST_MAC, Uint8Array.of(i & 255));
			clock.runUntilIdle();
		}
		const rate = 1 - nodes[1].received.length / 2000;
		t.true(rate > 0.26 && rate < 0.34, `loss ${rate}`);
	});

	test("frames over 250 bytes are refused with a typed error", (t) => {
		const { nodes } = line([0]);
		const error = t.throws(() => nodes[0].write(BROADCAST_MAC, new Uint8Array(251)));
		t.true(isPicketError(error, "frame-too-long"));
	});

	test("the same seed replays the same run", (t) => {
		const run = (seed: number): string => {
			const { clock, nodes, medium } = line([0, 40, 80, 120, 160], { lossProbability: 0.3, jitterMs: 5 }, seed);
			const log: string[] = [];
			medium.observe((event) => log.push(`${event.type}:${event.frameId}@${event.time}`));
			for (const node of nodes) node.write(BROADCAST_MAC, Uint8Array.of(1, 2));
			clock.runUntilIdle();
			return log.join(" ");
		};
		t.is(run(5), run(5));
		t.not(run(5), run(6));
	});

	test("a closed radio receives nothing and its station can open a new one", (t) => {
		const clock = new VirtualClock();
		const medium = new Medium(clock, new SeededRandom(1));
		const a = medium.addStation(mac(1), { x: 0, y: 0 });
		const b = medium.addStation(mac(2), { x: 1, y: 0 });
		const sender = medium.openRadio(a, {});
		const first = medium.openRadio(b, {});
		t.throws(() => medium.openRadio(b, {}), { code: "radio-busy" });
		first.close();
		sender.write(BROADCAST_MAC, Uint8Array.of(1));
		clock.runUntilIdle();
		t.is(medium.statistics.losses["radio-off"], 1);
		const second = medium.openRadio(b, {});
		sender.write(BROADCAST_MAC, Uint8Array.of(2));
		clock.runUntilIdle();
		t.deepEqual(second.read()?.payload, Uint8Array.of(2));
	});
});
