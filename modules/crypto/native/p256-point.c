/*
 * P-256 point decompression (see p256-point.h): y = (x³ − 3x + b)^((p + 1) / 4) mod p, the
 * square root that exists for p ≡ 3 (mod 4), then the root whose parity the prefix names
 * (SEC1 §2.3.4). Field elements are eight 32-bit limbs, least significant first; products
 * are Montgomery products (R = 2^256), which need no division.
 */
#include "p256-point.h"

#include <string.h>

#define LIMBS 8
typedef uint32_t field[LIMBS];

/* FIPS 186-4 §D.1.2.3: p = 2^256 − 2^224 + 2^192 + 2^96 − 1, and b. */
static const field P = { 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0xFFFFFFFF };
static const uint8_t B_BYTES[32] = {
	0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
	0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
};
static const field ONE = { 1 };
static const field ZERO = { 0 };

static void field_from_bytes(field out, const uint8_t bytes[32])
{
	int limb;
	for (limb = 0; limb < LIMBS; limb++) {
		const uint8_t *word = bytes + 28 - 4 * limb;
		out[limb] = ((uint32_t)word[0] << 24) | ((uint32_t)word[1] << 16) | ((uint32_t)word[2] << 8) | word[3];
	}
}

static void field_to_bytes(uint8_t bytes[32], const field in)
{
	int limb;
	for (limb = 0; limb < LIMBS; limb++) {
		uint8_t *word = bytes + 28 - 4 * limb;
		word[0] = (uint8_t)(in[limb] >> 24);
		word[1] = (uint8_t)(in[limb] >> 16);
		word[2] = (uint8_t)(in[limb] >> 8);
		word[3] = (uint8_t)in[limb];
	}
}

static int field_compare(const field a, const field b)
{
	int limb;
	for (limb = LIMBS - 1; limb >= 0; limb--) {
		if (a[limb] != b[limb])
			return a[limb] > b[limb] ? 1 : -1;
	}
	return 0;
}

/* r = a + b mod 2^256; returns the carry out. */
static uint32_t add_raw(field r, const field a, const field b)
{
	uint64_t carry = 0;
	int limb;
	for (limb = 0; limb < LIMBS; limb++) {
		carry += (uint64_t)a[limb] + b[limb];
		r[limb] = (uint32_t)carry;
		carry >>= 32;
	}
	return (uint32_t)carry;
}

/* r = a − b mod 2^256; returns the borrow out. */
static uint32_t subtract_raw(field r, const field a, const field b)
{
	int64_t borrow = 0;
	int limb;
	for (limb = 0; limb < LIMBS; limb++) {
		borrow += (int64_t)a[limb] - b[limb];
		r[limb] = (uint32_t)borrow;
		borrow = borrow < 0 ? -1 : 0;
	}
	return (uint32_t)(borrow != 0);
}

/* r = a + b mod p, for a, b < p. */
static void field_add(field r, const field a, const field b)
{
	uint32_t carry = add_raw(r, a, b);
	if (carry || field_compare(r, P) >= 0)
		subtract_raw(r, r, P);
}

/* r = a − b mod p, for a, b < p. */
static void field_subtract(field r, const field a, const field b)
{
	if (subtract_raw(r, a, b))
		add_raw(r, r, P);
}

/*
 * r = a · b · 2^-256 mod p (Montgomery product, coarsely integrated operand scanning). The
 * factor m that clears the low limb is t[0] · (−p⁻¹ mod 2^32), and −p⁻¹ ≡ 1 there because
 * p ≡ −1 (mod 2^32).
 */
static void field_multiply(field r, const field a, const field b)
{
	uint32_t t[LIMBS + 2] = { 0 };
	int i, j;

	for (i = 0; i < LIMBS; i++) {
		uint64_t sum, carry = 0;
		uint32_t m;
		for (j = 0; j < LIMBS; j++) {
			sum = (uint64_t)t[j] + (uint64_t)a[j] * b[i] + carry;
			t[j] = (uint32_t)sum;
			carry = sum >> 32;
		}
		sum = (uint64_t)t[LIMBS] + carry;
		t[LIMBS] = (uint32_t)sum;
		t[LIMBS + 1] = (uint32_t)(sum >> 32);

		m = t[0];
		carry = ((uint64_t)t[0] + (uint64_t)m * P[0]) >> 32;
		for (j = 1; j < LIMBS; j++) {
			sum = (uint64_t)t[j] + (uint64_t)m * P[j] + carry;
			t[j - 1] = (uint32_t)sum;
			carry = sum >> 32;
		}
		sum = (uint64_t)t[LIMBS] + carry;
		t[LIMBS - 1] = (uint32_t)sum;
		t[LIMBS] = t[LIMBS + 1] + (uint32_t)(sum >> 32);
	}
	/* t < 2p here: one conditional subtraction (the ninth limb is the 2^256 bit). */
	if (t[LIMBS] != 0 || field_compare(t, P) >= 0)
		subtract_raw(r, t, P);
	else
		memcpy(r, t, sizeof(field));
}

/* r = base^exponent in the Montgomery domain; montgomeryOne is 2^256 mod p. */
static void field_power(field r, const field base, const field exponent, const field montgomeryOne)
{
	field result;
	int bit;

	memcpy(result, montgomeryOne, sizeof(field));
	for (bit = 32 * LIMBS - 1; bit >= 0; bit--) {
		field_multiply(result, result, result);
		if ((exponent[bit / 32] >> (bit % 32)) & 1)
			field_multiply(result, result, base);
	}
	memcpy(r, result, sizeof(field));
}

int picket_p256_decompress(const uint8_t compressed[33], uint8_t uncompressed[65])
{
	field montgomeryOne, rr, exponent, x, b, rhs, t, y, square;
	int step;

	if (compressed[0] != 0x02 && compressed[0] != 0x03)
		goto invalid;
	field_from_bytes(x, compressed + 1);
	if (field_compare(x, P) >= 0)
		goto invalid; /* x must be a field element */

	/* 2^256 mod p = 2^256 − p; doubled 256 times it is 2^512 mod p, which maps into the domain. */
	subtract_raw(montgomeryOne, ZERO, P);
	memcpy(rr, montgomeryOne, sizeof(field));
	for (step = 0; step < 256; step++)
		field_add(rr, rr, rr);
	/* (p + 1) / 4 */
	add_raw(exponent, P, ONE);
	for (step = 0; step < LIMBS; step++)
		exponent[step] = (exponent[step] >> 2) | (step + 1 < LIMBS ? exponent[step + 1] << 30 : 0);

	/* rhs = x³ − 3x + b, everything in the Montgomery domain */
	field_multiply(x, x, rr);
	field_from_bytes(b, B_BYTES);
	field_multiply(b, b, rr);
	field_multiply(t, x, x);
	field_multiply(rhs, t, x);
	for (step = 0; step < 3; step++)
		field_subtract(rhs, rhs, x);
	field_add(rhs, rhs, b);

	field_power(y, rhs, exponent, montgomeryOne);
	field_multiply(square, y, y);
	if (field_compare(square, rhs) != 0)
		goto invalid; /* x is not the abscissa of a curve point */
	field_multiply(y, y, ONE); /* out of the Montgomery domain */
	if ((y[0] & 1) != (uint32_t)(compressed[0] & 1)) {
		if (field_compare(y, ZERO) == 0)
			goto invalid; /* y = 0 has no odd twin */
		field_subtract(y, ZERO, y);
	}
	uncompressed[0] = 0x04;
	memcpy(uncompressed + 1, compressed + 1, 32);
	field_to_bytes(uncompressed + 33, y);
	return 1;

invalid:
	memset(uncompressed, 0, 65);
	return 0;
}
