import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { VirtualClock } from "picket/hosts/sim/virtual-clock";
import { VirtualGpio } from "picket/hosts/sim/virtual-gpio";
import { portableCases } from "picket/test/harness/portable";

export default portableCases("sim/host-doubles", (test) => {
	test("memory storage keeps copies and enforces the Storage limits", (t) => {
		const storage = new MemoryStorage();
		const value = Uint8Array.of(1, 2, 3);
		storage.write("picket", "seq", value);
		value[0] = 9;
		t.deepEqual(storage.read("picket", "seq"), Uint8Array.of(1, 2, 3));
		t.deepEqual(storage.keys("picket"), ["seq"]);
		t.throws(() => storage.write("picket", "a-key-too-long", value), { code: "bad-name" });
		t.throws(() => storage.write("picket", "big", new Uint8Array(3992)), { code: "value-too-long" });
		storage.delete("picket", "seq");
		t.is(storage.read("picket", "seq"), undefined);
	});

	test("a power cut lets the armed flash steps land and refuses the rest; writes count only what completed", (t) => {
		const storage = new MemoryStorage();
		storage.cutPowerAfter(1);
		storage.write("picket", "a", Uint8Array.of(1)); // one step: a program (nothing to erase)
		t.throws(() => storage.write("picket", "b", Uint8Array.of(2)), { code: "power-cut" });
		t.true(storage.powerCut);
		t.throws(() => storage.write("picket", "a", Uint8Array.of(3)), { code: "power-cut" });
		storage.restorePower();
		t.deepEqual(storage.read("picket", "a"), Uint8Array.of(1));
		t.is(storage.read("picket", "b"), undefined);
		t.is(storage.writes, 1);
		t.is(storage.flash.programs, 1);
	});

	test("virtual GPIO delivers edges later, through the clock, and records outputs", (t) => {
		const clock = new VirtualClock();
		const timers = clock.timersFor("d");
		const gpio = new VirtualGpio(timers);
		const edges: number[] = [];
		const pir = gpio.openInput({ pin: 4, mode: "input", edge: "rising", onReadable: () => edges.push(pir.read()) });
		const button = gpio.openInput({ pin: "panic", mode: "input-pull-up", edge: "falling" });
		t.is(button.read(), 1);
		gpio.pulse(4, 1, 500);
		t.deepEqual(edges, []); // not synchronous
		clock.runUntilIdle();
		t.deepEqual(edges, [1]);
		t.is(pir.read(), 0);
		const siren = gpio.openOutput({ pin: "siren", mode: "output" });
		t.throws(() => gpio.openOutput({ pin: "siren", mode: "output" }), { code: "pin-busy" });
		clock.runUntil(1000);
		siren.write(1);
		siren.write(1);
		clock.runUntil(3000);
		siren.write(0);
		t.deepEqual(gpio.history, [
			{ pin: "siren", level: 1, time: 1000 },
			{ pin: "siren", level: 0, time: 3000 },
		]);
		gpio.powerOff();
		t.throws(() => siren.write(1), { code: "pin-closed" });
	});
});
