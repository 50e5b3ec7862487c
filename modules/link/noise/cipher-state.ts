/**
 * CipherState (Noise rev 34 §5.1): a key k (or empty) and a nonce n, one function per
 * spec step, in the spec's order.
 */
import { PicketError } from "picket/core/picket-error";
import { NOISE_MAX_NONCE, type NoiseCipher, type NoiseErrorCode } from "picket/link/noise/noise-functions";

export class CipherState {
	readonly cipher: NoiseCipher;
	#k: Uint8Array | undefined;
	#n = 0;

	constructor(cipher: NoiseCipher) {
		this.cipher = cipher;
	}

	/** InitializeKey(key): k = key (undefined = empty), n = 0. */
	initializeKey(key: Uint8Array | undefined): void {
		this.#k = key === undefined ? undefined : key.slice();
		this.#n = 0;
	}

	/** HasKey(): true when k is non-empty. */
	hasKey(): boolean {
		return this.#k !== undefined;
	}

	/** SetNonce(nonce): for explicit, out-of-order nonces (§11.4). */
	setNonce(nonce: number): void {
		if (!Number.isInteger(nonce) || nonce < 0 || nonce > NOISE_MAX_NONCE) throw new PicketError<NoiseErrorCode>("nonce-exhausted", `nonce ${nonce}`);
		this.#n = nonce;
	}

	/** EncryptWithAd(ad, plaintext): ENCRYPT(k, n++, ad, plaintext) if k is non-empty, else plaintext. */
	encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
		if (this.#k === undefined) return plaintext;
		this.#checkNonce();
		const ciphertext = this.cipher.encrypt(this.#k, this.#n, ad, plaintext);
		this.#n++;
		return ciphertext;
	}

	/** DecryptWithAd(ad, ciphertext): DECRYPT(k, n++, ad, ciphertext); n stays put when authentication fails. */
	decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
		if (this.#k === undefined) return ciphertext;
		this.#checkNonce();
		const plaintext = this.cipher.decrypt(this.#k, this.#n, ad, ciphertext);
		this.#n++;
		return plaintext;
	}

	/** Rekey(): k = REKEY(k) (§4.2), n unchanged. */
	rekey(): void {
		if (this.#k !== undefined) this.#k = this.cipher.rekey(this.#k);
	}

	/** The state as plain values, so a caller can undo a failed step (see HandshakeState.readMessage). */
	snapshot(): { readonly k: Uint8Array | undefined; readonly n: number } {
		return { k: this.#k, n: this.#n };
	}

	restore(snapshot: { readonly k: Uint8Array | undefined; readonly n: number }): void {
		this.#k = snapshot.k;
		this.#n = snapshot.n;
	}

	#checkNonce(): void {
		// §5.1: n = 2^64 − 1 is reserved, and a CipherState must never reuse a nonce.
		if (this.#n > NOISE_MAX_NONCE - 1) throw new PicketError<NoiseErrorCode>("nonce-exhausted");
	}
}
