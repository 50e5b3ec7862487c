/**
 * A small domain built without Node, for the portable provisioning cases: the authority
 * signs with noble's P-256 (RFC 6979 deterministic nonces, so no random source is needed
 * on XS), keys come from the key schedule over the software suite and a seeded generator.
 * The host tool (tools/provisioning/domain-store.ts) does the same with node:crypto.
 */
import { p256 } from "@noble/curves/nist.js";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { createSoftwareSuite } from "picket/crypto/software-suite";
import { deriveDeliveryKey, deriveGroupKey, deriveHandshakePsk, deriveNetworkKey } from "picket/link/key-schedule";
import { encodeBundle } from "picket/provisioning/bundle";
import { sealEpochDelivery } from "picket/provisioning/epoch-delivery";
import type { Member, MemberRole } from "picket/link/membership";
import { attachRosterSignature, encodeRosterBody, groupsOf } from "picket/provisioning/roster";
import { createSeededRandom } from "picket/test/support/seeded-random";

export interface FixtureDevice {
	readonly id: number;
	readonly role: MemberRole;
	readonly groups: number;
	readonly secretKey: Uint8Array;
	readonly publicKey: Uint8Array;
}

export class FixtureDomain {
	readonly crypto: CryptoSuite;
	readonly domainId: Uint8Array;
	readonly domainSecret: Uint8Array;
	readonly authoritySecretKey: Uint8Array;
	readonly authorityPublicKey: Uint8Array;
	readonly devices: FixtureDevice[] = [];

	constructor(seed: number) {
		this.crypto = createSoftwareSuite(createSeededRandom(seed));
		this.domainId = this.crypto.randomBytes(8);
		this.domainSecret = this.crypto.randomBytes(32);
		let secret = this.crypto.randomBytes(32);
		while (!p256.utils.isValidSecretKey(secret)) secret = this.crypto.randomBytes(32);
		this.authoritySecretKey = secret;
		this.authorityPublicKey = p256.getPublicKey(secret, false);
	}

	add(id: number, role: MemberRole, groups: number): FixtureDevice {
		const { secretKey, publicKey } = this.crypto.x25519KeyPair();
		const device = { id, role, groups, secretKey, publicKey };
		this.devices.push(device);
		return device;
	}

	sign(body: Uint8Array): Uint8Array {
		return p256.sign(body, this.authoritySecretKey, { prehash: true, extraEntropy: false }).toCompactRawBytes();
	}

	roster(epoch: number, members: readonly FixtureDevice[] = this.devices): Uint8Array {
		const entries: Member[] = members.map(({ id, role, groups, publicKey }) => ({ id, role, groups, staticPublicKey: publicKey }));
		const body = encodeRosterBody({ domainId: this.domainId, epoch, members: entries });
		return attachRosterSignature(body, this.sign(body));
	}

	keys(epoch: number, groups: number) {
		const { crypto, domainId, domainSecret } = this;
		return {
			handshakePsk: deriveHandshakePsk(crypto, domainId, domainSecret, epoch),
			networkKey: deriveNetworkKey(crypto, domainId, domainSecret, epoch),
			groupKeys: groupsOf(groups).map((group) => ({ group, key: deriveGroupKey(crypto, domainId, domainSecret, epoch, group) })),
		};
	}

	bundle(device: FixtureDevice, epoch: number, roster: Uint8Array = this.roster(epoch)): Uint8Array {
		return encodeBundle(
			{
				deviceId: device.id,
				domainId: this.domainId,
				epoch,
				staticSecretKey: device.secretKey,
				authorityPublicKey: this.authorityPublicKey,
				deliveryKey: deriveDeliveryKey(this.crypto, this.domainId, this.domainSecret, device.id),
				roster,
				...this.keys(epoch, device.groups),
			},
			this.crypto,
		);
	}

	delivery(device: FixtureDevice, epoch: number, roster: Uint8Array): Uint8Array {
		const deliveryKey = deriveDeliveryKey(this.crypto, this.domainId, this.domainSecret, device.id);
		return sealEpochDelivery(this.crypto, deliveryKey, { deviceId: device.id, epoch, roster, ...this.keys(epoch, device.groups) }, this.crypto.randomBytes(13));
	}
}
