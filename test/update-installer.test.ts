/**
 * A board's acceptance of an update (modules/update/update-installer.ts): only an image the
 * pinned update key signed, newer than what runs and not below the security counter floor,
 * is ever marked bootable; tampered pages are fetched again; a power cut at any write leaves
 * the board able to finish; a trial boot that never confirms rolls back and is not retried.
 */
import test from "ava";
import { isPicketError } from "picket/core/picket-error";
import { anchor, chunksOf, otherKeyPem, rollout, signedImage, TestBoard, updateKeyPem } from "picket/test/support/update-fixture";
import * as nodeCrypto from "node:crypto";
import { encodeSignedOffer } from "picket/update/update-offer";
import { parseImageHeader } from "picket/update/mcuboot-structure";
import type { ChunkOutcome } from "picket/update/update-installer";
import { pinUpdateAnchor } from "picket/update/update-anchor";
import { updateKeyPoint } from "picket/tools/update/update-signing";

const v1 = signedImage({ major: 1, minor: 0, revision: 0, build: 0 }, 1, 20_000);
const v2 = signedImage({ major: 1, minor: 1, revision: 0, build: 0 }, 2, 50_000);
const pkg = rollout(v2, 7);

function deliverAll(board: TestBoard, chunks = chunksOf(pkg)): ChunkOutcome[] {
	return chunks.map((chunk) => board.installer.storeChunk(pkg.offer.rollout, chunk.index, chunk.bytes));
}

function code(error: unknown): string | undefined {
	return isPicketError(error) ? error.code : undefined;
}

test("a genuine image is checked, marked bootable, boots on trial and confirms; the floor then refuses the old one", (t) => {
	const board = new TestBoard(v1);
	t.is(board.installer.considerOffer(pkg.offerBytes), "accepted");
	const outcomes = deliverAll(board);
	t.is(outcomes.at(-1), "installed");
	t.true(outcomes.includes("table-verified"));
	t.is(board.installer.state, "marked");
	const newer = rollout(signedImage({ major: 1, minor: 2, revision: 0, build: 0 }, 3, 20_000), 9);
	t.is(code(t.throws(() => board.installer.considerOffer(newer.offerBytes))), "install-pending", "marked: the slot is what boots next");
	board.reset();
	t.true(board.slot.bootState().trial);
	t.is(code(t.throws(() => board.installer.considerOffer(newer.offerBytes))), "install-pending", "on trial: the slot is the way back");
	t.deepEqual(board.runningVersion, pkg.offer.version);
	board.installer.confirmHealthy();
	board.reset();
	t.deepEqual(board.runningVersion, pkg.offer.version, "confirmed: no rollback");
	t.is(board.installer.floor, 2);
	const old = rollout(signedImage({ major: 1, minor: 2, revision: 0, build: 0 }, 1, 20_000), 8);
	t.is(code(t.throws(() => board.installer.considerOffer(old.offerBytes))), "downgrade");
	t.is(code(t.throws(() => board.installer.considerOffer(pkg.offerBytes))), "not-newer", "a replayed offer of what runs");
});

test("an offer not signed by the pinned key, or altered, is refused before anything is erased", (t) => {
	const board = new TestBoard(v1);
	const forged = rollout(v2, 7, { keyPem: otherKeyPem });
	t.is(code(t.throws(() => board.installer.considerOffer(forged.offerBytes))), "bad-offer-signature");
	for (const at of [1, 6, 14, 18, 30, 60, 100]) {
		const altered = pkg.offerBytes.slice();
		altered[at] ^= 1;
		t.true(["bad-offer-signature", "bad-offer"].includes(code(t.throws(() => board.installer.considerOffer(altered)))!), `byte ${at}`);
	}
	t.is(board.slot.counts.erasedBytes, 0);
	t.is(board.installer.state, "idle");
});

test("an older security counter is refused at the offer, a newer version notwithstanding", (t) => {
	const board = new TestBoard(signedImage({ major: 1, minor: 0, revision: 0, build: 0 }, 5, 20_000));
	t.is(code(t.throws(() => board.installer.considerOffer(pkg.offerBytes))), "downgrade");
	t.is(board.slot.counts.erasedBytes, 0);
});

test("a tampered chunk costs its page: refused, erased, fetched again, then the image installs", (t) => {
	const board = new TestBoard(v1);
	board.installer.considerOffer(pkg.offerBytes);
	const chunks = chunksOf(pkg);
	const victim = chunks[Math.ceil(pkg.pageTable.length / 200) + 30]!;
	const tampered = victim.bytes.slice();
	tampered[3] ^= 0x40;
	const outcomes = deliverAll(board, chunks.map((chunk) => (chunk === victim ? { index: chunk.index, bytes: tampered } : chunk)));
	t.true(outcomes.includes("page-refused"));
	t.is(board.installer.state, "receiving");
	const missing = board.installer.firstMissing();
	t.true(missing >= 0 && missing <= victim.index);
	const again = chunks.filter((chunk) => board.installer.missingBitmap(0, chunks.length)[chunk.index >> 3]! & (1 << (chunk.index & 7)));
	t.is(deliverAll(board, again).at(-1), "installed");
});

test("a truncated chunk is refused by length; a tampered page table is dropped and fetched again", (t) => {
	const board = new TestBoard(v1);
	board.installer.considerOffer(pkg.offerBytes);
	const chunks = chunksOf(pkg);
	t.is(board.installer.storeChunk(7, chunks[40]!.index, chunks[40]!.bytes.subarray(0, 100)), "bad-length");
	const badTable = chunks[0]!.bytes.slice();
	badTable[0] ^= 1;
	const outcomes = deliverAll(board, [{ index: 0, bytes: badTable }, ...chunks.slice(1)]);
	t.true(outcomes.includes("table-refused"));
	t.is(board.installer.firstMissing(), 0);
	const again = chunks.filter((chunk) => !board.installer.has(7, chunk.index));
	t.deepEqual(again.map((chunk) => chunk.index), [0, 1], "the two chunks of the table, nothing else");
	t.is(deliverAll(board, again).at(-1), "installed");
});

test("an image the update key's offer announces but whose MCUboot signature is another key's is never marked bootable", (t) => {
	const board = new TestBoard(v1);
	const foreign = rollout(signedImage({ major: 1, minor: 1, revision: 0, build: 0 }, 2, 50_000, otherKeyPem), 9);
	board.installer.considerOffer(foreign.offerBytes);
	const outcomes = chunksOf(foreign).map((chunk) => board.installer.storeChunk(9, chunk.index, chunk.bytes));
	t.is(outcomes.at(-1), "image-refused");
	t.is(board.installer.lastError?.code, "wrong-key");
	board.reset();
	t.false(board.slot.bootState().trial);
	t.deepEqual(board.runningVersion, { major: 1, minor: 0, revision: 0, build: 0 });
	t.is(code(t.throws(() => board.installer.considerOffer(foreign.offerBytes))), "refused-rollout", "not fetched again");
});

test("an image whose SEC_CNT differs from its offer's, or a body altered after signing, is refused", (t) => {
	// Only the update key can sign these offers: they show the image check trusts the image's
	// own TLVs, not the offer alone.
	const altered = v2.slice();
	altered[0x40] ^= 1;
	const counter3 = signedImage({ major: 1, minor: 1, revision: 0, build: 0 }, 3, 50_000);
	for (const [image, offerCounter, expected] of [
		[altered, 2, "bad-hash"],
		[counter3, 2, "offer-mismatch"],
	] as const) {
		const board = new TestBoard(v1);
		const honest = rollout(image, 11);
		const offer = { ...honest.offer, securityCounter: offerCounter };
		const offerBytes = encodeSignedOffer(offer, (message) => new Uint8Array(nodeCrypto.sign("sha256", message, { key: updateKeyPem, dsaEncoding: "ieee-p1363" })));
		board.installer.considerOffer(offerBytes);
		const outcomes = chunksOf(honest).map((chunk) => board.installer.storeChunk(11, chunk.index, chunk.bytes));
		t.is(outcomes.at(-1), "image-refused");
		t.is(board.installer.lastError?.code, expected);
		board.reset();
		t.false(board.slot.bootState().trial);
	}
});

test("a power cut at any flash write, at any byte, leaves a board that resumes and installs the genuine image", (t) => {
	const chunks = chunksOf(pkg);
	let cuts = 0;
	for (let cutAt = 3; cutAt < chunks.length; cutAt += 17) {
		const board = new TestBoard(v1);
		board.installer.considerOffer(pkg.offerBytes);
		let index = 0;
		for (; index < chunks.length; index++) {
			if (index === cutAt) board.slot.cutNextWrite(cutAt % 150);
			try {
				board.installer.storeChunk(7, chunks[index]!.index, chunks[index]!.bytes);
			} catch (error) {
				t.is(code(error), "power-cut");
				cuts++;
				break;
			}
		}
		board.reset(); // power back: the old image runs, the installer resumes
		t.is(board.installer.state, index < chunks.length ? "receiving" : "trial");
		if (board.installer.state === "receiving") {
			const again = chunks.filter((chunk) => !board.installer.has(7, chunk.index));
			t.is(deliverAll(board, again).at(-1), "installed", `cut at chunk ${cutAt}`);
		}
		board.reset();
		t.deepEqual(board.runningVersion, pkg.offer.version);
	}
	t.true(cuts > 10);
});

test("a trial boot that never confirms rolls back, and the rollout is not tried again", (t) => {
	const board = new TestBoard(v1);
	board.installer.considerOffer(pkg.offerBytes);
	deliverAll(board);
	board.reset(); // trial boot of v2 ...
	t.true(board.slot.bootState().trial);
	board.reset(); // ... which resets before confirming: the bootloader goes back
	t.deepEqual(board.runningVersion, parseImageHeader(v1).version);
	t.is(board.slot.counts.rollbacks, 1);
	t.is(board.installer.state, "refused");
	t.is(code(t.throws(() => board.installer.considerOffer(pkg.offerBytes))), "refused-rollout");
});

test("the anchor is pinned once: another key cannot replace it", (t) => {
	const board = new TestBoard(v1);
	pinUpdateAnchor(board.storage, anchor);
	t.is(code(t.throws(() => pinUpdateAnchor(board.storage, updateKeyPoint(otherKeyPem)))), "anchor-pinned");
});

test("a cut while marking bootable spoils the slot's first block (the ESP32 rewrites it): the board checks every page again and fetches that one", (t) => {
	const board = new TestBoard(v1);
	board.installer.considerOffer(pkg.offerBytes);
	const slot = board.slot;
	const markBootable = slot.markBootable.bind(slot);
	slot.markBootable = () => {
		slot.erase(0, slot.eraseBlock); // the rewrite of block 0 erased it, then the power failed
		slot.markBootable = markBootable;
		throw new Error("power cut while marking bootable");
	};
	t.throws(() => deliverAll(board), { message: /power cut/ });
	board.reset();
	t.is(board.installer.state, "receiving");
	const again = chunksOf(pkg).filter((chunk) => !board.installer.has(7, chunk.index));
	t.true(again.length > 0 && again.length < 30, `${again.length} chunks: page 0 only`);
	t.is(deliverAll(board, again).at(-1), "installed");
	board.reset();
	t.deepEqual(board.runningVersion, pkg.offer.version);
});
