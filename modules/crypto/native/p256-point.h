/*
 * SEC1 point decompression for NIST P-256, in plain C with no crypto library: PSA imports a
 * Weierstrass public key only as 0x04 ‖ x ‖ y (PSA Crypto API §9.6.5), Mbed TLS 2.28 parses no
 * compressed point, and TF-PSA-Crypto 1.0 keeps its big-number API private. Public data only,
 * so nothing here needs to run in constant time.
 */
#ifndef PICKET_P256_POINT_H
#define PICKET_P256_POINT_H

#include <stdint.h>

/*
 * SEC1 §2.3.4: compressed (0x02 or 0x03 ‖ x, 33 bytes) → uncompressed (0x04 ‖ x ‖ y, 65 bytes).
 * Returns 1 when x is a field element whose x³ − 3x + b is a square mod p, 0 otherwise (the
 * output is then zeroed). The caller still imports the result with psa_import_key, which checks
 * the point again.
 */
int picket_p256_decompress(const uint8_t compressed[33], uint8_t uncompressed[65]);

#endif
