/** Signed images, offers and boards for the update tests and the rollout simulation. */
import { generateImageKeyPem, loadImageSigningKey } from "picket/tools/image/image-keys";
import { signImage, type ImageVersion } from "picket/tools/image/mcuboot-image";
import { packageRollout, updateKeyPoint, type RolloutPackage } from "picket/tools/update/update-signing";
import { createNodeCryptoSuite } from "picket/tools/node-crypto-suite";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { MemoryFirmwareSlot, runningFirmwareOf } from "picket/hosts/sim/firmware-slot-memory";
import { UpdateInstaller } from "picket/update/update-installer";
import { parseImageHeader } from "picket/update/mcuboot-structure";
import { pinUpdateAnchor, loadUpdateAnchor } from "picket/update/update-anchor";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { TransferPlan } from "picket/update/transfer-plan";
import { RolloutSimulation, type RolloutSimulationOptions } from "picket/hosts/sim/rollout-simulation";

export const updateKeyPem = generateImageKeyPem("ecdsa-p256");
export const otherKeyPem = generateImageKeyPem("ecdsa-p256");
export const anchor = updateKeyPoint(updateKeyPem);

/** Firmware bytes that differ by seed (a linear congruential fill: deterministic, not compressible). */
export function firmwareBody(length: number, seed: number): Uint8Array {
	const body = new Uint8Array(length);
	let state = seed >>> 0 || 1;
	for (let i = 0; i < length; i++) {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		body[i] = state >>> 24;
	}
	return body;
}

/** A signed MCUboot image, as `picket image sign -k … --security-counter N --version V` writes it. */
export function signedImage(version: ImageVersion, securityCounter: number, bodyLength: number, keyPem = updateKeyPem): Uint8Array {
	return signImage(
		firmwareBody(bodyLength, version.major * 65536 + version.minor * 256 + version.revision),
		{ headerSize: 0x20, padHeader: true, version, slotSize: 0x400000, securityCounter, align: 4 },
		loadImageSigningKey(keyPem),
	);
}

export function rollout(image: Uint8Array, rolloutId: number, options: { chunkLength?: number; pageShift?: number; keyPem?: string } = {}): RolloutPackage {
	return packageRollout(image, options.keyPem ?? updateKeyPem, { rollout: rolloutId, chunkLength: options.chunkLength ?? 200, pageShift: options.pageShift ?? 12 });
}

/** A board: storage with the pinned anchor, a slot running `factory`, and its installer (rebuilt by `boot`). */
export class TestBoard {
	readonly storage = new MemoryStorage();
	readonly slot: MemoryFirmwareSlot;
	readonly crypto: CryptoSuite;
	installer!: UpdateInstaller;

	constructor(factory: Uint8Array, capacity = 0x200000, crypto: CryptoSuite = createNodeCryptoSuite()) {
		this.crypto = crypto;
		this.slot = new MemoryFirmwareSlot(capacity, factory);
		pinUpdateAnchor(this.storage, anchor);
		this.boot();
	}

	/** The version and SEC_CNT of what runs now (from its header and the image's TLV). */
	get runningVersion(): ImageVersion {
		return parseImageHeader(this.slot.runningImage).version;
	}

	/** Power on: the installer resumes from storage. */
	boot(): void {
		this.installer = new UpdateInstaller({ crypto: this.crypto, storage: this.storage, slot: this.slot, anchor: loadUpdateAnchor(this.storage), running: runningFirmwareOf(this.slot.runningImage) });
		this.installer.resume();
	}

	/** A reset: the bootloader's decision, then boot. */
	reset(): void {
		this.slot.reset();
		this.boot();
	}
}

/** Every chunk of a package, in order, as a seeder sends them (cut by the board's own TransferPlan). */
export function chunksOf(pkg: RolloutPackage): { index: number; bytes: Uint8Array }[] {
	const plan = new TransferPlan(pkg.offer);
	return Array.from({ length: plan.totalChunks }, (_, index) => {
		const place = plan.place(index)!;
		const source = place.segment === "table" ? pkg.pageTable : pkg.image;
		return { index, bytes: source.slice(place.offset, place.offset + place.length) };
	});
}

/** A signed image of exactly `length` bytes (the body is sized to make it so). */
export function signedImageOfLength(version: ImageVersion, securityCounter: number, length: number, keyPem = updateKeyPem): Uint8Array {
	const overhead = signedImage(version, securityCounter, 16, keyPem).length - 16;
	// An ECDSA DER signature varies by a byte or two (node:crypto signs with a random nonce): sign again until it fits.
	for (let attempt = 0; ; attempt++) {
		const image = signedImage(version, securityCounter, length - overhead, keyPem);
		if (image.length === length || attempt === 20) return image;
	}
}

export interface RolloutScenarioOptions {
	readonly boards: number;
	readonly imageLength: number;
	readonly seed?: number;
	readonly lossProbability?: number;
	readonly attack?: boolean;
	readonly powerCut?: { readonly atMs: number; readonly forMs: number; readonly boards: number };
	readonly budgetMs?: number;
	readonly onOtherFrame?: RolloutSimulationOptions["onOtherFrame"];
	readonly networkKey?: Uint8Array;
	readonly seederStartMs?: number;
	readonly gatewayWire?: RolloutSimulationOptions["gatewayWire"];
}

/** The rollout the bench and the tests run: v1.0.0 (SEC_CNT 1) everywhere, v1.1.0 (SEC_CNT 2) offered. */
export function rolloutScenario(options: RolloutScenarioOptions): RolloutSimulation {
	const crypto = createNodeCryptoSuite();
	const factory = signedImage({ major: 1, minor: 0, revision: 0, build: 0 }, 1, 32_768);
	const next = signedImageOfLength({ major: 1, minor: 1, revision: 0, build: 0 }, 2, options.imageLength);
	return new RolloutSimulation({
		seed: options.seed ?? 1,
		boards: options.boards,
		crypto,
		networkKey: options.networkKey ?? new Uint8Array(16).fill(0x11),
		...(options.seederStartMs === undefined ? {} : { seederStartMs: options.seederStartMs }),
		anchor,
		factory: { image: factory, securityCounter: 1 },
		rollout: packageRollout(next, updateKeyPem, { rollout: 0x0101, pageShift: 14 }),
		lossProbability: options.lossProbability ?? 0.1,
		...(options.attack === true
			? {
					attack: {
						olderRollout: packageRollout(signedImage({ major: 0, minor: 9, revision: 0, build: 0 }, 0, 32_768), updateKeyPem, { rollout: 0x0090, pageShift: 14 }),
						forgedRollout: packageRollout(signedImage({ major: 9, minor: 0, revision: 0, build: 0 }, 9, 32_768, otherKeyPem), otherKeyPem, { rollout: 0x0900, pageShift: 14 }),
					},
				}
			: {}),
		...(options.powerCut === undefined ? {} : { powerCut: options.powerCut }),
		...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
		...(options.onOtherFrame === undefined ? {} : { onOtherFrame: options.onOtherFrame }),
		...(options.gatewayWire === undefined ? {} : { gatewayWire: options.gatewayWire }),
	});
}
