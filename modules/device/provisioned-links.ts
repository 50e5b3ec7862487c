/**
 * The seam between the device app and the two modules being written on other branches:
 * the keystore (`picket/provisioning/keystore`: `loadCredentials(storage, crypto)`) and the
 * link layer (`picket/link/secure-link`: `SecureLink`; `picket/link/session`). Until they
 * are merged, both functions throw "not-integrated" so that an unfinished build says so
 * instead of running with stand-ins; main.ts is already wired to them.
 *
 * Intended bodies (for the merge):
 *   loadProvisioning: const credentials = loadCredentials(host.storage, host.crypto);
 *     return { identity: { memberId: credentials.deviceId, role: credentials.self.role }, credentials };
 *   createProvisionedLinks: const link = new SecureLink({ crypto, storage, random, membership: credentials.roster,
 *     self: credentials.deviceId }); link.installEpoch({ epoch, networkKey, groupKeys }, { keepPrevious: false });
 *     sessions/commands: the session layer's handshake manager, adapted to SessionPort + CommandChannel.
 */
import { PicketError } from "picket/core/picket-error";
import type { DeviceIdentity, DeviceLinks, LinkContext } from "picket/device/device-node";
import type { HostBindings } from "picket/device/host-bindings";

export type IntegrationErrorCode = "not-integrated";

/** What main.ts needs from provisioning: who the device is, and the opaque credentials the links need. */
export interface DeviceProvisioning {
	readonly identity: DeviceIdentity;
	readonly credentials: unknown;
}

export function loadProvisioning(host: HostBindings): DeviceProvisioning {
	throw new PicketError<IntegrationErrorCode>("not-integrated", `keystore not merged yet (target ${host.target})`);
}

export function createProvisionedLinks(context: LinkContext, provisioning: DeviceProvisioning): DeviceLinks {
	throw new PicketError<IntegrationErrorCode>("not-integrated", `secure link not merged yet (member ${provisioning.identity.memberId} on ${context.host.target})`);
}
