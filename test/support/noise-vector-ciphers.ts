/**
 * The registered Noise ciphers (rev 34 §12.3 ChaChaPoly, §12.4 AESGCM) over @noble/ciphers,
 * for the published test vectors only: the firmware runs AESCCM (picket/link/noise/noise-functions).
 */
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { bigEndianNonce, defineCipher, type NoiseCipher } from "picket/link/noise/noise-functions";

/** AESGCM: AES-256-GCM, nonce = 4 zero bytes ‖ n as 64-bit big-endian. */
export const AESGCM: NoiseCipher = defineCipher({
	name: "AESGCM",
	tagLength: 16,
	nonce: bigEndianNonce(12),
	seal: (k, nonce, ad, plaintext) => gcm(k, nonce, ad).encrypt(plaintext),
	open: (k, nonce, ad, ciphertext) => gcm(k, nonce, ad).decrypt(ciphertext),
});

/** ChaChaPoly: ChaCha20-Poly1305 (RFC 8439), nonce = 4 zero bytes ‖ n as 64-bit little-endian. */
export const CHACHAPOLY: NoiseCipher = defineCipher({
	name: "ChaChaPoly",
	tagLength: 16,
	nonce(high, low) {
		const nonce = new Uint8Array(12);
		const view = new DataView(nonce.buffer);
		view.setUint32(4, low, true);
		view.setUint32(8, high, true);
		return nonce;
	},
	seal: (k, nonce, ad, plaintext) => chacha20poly1305(k, nonce, ad).encrypt(plaintext),
	open: (k, nonce, ad, ciphertext) => chacha20poly1305(k, nonce, ad).decrypt(ciphertext),
});

export const VECTOR_CIPHERS: Readonly<Record<string, NoiseCipher>> = { AESGCM, ChaChaPoly: CHACHAPOLY };
