/**
 * `picket/host` for host builds. On a board, main.ts asks `targetHost()` for the one set of
 * HostBindings the board has. The host simulator runs many devices in one process, so
 * there is no single answer: it builds HostBindings per device (its own timers view,
 * radio station, virtual pins, storage and seeded random source) and calls startDevice
 * with each (hosts/sim/domain-simulation.ts).
 */
import { PicketError } from "picket/core/picket-error";
import type { HostBindings } from "picket/device/host-bindings";

export type TargetHostErrorCode = "bindings-per-device";

export function targetHost(): HostBindings {
	throw new PicketError<TargetHostErrorCode>(
		"bindings-per-device",
		"the host simulator runs many devices in one process and passes HostBindings to each one (see hosts/sim/domain-simulation.ts); there is no single target host",
	);
}
