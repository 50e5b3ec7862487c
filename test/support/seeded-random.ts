/**
 * A deterministic RandomSource for tests and benchmarks: the same seed gives the same
 * bytes on Node and on XS. NOT secure — a 32-bit state, never for keys a device keeps.
 */
import type { RandomSource } from "picket/crypto/crypto-suite";

/** mulberry32 (Tommy Ettinger's public-domain 32-bit generator), four bytes per step. */
export function createSeededRandom(seed: number): RandomSource {
	let state = seed >>> 0;
	const nextWord = (): number => {
		state = (state + 0x6d2b79f5) >>> 0;
		let mixed = state;
		mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
		mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
		return (mixed ^ (mixed >>> 14)) >>> 0;
	};
	return (length) => {
		const bytes = new Uint8Array(length);
		for (let i = 0; i < length; i += 4) {
			const word = nextWord();
			for (let j = 0; j < 4 && i + j < length; j++) bytes[i + j] = (word >>> (8 * j)) & 0xff;
		}
		return bytes;
	};
}
