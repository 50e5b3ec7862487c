/**
 * The ECDSASIG TLV's value, an ECDSA P-256 signature as imgtool 2.4.0 writes it, converted to
 * the 64-byte r ‖ s that PSA's psa_verify_hash and CryptoSuite.ecdsaP256Verify take. This is
 * the device's way into an image signature (the ESP32 update check verifies with the native
 * provider), so the module depends on nothing but picket/core: `picket image verify` (tools/image) and
 * the board's update check (modules/update/image-acceptance.ts) run this very parser.
 *
 * What the TLV holds (mcu-tools/mcuboot v2.4.0 `scripts/imgtool/keys/ecdsa.py`):
 *
 * | bytes        | field                                                            |
 * |--------------|------------------------------------------------------------------|
 * | 0            | 0x30 SEQUENCE                                                     |
 * | 1            | content length L (short form: L ≤ 70 for P-256)                   |
 * | 2 … 2+L      | INTEGER r, INTEGER s: 0x02, length, big-endian value             |
 * | 2+L … 72     | with `--pad-sig` only: zero bytes up to `sig_len()` = 72          |
 *
 * `ECDSA256P1.sign` (ecdsa.py:208-210) pads with `b'\000' * (self.sig_len() - len(sig))`,
 * sig_len() = 72 (ecdsa.py:160): 0–2 bytes for all but ~1 signature in 128 (r or s shorter
 * than 32 bytes gives more). imgtool's own verify cuts the TLV to `signature[:signature[1] + 2]`
 * (ecdsa.py:176) before strict DER (OpenSSL).
 *
 * What MCUboot v2.4.0 accepts depends on its crypto back end
 * (`boot/bootutil/include/bootutil/crypto/ecdsa.h`): TinyCrypt's `bootutil_decode_sig` (:159)
 * and PSA's `parse_signature_from_rfc5480_encoding` (:339) ignore anything after s, and take
 * the low 32 bytes of an over-long integer; Mbed TLS's `mbedtls_ecdsa_read_signature` (:592)
 * refuses any byte after the SEQUENCE. None of them refuses a high s (s > n/2), and OpenSSL signs with
 * either half, so refusing it would refuse about half of imgtool's genuine signatures.
 *
 * Picket accepts the intersection that imgtool can write: strict DER (tags, short-form
 * lengths, minimal positive integers of at most 256 bits, SEQUENCE content exactly the two
 * integers), followed only by zero bytes, and no longer than the padded 72 bytes. High s is
 * accepted, as every MCUboot back end does. Range checks (0 < r, s < n) belong to the verify.
 */
import { constantTimeEqual } from "picket/core/bytes";
import { PicketError } from "picket/core/picket-error";

/** imgtool's `ECDSA256P1.sig_len()`: the length `--pad-sig` pads a signature to. */
export const ECDSA_P256_PADDED_SIGNATURE_LENGTH = 72;
/** r ‖ s, 32 bytes each, as PSA takes them. */
export const ECDSA_P256_RAW_SIGNATURE_LENGTH = 64;
const SCALAR_LENGTH = 32;

function refuse(why: string): never {
	throw new PicketError<"bad-signature">("bad-signature", `ECDSA signature is not DER as imgtool writes it: ${why}`);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }`, optionally zero-padded to 72 bytes, as r ‖ s. Throws "bad-signature". */
export function ecdsaP256SignatureToRaw(tlvValue: Uint8Array): Uint8Array {
	if (tlvValue.length > ECDSA_P256_PADDED_SIGNATURE_LENGTH) refuse(`${tlvValue.length} bytes, more than the padded ${ECDSA_P256_PADDED_SIGNATURE_LENGTH}`);
	if (tlvValue.length < 8 || tlvValue[0] !== 0x30) refuse("no SEQUENCE");
	const contentLength = tlvValue[1]!;
	if (contentLength >= 0x80) refuse("SEQUENCE length not in short form");
	const end = 2 + contentLength;
	if (end > tlvValue.length) refuse("SEQUENCE runs past the TLV");
	for (let i = end; i < tlvValue.length; i++) if (tlvValue[i] !== 0) refuse(`non-zero byte after the SEQUENCE at ${i}`);

	const raw = new Uint8Array(ECDSA_P256_RAW_SIGNATURE_LENGTH);
	let cursor = 2;
	for (const half of [0, SCALAR_LENGTH]) {
		if (cursor + 2 > end || tlvValue[cursor] !== 0x02) refuse("INTEGER tag");
		const length = tlvValue[cursor + 1]!;
		const start = cursor + 2;
		if (length === 0 || length > SCALAR_LENGTH + 1 || start + length > end) refuse("INTEGER length");
		const integer = tlvValue.subarray(start, start + length);
		if (integer[0]! & 0x80) refuse("negative INTEGER");
		if (length > 1 && integer[0] === 0 && !(integer[1]! & 0x80)) refuse("non-minimal INTEGER");
		const value = integer[0] === 0 && length > 1 ? integer.subarray(1) : integer;
		if (value.length > SCALAR_LENGTH) refuse("INTEGER wider than 256 bits");
		raw.set(value, half + SCALAR_LENGTH - value.length);
		cursor = start + length;
	}
	if (cursor !== end) refuse("bytes inside the SEQUENCE after s");
	return raw;
}

/** `--pad-sig`: a DER signature followed by zero bytes up to 72, as `ECDSA256P1.sign` with pad_sig. */
export function padEcdsaP256Signature(der: Uint8Array): Uint8Array {
	if (der.length > ECDSA_P256_PADDED_SIGNATURE_LENGTH) refuse(`${der.length} bytes cannot be padded to ${ECDSA_P256_PADDED_SIGNATURE_LENGTH}`);
	const padded = new Uint8Array(ECDSA_P256_PADDED_SIGNATURE_LENGTH);
	padded.set(der);
	return padded;
}


/** RFC 5480 SubjectPublicKeyInfo of an uncompressed P-256 point: these 26 bytes, then the 65-byte point. */
const P256_PUBLIC_KEY_INFO_PREFIX = Uint8Array.from([
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);
const P256_POINT_LENGTH = 65;

/** The SubjectPublicKeyInfo DER of an uncompressed SEC1 P-256 point: what an image's KEYHASH TLV hashes. */
export function p256PublicKeyInfo(point: Uint8Array): Uint8Array {
	if (point.length !== P256_POINT_LENGTH || point[0] !== 4) throw new PicketError<"bad-key">("bad-key", "not an uncompressed SEC1 P-256 point (65 bytes, 0x04 first)");
	const info = new Uint8Array(P256_PUBLIC_KEY_INFO_PREFIX.length + P256_POINT_LENGTH);
	info.set(P256_PUBLIC_KEY_INFO_PREFIX);
	info.set(point, P256_PUBLIC_KEY_INFO_PREFIX.length);
	return info;
}

/** The SEC1 point inside a P-256 SubjectPublicKeyInfo; throws "bad-key" for another key type. */
export function p256PointOfPublicKeyInfo(publicKeyInfo: Uint8Array): Uint8Array {
	const prefix = publicKeyInfo.subarray(0, P256_PUBLIC_KEY_INFO_PREFIX.length);
	if (publicKeyInfo.length !== P256_PUBLIC_KEY_INFO_PREFIX.length + P256_POINT_LENGTH || !constantTimeEqual(prefix, P256_PUBLIC_KEY_INFO_PREFIX)) {
		throw new PicketError<"bad-key">("bad-key", "not the SubjectPublicKeyInfo of an uncompressed P-256 key");
	}
	return publicKeyInfo.slice(P256_PUBLIC_KEY_INFO_PREFIX.length);
}
