/**
 * tools/target/nvs-image.ts read back by test/support/nvs-reader.ts (written from ESP-IDF's
 * NVS documentation, sharing nothing with the writer): values of every size around the
 * page and entry boundaries, blobs split across pages, integers past one page's 126
 * entries; the reader refuses an image with a bit flipped; the writer refuses what NVS
 * cannot hold.
 */
import test from "ava";
import { readNvsPartition } from "picket/test/support/nvs-reader";
import type { TargetEntry } from "picket/tools/target/device-preferences";
import { NVS_PAGE_SIZE, nvsImage } from "picket/tools/target/nvs-image";

function bytes(length: number, seed: number): Uint8Array {
	return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7) & 0xff);
}

test("blobs of every size around entry and page boundaries, several namespaces, integers: read back as written", (t) => {
	const sizes = [0, 1, 31, 32, 33, 3967, 3968, 3999, 4000, 4001, 9000];
	const entries: TargetEntry[] = [
		...sizes.map((size, i) => ({ domain: "provisioning", key: `blob.${size}`, value: bytes(size, i) })),
		{ domain: "picket-cfg", key: "alertGroup", value: 1 },
		{ domain: "picket-cfg", key: "negative", value: -2_147_483_648 },
		{ domain: "link", key: "seq", value: bytes(13, 99) },
	];
	const image = nvsImage(entries, 0x10000);
	t.is(image.length, 0x10000);
	const contents = readNvsPartition(image);
	for (const entry of entries) t.deepEqual(contents.namespaces.get(entry.domain)?.get(entry.key), entry.value, `${entry.domain}/${entry.key}`);
	t.is(contents.pages.at(-1)?.state, "empty", "the last page stays erased");
	t.true(contents.pages.filter((page) => page.written > 0).length > 5, "the blobs spread over several pages");
	t.deepEqual(
		contents.pages.filter((page) => page.state !== "empty").map((page) => page.sequence),
		contents.pages.filter((page) => page.state !== "empty").map((_, index) => index),
		"sequence numbers count up from 0",
	);
});

test("more integers than one page holds continue on the next page", (t) => {
	const entries: TargetEntry[] = Array.from({ length: 300 }, (_, i) => ({ domain: "numbers", key: `n${i}`, value: i * 1000 - 7 }));
	const contents = readNvsPartition(nvsImage(entries));
	t.is(contents.namespaces.get("numbers")?.size, 300);
	t.is(contents.namespaces.get("numbers")?.get("n299"), 298_993);
	t.deepEqual(
		contents.pages.map((page) => page.written),
		[126, 126, 49, 0, 0, 0],
		"126 entries a page: the namespace entry and 300 integers",
	);
});

test("the reader refuses an image with a flipped bit in a header, an entry or a blob's data", (t) => {
	const image = nvsImage([{ domain: "provisioning", key: "bundle", value: bytes(200, 3) }]);
	for (const [offset, message] of [
		[5, /header CRC/],
		[64 + 32 + 10, /entry CRC/],
		[64 + 64 + 40, /data CRC/],
	] as const) {
		const damaged = image.slice();
		damaged[offset] ^= 0x10;
		t.throws(() => readNvsPartition(damaged), { message }, `offset ${offset}`);
	}
	t.notThrows(() => readNvsPartition(image));
});

test("the writer refuses what NVS cannot hold: long or empty names, fractions, a partition too small or not whole pages", (t) => {
	t.throws(() => nvsImage([{ domain: "sixteen-chars-xx", key: "k", value: 1 }]), { code: "nvs-bad-name" });
	t.throws(() => nvsImage([{ domain: "d", key: "", value: 1 }]), { code: "nvs-bad-name" });
	t.throws(() => nvsImage([{ domain: "d", key: "k", value: 1.5 }]), { code: "nvs-bad-value" });
	t.throws(() => nvsImage([{ domain: "d", key: "k", value: 2 ** 31 }]), { code: "nvs-bad-value" });
	t.throws(() => nvsImage([], 2 * NVS_PAGE_SIZE), { code: "nvs-bad-size" });
	t.throws(() => nvsImage([], 3 * NVS_PAGE_SIZE + 1), { code: "nvs-bad-size" });
	t.throws(() => nvsImage([{ domain: "d", key: "k", value: bytes(8000, 1) }], 3 * NVS_PAGE_SIZE), { code: "nvs-too-large" });
});
