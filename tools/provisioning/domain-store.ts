/**
 * The domain authority's state on the operator's laptop, and what it does: enrol devices,
 * sign rosters, issue bundles, revoke. In memory here; sealed under a passphrase for the
 * disk by `sealDomain` / `openDomain` (domain-seal.ts), laid out in a folder by
 * domain-folder.ts. The simulator and tests use this API in process:
 *
 *   const domain = Domain.create({ groups: { motion: 0, panic: 1 }, crypto });
 *   const { id } = domain.addDevice({ role: "sensor", groups: ["motion"] });
 *   const bundle = domain.bundle(id); // after every device is enrolled
 *
 * Keys: network key, group keys, handshake PSK and delivery keys from
 * modules/link/key-schedule.ts; the authority signs rosters with ECDSA P-256 (roster.ts says why), r ‖ s encoding, through an `AuthoritySigner`:
 * the CLI passes node:crypto's (node-signer.ts); the default is noble's P-256 with
 * RFC 6979 deterministic nonces, so this module uses no Node API and the simulator can
 * provision a domain from its seed on Node and on the XS engine alike.
 *
 * The state keeps each device's static X25519 secret key so the tool can re-issue a
 * device's bundle when the roster changes (enrolment of later devices, revocation). That
 * adds little to what the file already must hold (the domain secret and the authority's
 * signing key, from which every other key follows or can be overruled) and is why the
 * file is only ever written encrypted.
 */
import { p256 } from "@noble/curves/nist.js";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { fromHex, toHex } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";
import { DOMAIN_ID_LENGTH, DOMAIN_SECRET_LENGTH, MAX_GROUP, deriveDeliveryKey, deriveGroupKey, deriveHandshakePsk, deriveNetworkKey } from "picket/link/key-schedule";
import { encodeBundle, type GroupKey } from "picket/provisioning/bundle";
import { sealEpochDelivery } from "picket/provisioning/epoch-delivery";
import type { DeviceCredentials } from "picket/provisioning/keystore";
import type { MemberRole } from "picket/link/membership";
import { MAX_MEMBER_ID, MEMBER_ROLES, Roster, attachRosterSignature, encodeRosterBody, groupsOf } from "picket/provisioning/roster";

export type DomainErrorCode =
	| "bad-group" // unknown group name, bad number, or a group definition clash
	| "bad-role"
	| "unknown-device"
	| "device-exists"
	| "already-revoked"
	| "domain-full"
	| "needs-reissue" // a second bundle for a device in the epoch it was already issued one: `picket device reissue`
	| "bad-state"; // the decrypted state does not have the expected shape

function fail(code: DomainErrorCode, message?: string): never {
	throw new PicketError<DomainErrorCode>(code, message);
}

/** One enrolled device as the authority records it. */
export interface DeviceRecord {
	readonly id: number;
	readonly role: MemberRole;
	/** Group bit mask (0 for a relay). */
	readonly groups: number;
	readonly staticPublicKey: Uint8Array;
	readonly staticSecretKey: Uint8Array;
	/** The epoch in which it was removed, when revoked. */
	readonly revokedAtEpoch?: number;
	/** The last epoch for which it was issued a bundle (issueBundle) or a key-epoch delivery. */
	readonly issuedEpoch?: number;
}

/** What a re-issue produces (Domain.reissue): a new epoch for everyone, nobody removed. */
export interface Reissue {
	readonly reissuedId: number;
	readonly epoch: number;
	readonly roster: Uint8Array;
	/** Per other member: the key-epoch delivery that moves it to the new epoch. */
	readonly deliveries: ReadonlyMap<number, Uint8Array>;
	/** The re-issued device's bundle in the new epoch. */
	readonly bundle: Uint8Array;
}

/** What one revocation produces. */
export interface Enrolment {
	readonly device: DeviceRecord;
	readonly epoch: number;
	/**
	 * Per member already issued the epoch the domain was in: the delivery of the new epoch
	 * (with the new roster). Empty when nobody had been issued that epoch, so it was not
	 * advanced: no board can have run it yet.
	 */
	readonly deliveries: ReadonlyMap<number, Uint8Array>;
	/** The new device's bundle, unless enrolled with `issue: false` (then `issueBundle` later). */
	readonly bundle?: Uint8Array;
}

export interface Revocation {
	readonly revokedId: number;
	readonly epoch: number;
	/** The new signed roster, without the revoked device. */
	readonly roster: Uint8Array;
	/** Per remaining device: the key-epoch delivery it must receive (epoch-delivery.ts). */
	readonly deliveries: ReadonlyMap<number, Uint8Array>;
}

/** The JSON shape of the state inside the encrypted file (version 1). */
export interface DomainStateJson {
	version: 1;
	domainId: string;
	domainSecret: string;
	/** The authority's P-256 private scalar d, 32 bytes, hex. */
	authoritySecretKey: string;
	epoch: number;
	groups: Record<string, number>;
	devices: { id: number; role: MemberRole; groups: number; staticPublicKey: string; staticSecretKey: string; revokedAtEpoch?: number; issuedEpoch?: number }[];
}

const GROUP_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** Signs roster bodies for the domain authority: ECDSA P-256 over SHA-256, r ‖ s (64 B). */
export interface AuthoritySigner {
	/** SEC1 uncompressed (65 B): the form Mbed TLS's PSA API imports. */
	readonly publicKey: Uint8Array;
	sign(message: Uint8Array): Uint8Array;
}

/** Makes a signer from the authority's private scalar. */
export type AuthoritySignerFactory = (secretKey: Uint8Array) => AuthoritySigner;

/** The portable signer: noble's P-256, RFC 6979 deterministic nonces (no random source needed). */
export const nobleAuthoritySigner: AuthoritySignerFactory = (secretKey) => ({
	publicKey: p256.getPublicKey(secretKey, false),
	sign: (message) => p256.sign(message, secretKey, { prehash: true, extraEntropy: false }).toCompactRawBytes(),
});

export interface CreateDomainOptions {
	/** Group name → number 0..31. */
	readonly groups: Readonly<Record<string, number>>;
	/** Derives keys and draws the domain id, secret, authority key and device key pairs from its random source. */
	readonly crypto: CryptoSuite;
	/** Defaults to random; tests and reproducible simulations may fix it. */
	readonly domainId?: Uint8Array;
	readonly signer?: AuthoritySignerFactory;
}

export interface AddDeviceOptions {
	readonly role: MemberRole;
	/** Group names or numbers; must be empty for a relay. */
	readonly groups: readonly (string | number)[];
	/** Defaults to one above the highest id ever used (ids of revoked devices are never reused). */
	readonly id?: number;
}

export class Domain {
	readonly domainId: Uint8Array;
	readonly #domainSecret: Uint8Array;
	readonly #authoritySecretKey: Uint8Array;
	readonly #signer: AuthoritySigner;
	readonly authorityPublicKey: Uint8Array;
	readonly #groups: Map<string, number>;
	readonly #devices = new Map<number, DeviceRecord>();
	readonly #crypto: CryptoSuite;
	#epoch: number;
	readonly #epochKeyCache = new Map<string, { handshakePsk: Uint8Array; networkKey: Uint8Array; groupKeys: GroupKey[] }>();
	#signedRoster: Uint8Array | undefined;
	/** The highest device id ever enrolled (ids are never reused). */
	#highestId = 0;

	private constructor(domainId: Uint8Array, domainSecret: Uint8Array, authoritySecretKey: Uint8Array, signer: AuthoritySignerFactory, epoch: number, groups: Map<string, number>, crypto: CryptoSuite) {
		if (!p256.utils.isValidSecretKey(authoritySecretKey)) fail("bad-state", "authority key is not a P-256 private key");
		this.domainId = domainId;
		this.#domainSecret = domainSecret;
		this.#authoritySecretKey = authoritySecretKey;
		this.#signer = signer(authoritySecretKey);
		this.authorityPublicKey = this.#signer.publicKey;
		this.#epoch = epoch;
		this.#groups = groups;
		this.#crypto = crypto;
	}

	/** A new domain: random domain id, domain secret and authority key; epoch 0. */
	static create(options: CreateDomainOptions): Domain {
		const crypto = options.crypto;
		const groups = checkGroups(options.groups);
		const domainId = options.domainId ?? crypto.randomBytes(DOMAIN_ID_LENGTH);
		if (domainId.length !== DOMAIN_ID_LENGTH) fail("bad-state", "domain id must be 8 bytes");
		const domainSecret = crypto.randomBytes(DOMAIN_SECRET_LENGTH);
		// A uniform scalar in [1, n−1]: redraw the (2^-32 rare) out-of-range candidates.
		let authoritySecretKey = crypto.randomBytes(32);
		while (!p256.utils.isValidSecretKey(authoritySecretKey)) authoritySecretKey = crypto.randomBytes(32);
		return new Domain(domainId, domainSecret, authoritySecretKey, options.signer ?? nobleAuthoritySigner, 0, groups, crypto);
	}

	/** Rebuilds a domain from its decrypted state (domain-seal.ts). */
	static fromJson(state: DomainStateJson, crypto: CryptoSuite, signer: AuthoritySignerFactory = nobleAuthoritySigner): Domain {
		try {
			if (state.version !== 1) fail("bad-state", `state version ${String(state.version)}`);
			const domain = new Domain(fromHex(state.domainId), fromHex(state.domainSecret), fromHex(state.authoritySecretKey), signer, state.epoch, checkGroups(state.groups), crypto);
			if (domain.domainId.length !== DOMAIN_ID_LENGTH || domain.#domainSecret.length !== DOMAIN_SECRET_LENGTH) fail("bad-state", "key lengths");
			for (const device of state.devices) {
				domain.#highestId = Math.max(domain.#highestId, device.id);
				domain.#devices.set(device.id, {
					id: device.id,
					role: device.role,
					groups: device.groups,
					staticPublicKey: fromHex(device.staticPublicKey),
					staticSecretKey: fromHex(device.staticSecretKey),
					...(device.revokedAtEpoch === undefined ? {} : { revokedAtEpoch: device.revokedAtEpoch }),
					...(device.issuedEpoch === undefined ? {} : { issuedEpoch: device.issuedEpoch }),
				});
			}
			return domain;
		} catch (error) {
			if (error instanceof PicketError) throw error;
			return fail("bad-state", (error as Error).message);
		}
	}

	toJson(): DomainStateJson {
		return {
			version: 1,
			domainId: toHex(this.domainId),
			domainSecret: toHex(this.#domainSecret),
			authoritySecretKey: toHex(this.#authoritySecretKey),
			epoch: this.#epoch,
			groups: Object.fromEntries(this.#groups),
			devices: [...this.#devices.values()].map((device) => ({
				id: device.id,
				role: device.role,
				groups: device.groups,
				staticPublicKey: toHex(device.staticPublicKey),
				staticSecretKey: toHex(device.staticSecretKey),
				...(device.revokedAtEpoch === undefined ? {} : { revokedAtEpoch: device.revokedAtEpoch }),
				...(device.issuedEpoch === undefined ? {} : { issuedEpoch: device.issuedEpoch }),
			})),
		};
	}

	/** The suite the domain derives keys, draws randomness and verifies with. */
	get crypto(): CryptoSuite {
		return this.#crypto;
	}

	get epoch(): number {
		return this.#epoch;
	}

	/** The network key of `epoch` (default the current one), as every member of that epoch holds it: the simulator's observer unmasks alert headers with it. */
	networkKey(epoch: number = this.#epoch): Uint8Array {
		return deriveNetworkKey(this.#crypto, this.domainId, this.#domainSecret, epoch);
	}

	get groups(): ReadonlyMap<string, number> {
		return this.#groups;
	}

	/** Every device ever enrolled, revoked ones included, by id. */
	devices(): DeviceRecord[] {
		return [...this.#devices.values()].sort((a, b) => a.id - b.id);
	}

	/** The devices of the current roster. */
	members(): DeviceRecord[] {
		return this.devices().filter((device) => device.revokedAtEpoch === undefined);
	}

	device(id: number): DeviceRecord {
		return this.#devices.get(id) ?? fail("unknown-device", `no device ${id}`);
	}

	/** Enrols a device: a fresh static X25519 key pair and a roster entry (the roster is re-signed on next use). */
	addDevice(options: AddDeviceOptions): DeviceRecord {
		if (!MEMBER_ROLES.includes(options.role)) fail("bad-role", `role "${String(options.role)}"; one of ${MEMBER_ROLES.join(", ")}`);
		const groups = this.groupMask(options.groups);
		if (options.role === "relay" && groups !== 0) fail("bad-group", "a relay holds no group key (it forwards without reading)");
		const id = options.id ?? this.#highestId + 1;
		if (!Number.isInteger(id) || id < 1 || id > MAX_MEMBER_ID) fail(options.id === undefined ? "domain-full" : "bad-state", `device id ${id} outside 1..${MAX_MEMBER_ID}`);
		if (this.#devices.has(id)) fail("device-exists", `device ${id} is already enrolled`);
		const { secretKey, publicKey } = this.#crypto.x25519KeyPair();
		const record: DeviceRecord = { id, role: options.role, groups, staticPublicKey: publicKey, staticSecretKey: secretKey };
		this.#devices.set(id, record);
		this.#highestId = Math.max(this.#highestId, id);
		this.#signedRoster = undefined;
		return record;
	}

	/**
	 * Enrols a device as `picket device add` does (issue 12, item 5): the other members must
	 * learn the new roster, but a bundle of an epoch a member was already issued may meet an
	 * erased board that ran it (two-time pad). So when some member was issued the current
	 * epoch, the epoch advances and those members get deliveries; only the new device gets a
	 * bundle. Members enrolled but not yet issued anything get their bundle later.
	 */
	enrol(options: AddDeviceOptions, { issue = true }: { issue?: boolean } = {}): Enrolment {
		const issued = new Set(this.members().filter((member) => member.issuedEpoch === this.#epoch).map((member) => member.id));
		const device = this.addDevice(options);
		const deliveries = issued.size === 0 ? new Map<number, Uint8Array>() : this.#advanceEpoch((member) => issued.has(member.id)).deliveries;
		return { device, epoch: this.#epoch, deliveries, ...(issue ? { bundle: this.issueBundle(device.id) } : {}) };
	}

	/** Group names or numbers → bit mask; unknown names are refused. */
	groupMask(groups: readonly (string | number)[]): number {
		let mask = 0;
		for (const group of groups) {
			const number = typeof group === "number" ? group : this.#groups.get(group);
			if (number === undefined) fail("bad-group", `unknown group "${group}"; defined: ${[...this.#groups.keys()].join(", ") || "none"}`);
			if (!Number.isInteger(number) || number < 0 || number > MAX_GROUP) fail("bad-group", `group ${number}`);
			mask |= 1 << number;
		}
		return mask >>> 0;
	}

	/** The signed roster of the current epoch (signed once, until membership changes). */
	roster(): Uint8Array {
		if (this.#signedRoster === undefined) {
			const body = encodeRosterBody({
				domainId: this.domainId,
				epoch: this.#epoch,
				members: this.members().map(({ id, staticPublicKey, role, groups }) => ({ id, staticPublicKey, role, groups })),
			});
			this.#signedRoster = attachRosterSignature(body, this.#signer.sign(body));
		}
		return this.#signedRoster;
	}

	/** The roster decoded and verified as a device would. */
	verifiedRoster(): Roster {
		return Roster.decode(this.roster(), this.authorityPublicKey, this.#crypto, this.domainId);
	}

	/** The provisioning bundle of a current member, with the current roster and epoch keys. */
	bundle(id: number): Uint8Array {
		const device = this.device(id);
		if (device.revokedAtEpoch !== undefined) fail("already-revoked", `device ${id} was revoked in epoch ${device.revokedAtEpoch}`);
		const keys = this.#epochKeys(device.groups);
		return encodeBundle(
			{
				deviceId: id,
				domainId: this.domainId,
				epoch: this.#epoch,
				staticSecretKey: device.staticSecretKey,
				authorityPublicKey: this.authorityPublicKey,
				handshakePsk: keys.handshakePsk,
				networkKey: keys.networkKey,
				deliveryKey: deriveDeliveryKey(this.#crypto, this.domainId, this.#domainSecret, id),
				groupKeys: keys.groupKeys,
				roster: this.roster(),
			},
			this.#crypto,
		);
	}

	/**
	 * Issues `id`'s bundle for a board (issue 12, item 5): at most once per device and epoch.
	 * Keys and nonces are per epoch and a board starts its alert sequence at 0 on an empty
	 * store, so a second board (a swap, an erased flash) given the same epoch's bundle would
	 * seal new alerts under (key, nonce) pairs the first already used: XOR of two ciphertexts
	 * and one known plaintext gives the other. A second issue in the same epoch is therefore
	 * "needs-reissue": `reissue(id)` moves the domain to a new epoch first.
	 */
	issueBundle(id: number): Uint8Array {
		const device = this.device(id);
		if (device.issuedEpoch === this.#epoch) fail("needs-reissue", `device ${id} was already issued a bundle or delivery for epoch ${this.#epoch}: run \`picket device reissue ${id}\``);
		const bundle = this.bundle(id);
		this.#devices.set(id, { ...device, issuedEpoch: this.#epoch });
		return bundle;
	}

	/**
	 * A new board (or an erased one) for device `id`: the epoch advances for everyone — every
	 * key changes, so every sender's nonce space is new — nobody is removed, the other members
	 * get key-epoch deliveries as after a revocation, and `id` a bundle of the new epoch.
	 */
	reissue(id: number): Reissue {
		const device = this.device(id);
		if (device.revokedAtEpoch !== undefined) fail("already-revoked", `device ${id} was revoked in epoch ${device.revokedAtEpoch}`);
		const { epoch, roster, deliveries } = this.#advanceEpoch((member) => member.id !== id);
		return { reissuedId: id, epoch, roster, deliveries, bundle: this.issueBundle(id) };
	}

	/** The next epoch, its roster, and a key-epoch delivery for every current member `deliverTo` accepts. */
	#advanceEpoch(deliverTo: (member: DeviceRecord) => boolean): { epoch: number; roster: Uint8Array; deliveries: Map<number, Uint8Array> } {
		if (this.#epoch >= 0xffffffff) fail("bad-state", "epoch counter exhausted");
		this.#epoch += 1;
		this.#signedRoster = undefined;
		const roster = this.roster();
		const deliveries = new Map<number, Uint8Array>();
		for (const member of this.members()) {
			if (!deliverTo(member)) continue;
			const deliveryKey = deriveDeliveryKey(this.#crypto, this.domainId, this.#domainSecret, member.id);
			const delivery = { deviceId: member.id, epoch: this.#epoch, roster, ...this.#epochKeys(member.groups) };
			deliveries.set(member.id, sealEpochDelivery(this.#crypto, deliveryKey, delivery, this.#crypto.randomBytes(13)));
			this.#devices.set(member.id, { ...member, issuedEpoch: this.#epoch });
		}
		return { epoch: this.#epoch, roster, deliveries };
	}

	/**
	 * What a current member's keystore would load from its bundle, without encoding one: for
	 * the host simulator at scale, where 10,000 bundles would each carry the 390 KB roster
	 * (bench/sim). `roster` is this domain's current roster, verified once by the caller;
	 * it is shared, not copied.
	 */
	credentials(id: number, roster: Roster): DeviceCredentials {
		const device = this.device(id);
		const self = roster.member(id);
		if (device.revokedAtEpoch !== undefined || self === undefined || roster.epoch !== this.#epoch) fail("already-revoked", `device ${id} is not in this roster`);
		const keys = this.#epochKeys(device.groups);
		return {
			deviceId: id,
			domainId: this.domainId,
			epoch: this.#epoch,
			self,
			staticKeyPair: { secretKey: device.staticSecretKey, publicKey: device.staticPublicKey },
			authorityPublicKey: this.authorityPublicKey,
			handshakePsk: keys.handshakePsk,
			networkKey: keys.networkKey,
			deliveryKey: deriveDeliveryKey(this.#crypto, this.domainId, this.#domainSecret, id),
			groupKeys: new Map(keys.groupKeys.map(({ group, key }) => [group, key])),
			roster,
			bundle: new Uint8Array(0),
		};
	}

	/** An epoch's keys for a group mask, derived once per (epoch, mask): 10,000 devices share a handful. */
	#epochKeys(groups: number): { handshakePsk: Uint8Array; networkKey: Uint8Array; groupKeys: GroupKey[] } {
		const cacheKey = `${this.#epoch}/${groups}`;
		const cached = this.#epochKeyCache.get(cacheKey);
		if (cached !== undefined) return cached;
		const keys = this.#deriveEpochKeys(groups);
		this.#epochKeyCache.set(cacheKey, keys);
		return keys;
	}

	#deriveEpochKeys(groups: number): { handshakePsk: Uint8Array; networkKey: Uint8Array; groupKeys: GroupKey[] } {
		const crypto = this.#crypto;
		return {
			handshakePsk: deriveHandshakePsk(crypto, this.domainId, this.#domainSecret, this.#epoch),
			networkKey: deriveNetworkKey(crypto, this.domainId, this.#domainSecret, this.#epoch),
			groupKeys: groupsOf(groups).map((group) => ({ group, key: deriveGroupKey(crypto, this.domainId, this.#domainSecret, this.#epoch, group) })),
		};
	}

	/**
	 * Revokes a device: the epoch advances (so every derived key changes), the roster is
	 * re-signed without it, and each remaining device gets a key-epoch delivery sealed under
	 * its own delivery key, which the revoked device cannot open.
	 */
	revoke(id: number): Revocation {
		const device = this.device(id);
		if (device.revokedAtEpoch !== undefined) fail("already-revoked", `device ${id} was revoked in epoch ${device.revokedAtEpoch}`);
		if (this.#epoch >= 0xffffffff) fail("bad-state", "epoch counter exhausted");
		this.#devices.set(id, { ...device, revokedAtEpoch: this.#epoch + 1 });
		const { epoch, roster, deliveries } = this.#advanceEpoch(() => true);
		return { revokedId: id, epoch, roster, deliveries };
	}

	/** A summary for people: no secret in it. */
	summary(): object {
		return {
			domainId: toHex(this.domainId),
			epoch: this.#epoch,
			authorityPublicKey: toHex(this.authorityPublicKey),
			groups: Object.fromEntries(this.#groups),
			members: this.members().length,
			rosterBytes: this.roster().length,
			devices: this.devices().map((device) => ({
				id: device.id,
				role: device.role,
				groups: groupsOf(device.groups).map((g) => this.#groupName(g)),
				staticPublicKey: toHex(device.staticPublicKey),
				...(device.revokedAtEpoch === undefined ? {} : { revokedAtEpoch: device.revokedAtEpoch }),
				...(device.issuedEpoch === undefined ? {} : { issuedEpoch: device.issuedEpoch }),
			})),
		};
	}

	#groupName(group: number): string {
		for (const [name, number] of this.#groups) if (number === group) return name;
		return String(group);
	}
}

function checkGroups(groups: Readonly<Record<string, number>>): Map<string, number> {
	const checked = new Map<string, number>();
	const numbers = new Set<number>();
	for (const [name, number] of Object.entries(groups)) {
		if (!GROUP_NAME.test(name)) fail("bad-group", `group name "${name}": lower-case letters, digits and dashes, ≤ 31 characters`);
		if (!Number.isInteger(number) || number < 0 || number > MAX_GROUP) fail("bad-group", `group "${name}": number ${number} outside 0..${MAX_GROUP}`);
		if (numbers.has(number)) fail("bad-group", `group number ${number} defined twice`);
		numbers.add(number);
		checked.set(name, number);
	}
	return checked;
}
