/**
 * How a rollout cuts an image into chunk frames, and the page table that lets a board check
 * each page as soon as it is whole (so a tampered or corrupted chunk costs one page, found and
 * fetched again in the repair phase, never the whole image).
 *
 * The image file is cut into pages of 2^pageShift bytes (whole flash erase blocks; the last
 * page may be shorter). The page table is one 16-byte digest per page, the first half of
 * SHA-256 of the page (128 bits: a second preimage of a page costs 2^128); the signed offer
 * carries SHA-256 of the table, so the table is as trusted as the offer.
 *
 * Chunk numbers: the page table first, then each page's chunks; a chunk never spans two
 * pages, so a page is whole exactly when its chunks are.
 *
 * | chunks                              | carry                                      |
 * |-------------------------------------|--------------------------------------------|
 * | 0 … tableChunks − 1                 | the page table, chunkLength bytes each      |
 * | tableChunks + p·chunksPerPage + k   | page p, bytes [k·chunkLength, …) of it      |
 */
import type { UpdateOffer } from "picket/update/update-offer";

export const PAGE_DIGEST_LENGTH = 16;

export interface ChunkPlace {
	/** "table": bytes of the page table; "image": bytes of the image file. */
	readonly segment: "table" | "image";
	/** Page of the image (image chunks), or -1. */
	readonly page: number;
	/** Offset in the table or in the image file. */
	readonly offset: number;
	readonly length: number;
}

export class TransferPlan {
	readonly imageLength: number;
	readonly chunkLength: number;
	readonly pageSize: number;
	readonly pageCount: number;
	readonly tableLength: number;
	readonly tableChunks: number;
	readonly chunksPerPage: number;
	readonly totalChunks: number;

	constructor(offer: Pick<UpdateOffer, "imageLength" | "chunkLength" | "pageShift">) {
		this.imageLength = offer.imageLength;
		this.chunkLength = offer.chunkLength;
		this.pageSize = 2 ** offer.pageShift;
		this.pageCount = Math.ceil(offer.imageLength / this.pageSize);
		this.tableLength = this.pageCount * PAGE_DIGEST_LENGTH;
		this.tableChunks = Math.ceil(this.tableLength / this.chunkLength);
		this.chunksPerPage = Math.ceil(this.pageSize / this.chunkLength);
		const lastPageLength = this.pageLength(this.pageCount - 1);
		this.totalChunks = this.tableChunks + (this.pageCount - 1) * this.chunksPerPage + Math.ceil(lastPageLength / this.chunkLength);
	}

	pageLength(page: number): number {
		return Math.min(this.pageSize, this.imageLength - page * this.pageSize);
	}

	/** The first chunk of page `page` and the one after its last. */
	pageChunks(page: number): { readonly first: number; readonly end: number } {
		const first = this.tableChunks + page * this.chunksPerPage;
		return { first, end: first + Math.ceil(this.pageLength(page) / this.chunkLength) };
	}

	/** Where chunk `index` belongs; undefined outside the plan. */
	place(index: number): ChunkPlace | undefined {
		if (!Number.isInteger(index) || index < 0 || index >= this.totalChunks) return undefined;
		if (index < this.tableChunks) {
			const offset = index * this.chunkLength;
			return { segment: "table", page: -1, offset, length: Math.min(this.chunkLength, this.tableLength - offset) };
		}
		const page = Math.floor((index - this.tableChunks) / this.chunksPerPage);
		const within = (index - this.tableChunks - page * this.chunksPerPage) * this.chunkLength;
		return { segment: "image", page, offset: page * this.pageSize + within, length: Math.min(this.chunkLength, this.pageLength(page) - within) };
	}
}

/** The page table of `image`: the first 16 bytes of SHA-256 of each page. */
export function pageTable(image: Uint8Array, pageShift: number, sha256: (bytes: Uint8Array) => Uint8Array): Uint8Array {
	const pageSize = 2 ** pageShift;
	const pages = Math.ceil(image.length / pageSize);
	const table = new Uint8Array(pages * PAGE_DIGEST_LENGTH);
	for (let page = 0; page < pages; page++) {
		table.set(sha256(image.subarray(page * pageSize, (page + 1) * pageSize)).subarray(0, PAGE_DIGEST_LENGTH), page * PAGE_DIGEST_LENGTH);
	}
	return table;
}
