/**
 * Provisioning of a simulated domain, in process: a domain id and secret drawn from the
 * run's seed, the key schedule of picket/link/key-schedule for one key epoch, and each
 * device's roster entry (member id, static X25519 key pair, role, groups).
 *
 * This is the one place to switch to the provisioning tool's programmatic API (signed
 * roster, bundles, keystore) when it is merged: the simulation only needs, per device, its
 * Membership view, its EpochKeys and its static key pair.
 */
import type { CryptoSuite, X25519KeyPair } from "picket/crypto/crypto-suite";
import { deriveGroupKey, deriveNetworkKey } from "picket/link/key-schedule";
import type { Member, Membership } from "picket/link/membership";
import type { EpochKeys } from "picket/link/secure-link";
import type { Scenario } from "picket/hosts/sim/scenario";
import type { SeededRandom } from "picket/hosts/sim/seeded-random";

export interface ProvisionedDevice {
	readonly memberId: number;
	readonly member: Member;
	readonly staticKeys: X25519KeyPair;
	/** Network key plus the group keys of its groups only: a relay gets the network key alone. */
	readonly keys: EpochKeys;
}

export interface ProvisionedDomain {
	readonly domainId: Uint8Array;
	readonly epoch: number;
	readonly membership: Membership;
	/** In scenario order. */
	readonly devices: readonly ProvisionedDevice[];
}

export const FIRST_EPOCH = 1;

/** Group mask from group names (a group's number is its index in scenario.groups). */
export function groupMask(scenario: Scenario, names: readonly string[]): number {
	let mask = 0;
	for (const name of names) mask = (mask | (1 << scenario.groups.indexOf(name))) >>> 0;
	return mask;
}

export function provisionDomain(scenario: Scenario, random: SeededRandom, crypto: CryptoSuite): ProvisionedDomain {
	const domainId = random.fill(new Uint8Array(8));
	const domainSecret = random.fill(new Uint8Array(32));
	const epoch = FIRST_EPOCH;
	const networkKey = deriveNetworkKey(crypto, domainId, domainSecret, epoch);
	const groupKeys = scenario.groups.map((_, group) => deriveGroupKey(crypto, domainId, domainSecret, epoch, group));
	const members = new Map<number, Member>();
	const devices = scenario.devices.map((device, index): ProvisionedDevice => {
		// Member ids start at 1; 0 is left unused so a zeroed header never names a member.
		const memberId = index + 1;
		const staticKeys = crypto.x25519KeyPair();
		const member: Member = { id: memberId, staticPublicKey: staticKeys.publicKey, role: device.role, groups: groupMask(scenario, device.groups) };
		members.set(memberId, member);
		const deviceGroupKeys = new Map<number, Uint8Array>();
		for (const name of device.groups) {
			const group = scenario.groups.indexOf(name);
			deviceGroupKeys.set(group, groupKeys[group]);
		}
		return { memberId, member, staticKeys, keys: { epoch, networkKey, groupKeys: deviceGroupKeys } };
	});
	const membership: Membership = { epoch, member: (id) => members.get(id) };
	return { domainId, epoch, membership, devices };
}
