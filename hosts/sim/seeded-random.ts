/**
 * A fast, seeded pseudo-random generator for the host simulator: xoshiro128** (Blackman and
 * Vigna, "Scrambled linear pseudorandom number generators", 2018) seeded through
 * SplitMix32, so every run is reproducible from one number.
 *
 * FOR SIMULATION ONLY. It is not a cryptographic generator: the simulator hands it to
 * simulated devices (key pairs, relay jitter) and to the medium (loss, jitter) so that a run
 * repeats exactly; a real device draws from its hardware RNG through the PSA API.
 *
 * Pure 32-bit integer arithmetic (Math.imul, >>> 0), so Node and XS give the same stream.
 */
import type { RandomSource } from "picket/crypto/crypto-suite";

/** SplitMix32 step (a 32-bit variant of Steele, Lea and Flood's SplitMix64), used to expand seeds. */
function splitMix32(state: { value: number }): number {
	state.value = (state.value + 0x9e3779b9) >>> 0;
	let z = state.value;
	z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
	z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
	return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a label, so streams can be named ("medium", "device 7") rather than numbered by hand. */
function hashLabel(label: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193) >>> 0;
	return hash;
}

function rotl(x: number, k: number): number {
	return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class SeededRandom {
	/** xoshiro128**'s s0..s3, in a Uint32Array: unsigned 32-bit values in plain fields would be boxed at every step. */
	readonly #state = new Uint32Array(4);
	readonly seed: number;

	/** `seed` is any integer; it is reduced to 32 bits. */
	constructor(seed: number) {
		this.seed = seed >>> 0;
		const state = { value: this.seed };
		for (let i = 0; i < 4; i++) this.#state[i] = splitMix32(state);
		// xoshiro's state must not be all zero; SplitMix32 never yields four zeros, but say so.
		if ((this.#state[0] | this.#state[1] | this.#state[2] | this.#state[3]) === 0) this.#state[0] = 1;
	}

	/** A generator for a named sub-stream: the same (seed, label) always gives the same stream, independent of how much this one has been used. */
	fork(label: string): SeededRandom {
		return new SeededRandom((Math.imul(this.seed, 0x9e3779b1) ^ hashLabel(label)) >>> 0);
	}

	/** The next 32 uniformly distributed bits, as an unsigned integer. */
	nextUint32(): number {
		const s = this.#state;
		const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
		const t = s[1] << 9;
		s[2] ^= s[0];
		s[3] ^= s[1];
		s[1] ^= s[2];
		s[0] ^= s[3];
		s[2] ^= t;
		s[3] = rotl(s[3], 11);
		return result;
	}

	/** A float in [0, 1) with 32 bits of resolution. */
	nextFloat(): number {
		return this.nextUint32() / 4294967296;
	}

	/** An integer in [0, bound), bound ≤ 2^32, without modulo bias (Lemire's rejection). */
	nextInt(bound: number): number {
		if (!Number.isInteger(bound) || bound <= 0 || bound > 4294967296) throw new RangeError(`bound ${bound}`);
		const threshold = (4294967296 - bound) % bound;
		for (;;) {
			const value = this.nextUint32();
			if (value >= threshold) return value % bound;
		}
	}

	/** True with probability `p`. */
	chance(p: number): boolean {
		return p > 0 && this.nextFloat() < p;
	}

	/** A float in [low, high). */
	between(low: number, high: number): number {
		return low + (high - low) * this.nextFloat();
	}

	fill(bytes: Uint8Array): Uint8Array {
		let i = 0;
		for (; i + 4 <= bytes.length; i += 4) {
			const word = this.nextUint32();
			bytes[i] = word & 255;
			bytes[i + 1] = (word >>> 8) & 255;
			bytes[i + 2] = (word >>> 16) & 255;
			bytes[i + 3] = word >>> 24;
		}
		if (i < bytes.length) {
			let word = this.nextUint32();
			for (; i < bytes.length; i++, word >>>= 8) bytes[i] = word & 255;
		}
		return bytes;
	}

	/** This generator as the crypto contract's RandomSource (simulation only, see the file header). */
	randomSource(): RandomSource {
		return (length) => this.fill(new Uint8Array(length));
	}
}
