/**
 * SymmetricState (Noise rev 34 §5.2): the chaining key ck, the handshake hash h and a
 * CipherState, one function per spec step, in the spec's order.
 */
import { concatBytes, utf8 } from "picket/core/bytes";
import { CipherState } from "picket/link/noise/cipher-state";
import type { NoiseCipher, NoiseHash } from "picket/link/noise/noise-functions";

export class SymmetricState {
	readonly hash: NoiseHash;
	readonly cipherState: CipherState;
	#ck: Uint8Array;
	#h: Uint8Array;

	/** InitializeSymmetric(protocol_name). */
	constructor(protocolName: string, cipher: NoiseCipher, hash: NoiseHash) {
		this.hash = hash;
		const name = utf8(protocolName);
		if (name.length <= hash.hashLength) {
			this.#h = new Uint8Array(hash.hashLength);
			this.#h.set(name);
		} else {
			this.#h = hash.hash(name);
		}
		this.#ck = this.#h;
		this.cipherState = new CipherState(cipher);
		this.cipherState.initializeKey(undefined);
	}

	/** MixKey(input_key_material): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k). */
	mixKey(inputKeyMaterial: Uint8Array): void {
		const [ck, tempK] = this.hash.hkdf(this.#ck, inputKeyMaterial, 2);
		this.#ck = ck;
		// HASHLEN is 32, so temp_k needs no truncation.
		this.cipherState.initializeKey(tempK);
	}

	/** MixHash(data): h = HASH(h ‖ data). */
	mixHash(data: Uint8Array): void {
		this.#h = this.hash.hash(concatBytes(this.#h, data));
	}

	/** MixKeyAndHash(input_key_material): for "psk" (§9). */
	mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
		const [ck, tempH, tempK] = this.hash.hkdf(this.#ck, inputKeyMaterial, 3);
		this.#ck = ck;
		this.mixHash(tempH);
		this.cipherState.initializeKey(tempK);
	}

	/** GetHandshakeHash(): h, for channel binding (§11.2). */
	getHandshakeHash(): Uint8Array {
		return this.#h.slice();
	}

	/** EncryptAndHash(plaintext): ciphertext = EncryptWithAd(h, plaintext); MixHash(ciphertext). */
	encryptAndHash(plaintext: Uint8Array): Uint8Array {
		const ciphertext = this.cipherState.encryptWithAd(this.#h, plaintext);
		this.mixHash(ciphertext);
		return ciphertext;
	}

	/** DecryptAndHash(ciphertext): plaintext = DecryptWithAd(h, ciphertext); MixHash(ciphertext). */
	decryptAndHash(ciphertext: Uint8Array): Uint8Array {
		const plaintext = this.cipherState.decryptWithAd(this.#h, ciphertext);
		this.mixHash(ciphertext);
		return plaintext;
	}

	/**
	 * Split(): temp_k1, temp_k2 = HKDF(ck, zerolen, 2); two CipherStates, initiator→responder
	 * first. `transportCipher` lets Picket run its transport with a shorter CCM tag under the
	 * same keys (see picket/link/session); by default the handshake's cipher, as in the spec.
	 */
	split(transportCipher: NoiseCipher = this.cipherState.cipher): [CipherState, CipherState] {
		const [tempK1, tempK2] = this.hash.hkdf(this.#ck, new Uint8Array(0), 2);
		const c1 = new CipherState(transportCipher);
		const c2 = new CipherState(transportCipher);
		c1.initializeKey(tempK1);
		c2.initializeKey(tempK2);
		return [c1, c2];
	}

	snapshot(): { readonly ck: Uint8Array; readonly h: Uint8Array; readonly cipher: ReturnType<CipherState["snapshot"]> } {
		return { ck: this.#ck, h: this.#h, cipher: this.cipherState.snapshot() };
	}

	restore(snapshot: ReturnType<SymmetricState["snapshot"]>): void {
		this.#ck = snapshot.ck;
		this.#h = snapshot.h;
		this.cipherState.restore(snapshot.cipher);
	}
}
