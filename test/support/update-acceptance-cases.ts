/**
 * The board's update check on a recorded rollout (test/fixtures/update/update-vector.ts),
 * for any CryptoSuite and on either engine: the software suite on Node and XS
 * (test/cases/update-acceptance.cases.ts), the native PSA suite on XS, the ESP32's path
 * (test/xs-cases/update-native.cases.ts). Portable: no Node API.
 */
import { fromHex } from "picket/core/bytes";
import { isPicketError } from "picket/core/picket-error";
import type { CryptoSuite } from "picket/crypto/crypto-suite";
import { MemoryFirmwareSlot } from "picket/hosts/sim/firmware-slot-memory";
import { MemoryStorage } from "picket/hosts/sim/memory-storage";
import { type CaseGroup, portableCases } from "picket/test/harness/portable";
import { ANCHOR, FACTORY_IMAGE, IMAGE, OFFER, PAGE_TABLE } from "picket/test/fixtures/update/update-vector";
import { TransferPlan } from "picket/update/transfer-plan";
import { decodeOffer } from "picket/update/update-offer";
import { UpdateInstaller } from "picket/update/update-installer";

const anchor = fromHex(ANCHOR);
const image = fromHex(IMAGE);
const offer = fromHex(OFFER);
const table = fromHex(PAGE_TABLE);

function chunks(source: Uint8Array = image): { index: number; bytes: Uint8Array }[] {
	const plan = new TransferPlan(decodeOffer(offer));
	return Array.from({ length: plan.totalChunks }, (_, index) => {
		const place = plan.place(index)!;
		return { index, bytes: (place.segment === "table" ? table : source).slice(place.offset, place.offset + place.length) };
	});
}

function board(crypto: CryptoSuite): { installer: UpdateInstaller; slot: MemoryFirmwareSlot } {
	const slot = new MemoryFirmwareSlot(0x10000, fromHex(FACTORY_IMAGE));
	const installer = new UpdateInstaller({ crypto, storage: new MemoryStorage(), slot, anchor, running: { version: { major: 1, minor: 0, revision: 0, build: 0 }, securityCounter: 1 } });
	return { installer, slot };
}

export function updateAcceptanceCases(title: string, createSuite: () => CryptoSuite): CaseGroup {
	return portableCases(title, (test) => {
		test("the recorded rollout installs: offer, page table, pages and the whole image check out, then it is marked bootable", (t) => {
			const { installer, slot } = board(createSuite());
			t.is(installer.considerOffer(offer), "accepted");
			const outcomes = chunks().map((chunk) => installer.storeChunk(21, chunk.index, chunk.bytes));
			t.is(outcomes[outcomes.length - 1], "installed");
			slot.reset();
			t.true(slot.bootState().trial);
			t.deepEqual(slot.runningImage.subarray(0, image.length), image);
		});

		test("an altered offer, and an image altered after the offer, are refused; nothing is marked bootable", (t) => {
			const { installer, slot } = board(createSuite());
			const altered = offer.slice();
			altered[20] ^= 1;
			const refused = t.throws(() => installer.considerOffer(altered));
			t.true(isPicketError(refused, "bad-offer-signature"));
			installer.considerOffer(offer);
			const tampered = image.slice();
			tampered[5000] ^= 0x10;
			const outcomes = chunks(tampered).map((chunk) => installer.storeChunk(21, chunk.index, chunk.bytes));
			t.true(outcomes.includes("page-refused"));
			t.is(installer.state, "receiving");
			slot.reset();
			t.false(slot.bootState().trial);
		});
	});
}
