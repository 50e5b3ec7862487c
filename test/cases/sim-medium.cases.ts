import { isPicketError } from "picket/core/picket-error";
import { BROADCAST_MAC, type ReceivedFrame, type SendResult } from "picket/device/radio";
import { ESPNOW_PEER_LIST_SIZE } from "picket/device/radio";
import { Medium, SEND_RESULT_SLOTS, type SimulatedRadio, espNowAirtimeMs, type MediumOptions } from "picket/hosts/sim/medium";
import { SeededRandom } from "picket/hosts/sim/seeded-random";
import { VirtualClock } from "picket/hosts/sim/virtual-clock";
import { portableCases } from "picket/test/harness/portable";

interface Node {
	readonly received: ReceivedFrame[];
	readonly sent: SendResult[];
	/** The count each onReadable call reported. */
	readonly notified: number[];
	write(to: Uint8Array, payload: Uint8Array): void;
	readonly mac: Uint8Array;
	readonly radio: SimulatedRadio;
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
		const notified: number[] = [];
		const radio = medium.openRadio(station, {
			onReadable: (count) => {
				notified.push(count);
				for (let frame = radio.read(); frame !== undefined; frame = radio.read()) received.push(frame);
			},
			onWritable: (result) => sent.push(result),
		});
		return { received, sent, notified, radio, mac: radio.mac, write: (to: Uint8Array, payload: Uint8Array) => radio.write(to, payload) };
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

	// The limits of hosts/esp32/espnow/espnow.c over ESP-NOW, modelled by each simulated radio.

	test("a 21st unicast peer works: ESP-NOW's 20-entry peer list keeps the broadcast peer and evicts the least recently used", (t) => {
		const { clock, nodes } = line(Array.from({ length: 23 }, (_, i) => i));
		const [sender, ...others] = nodes;
		const unicastSlots = ESPNOW_PEER_LIST_SIZE - 1;
		const send = (node: Node, payload: number) => {
			sender!.write(node.mac, Uint8Array.of(payload));
			clock.runUntilIdle();
		};
		for (let i = 0; i < unicastSlots; i++) send(others[i]!, i);
		t.is(sender!.radio.counts.peersEvicted, 0);
		send(others[0]!, 100); // the first peer is now the most recently used
		send(others[unicastSlots]!, 101); // the 20th unicast destination: evicts the second peer, not the first
		t.is(sender!.radio.counts.peersEvicted, 1);
		send(others[0]!, 102); // still in the list
		t.is(sender!.radio.counts.peersEvicted, 1);
		send(others[1]!, 103); // evicted before: back in, another out
		t.is(sender!.radio.counts.peersEvicted, 2);
		send(others[unicastSlots + 1]!, 104); // the 21st distinct destination
		t.is(sender!.radio.counts.peersEvicted, 3);
		sender!.write(BROADCAST_MAC, Uint8Array.of(105)); // the broadcast peer was never evicted
		clock.runUntilIdle();
		t.true(others.every((node) => node.received.some((frame) => frame.payload[0] === 105)));
		t.true(sender!.sent.every((result) => result.delivered));
		t.is(others[unicastSlots + 1]!.received.filter((frame) => frame.payload[0] === 104).length, 1);
	});

	test("while every unicast peer has a send in flight a new destination is radio-busy; a returned status makes room", (t) => {
		const { clock, nodes } = line(Array.from({ length: 21 }, (_, i) => i));
		const [sender, ...others] = nodes;
		for (let i = 0; i < ESPNOW_PEER_LIST_SIZE - 1; i++) sender!.write(others[i]!.mac, Uint8Array.of(i)); // none sent yet
		const error = t.throws(() => sender!.write(others[ESPNOW_PEER_LIST_SIZE - 1]!.mac, Uint8Array.of(99)), { code: "radio-busy" });
		t.true(isPicketError(error));
		sender!.write(BROADCAST_MAC, Uint8Array.of(98)); // broadcast needs no unicast entry
		clock.runUntilIdle();
		sender!.write(others[ESPNOW_PEER_LIST_SIZE - 1]!.mac, Uint8Array.of(99));
		clock.runUntilIdle();
		t.is(sender!.radio.counts.peersEvicted, 1);
		t.is(others[ESPNOW_PEER_LIST_SIZE - 1]!.received.filter((frame) => frame.payload[0] === 99).length, 1);
	});

	test("frames arriving while a notification is pending fill the 8-frame receive queue; the rest are dropped and counted", (t) => {
		const { clock, medium, nodes } = line(Array.from({ length: 13 }, (_, i) => i), { notificationDelayMs: 50 });
		const [receiver, ...senders] = nodes;
		senders.forEach((node, i) => clock.schedule(() => node.write(receiver!.mac, Uint8Array.of(i)), i * 2));
		clock.runUntilIdle();
		t.is(medium.receiveQueueLimit, 8);
		t.deepEqual(receiver!.notified, [8]); // one notification, however many frames
		t.is(receiver!.received.length, 8);
		t.is(receiver!.radio.counts.framesDropped, 4);
		t.is(medium.statistics.losses["queue-full"], 4);
		t.is(receiver!.radio.counts.notificationsDropped, 0);
	});

	test("a notification that cannot be posted is counted; the frames wait and the next frame's notification brings them all", (t) => {
		const { clock, medium, nodes } = line([0, 1], { notificationDelayMs: 1, notificationLossProbability: 1 });
		const [receiver, sender] = nodes;
		for (let i = 0; i < 3; i++) sender!.write(receiver!.mac, Uint8Array.of(i));
		clock.runUntilIdle();
		t.is(receiver!.received.length, 0);
		t.is(receiver!.radio.counts.notificationsDropped, 3); // each frame tried again: the flag was cleared
		medium.notificationLossProbability = 0;
		sender!.write(receiver!.mac, Uint8Array.of(3));
		clock.runUntilIdle();
		t.deepEqual(receiver!.notified, [4]);
		t.deepEqual(receiver!.received.map((frame) => frame.payload[0]), [0, 1, 2, 3]);
	});

	test("send statuses wait per destination, the latest one, for at most 8 destinations; more are dropped and counted", (t) => {
		const { clock, nodes } = line(Array.from({ length: 11 }, (_, i) => i), { notificationDelayMs: 100 });
		const [sender, ...others] = nodes;
		for (let i = 0; i < 3; i++) sender!.write(others[0]!.mac, Uint8Array.of(i)); // a burst to one peer
		for (const node of others.slice(1)) sender!.write(node.mac, Uint8Array.of(9)); // 9 more destinations
		clock.runUntilIdle();
		t.is(SEND_RESULT_SLOTS, 8);
		t.is(sender!.sent.length, 8);
		t.is(sender!.sent.filter((result) => result.to[5] === others[0]!.mac[5]).length, 1);
		t.is(sender!.radio.counts.sendResultsDropped, 2);
		t.true(others.every((node) => node.received.length > 0)); // the frames themselves all went out
	});
});
