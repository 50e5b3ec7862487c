/*
 * Published vectors through Picket's PSA layer (modules/crypto/native/picket-psa.c), in plain
 * C with no XS: proves the Mbed TLS build underneath does what the binding relies on.
 * Build and run: make -C hosts/xs/native-tests test
 *
 * Sources of the vectors:
 *   RFC 3610 §8 packet vectors #1–#24 (AES-CCM, 8- and 10-byte tags)
 *   NIST SP 800-38C appendix C.1–C.4 (AES-CCM, nonces of 7, 8, 12, 13 bytes; C.4 with 65,536 bytes of associated data)
 *   RFC 7748 §5.2 (X25519 function) and §6.1 (Diffie-Hellman between Alice and Bob)
 *   RFC 5869 appendix A.1 (case 1) and A.3 (case 3, empty salt and info)
 *   RFC 4231 §4.2 (case 1) and §4.7 (case 6, key longer than the block)
 *   FIPS 180-2 appendix B.1 (SHA-256 of "abc")
 *   RFC 6979 appendix A.2.5 (ECDSA P-256 with SHA-256, message "sample")
 */
#include <stdio.h>
#include <string.h>

#include "p256-point.h"
#include "picket-psa.h"

static int failures = 0;
static int checks = 0;

static size_t from_hex(const char *hex, uint8_t *out)
{
	size_t length = strlen(hex) / 2, index;
	for (index = 0; index < length; index++) {
		unsigned value;
		sscanf(hex + 2 * index, "%2x", &value);
		out[index] = (uint8_t)value;
	}
	return length;
}

static void check(int condition, const char *what)
{
	checks++;
	if (!condition) {
		failures++;
		printf("FAIL %s (last PSA status %d)\n", what, (int)picket_psa_last_status());
	}
}

static void check_bytes(const uint8_t *actual, const char *expectedHex, const char *what)
{
	uint8_t expected[512];
	size_t length = from_hex(expectedHex, expected);
	check(memcmp(actual, expected, length) == 0, what);
}

/* RFC 3610 §8 packet vectors #1–#24: number, M, nonce, header length, packet (header ‖ payload),
 * output after the header (ciphertext ‖ tag). Keys: C0..CF for #1–#12, D7828D13B2B0BDC325A76236DF93CC6B after. */
static const struct {
	int number;
	size_t tagLength;
	const char *nonce;
	size_t headerLength;
	const char *packet;
	const char *sealed;
} RFC3610[] = {
	{ 1, 8, "00000003020100A0A1A2A3A4A5", 8, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E",
		"588C979A61C663D2F066D0C2C0F989806D5F6B61DAC38417E8D12CFDF926E0" },
	{ 2, 8, "00000004030201A0A1A2A3A4A5", 8, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
		"72C91A36E135F8CF291CA894085C87E3CC15C439C9E43A3BA091D56E10400916" },
	{ 3, 8, "00000005040302A0A1A2A3A4A5", 8, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20",
		"51B1E5F44A197D1DA46B0F8E2D282AE871E838BB64DA8596574ADAA76FBD9FB0C5" },
	{ 4, 8, "00000006050403A0A1A2A3A4A5", 12, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E",
		"A28C6865939A9A79FAAA5C4C2A9D4A91CDAC8C96C861B9C9E61EF1" },
	{ 5, 8, "00000007060504A0A1A2A3A4A5", 12, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
		"DCF1FB7B5D9E23FB9D4E131253658AD86EBDCA3E51E83F077D9C2D93" },
	{ 6, 8, "00000008070605A0A1A2A3A4A5", 12, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20",
		"6FC1B011F006568B5171A42D953D469B2570A4BD87405A0443AC91CB94" },
	{ 7, 10, "00000009080706A0A1A2A3A4A5", 8, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E",
		"0135D1B2C95F41D5D1D4FEC185D166B8094E999DFED96C048C56602C97ACBB7490" },
	{ 8, 10, "0000000A090807A0A1A2A3A4A5", 8, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
		"7B75399AC0831DD2F0BBD75879A2FD8F6CAE6B6CD9B7DB24C17B4433F434963F34B4" },
	{ 9, 10, "0000000B0A0908A0A1A2A3A4A5", 8, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20",
		"82531A60CC24945A4B8279181AB5C84DF21CE7F9B73F42E197EA9C07E56B5EB17E5F4E" },
	{ 10, 10, "0000000C0B0A09A0A1A2A3A4A5", 12, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E",
		"07342594157785152B074098330ABB141B947B566AA9406B4D999988DD" },
	{ 11, 10, "0000000D0C0B0AA0A1A2A3A4A5", 12, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
		"676BB20380B0E301E8AB79590A396DA78B834934F53AA2E9107A8B6C022C" },
	{ 12, 10, "0000000E0D0C0BA0A1A2A3A4A5", 12, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20",
		"C0FFA0D6F05BDB67F24D43A4338D2AA4BED7B20E43CD1AA31662E7AD65D6DB" },
	{ 13, 8, "00412B4EA9CDBE3C9696766CFA", 8, "0BE1A88BACE018B108E8CF97D820EA258460E96AD9CF5289054D895CEAC47C",
		"4CB97F86A2A4689A877947AB8091EF5386A6FFBDD080F8E78CF7CB0CDDD7B3" },
	{ 14, 8, "0033568EF7B2633C9696766CFA", 8, "63018F76DC8A1BCB9020EA6F91BDD85AFA0039BA4BAFF9BFB79C7028949CD0EC",
		"4CCB1E7CA981BEFAA0726C55D378061298C85C92814ABC33C52EE81D7D77C08A" },
	{ 15, 8, "00103FE41336713C9696766CFA", 8, "AA6CFA36CAE86B40B916E0EACC1C00D7DCEC68EC0B3BBB1A02DE8A2D1AA346132E",
		"B1D23A2220DDC0AC900D9AA03C61FCF4A559A4417767089708A776796EDB723506" },
	{ 16, 8, "00764C63B8058E3C9696766CFA", 12, "D0D0735C531E1BECF049C24412DAAC5630EFA5396F770CE1A66B21F7B2101C",
		"14D253C3967B70609B7CBB7C499160283245269A6F49975BCADEAF" },
	{ 17, 8, "00F8B678094E3B3C9696766CFA", 12, "77B60F011C03E1525899BCAEE88B6A46C78D63E52EB8C546EFB5DE6F75E9CC0D",
		"5545FF1A085EE2EFBF52B2E04BEE1E2336C73E3F762C0C7744FE7E3C" },
	{ 18, 8, "00D560912D3F703C9696766CFA", 12, "CD9044D2B71FDB8120EA60C06435ACBAFB11A82E2F071D7CA4A5EBD93A803BA87F",
		"009769ECABDF48625594C59251E6035722675E04C847099E5AE0704551" },
	{ 19, 10, "0042FFF8F1951C3C9696766CFA", 8, "D85BC7E69F944FB88A19B950BCF71A018E5E6701C91787659809D67DBEDD18",
		"BC218DAA947427B6DB386A99AC1AEF23ADE0B52939CB6A637CF9BEC2408897C6BA" },
	{ 20, 10, "00920F40E56CDC3C9696766CFA", 8, "74A0EBC9069F5B371761433C37C5A35FC1F39F406302EB907C6163BE38C98437",
		"5810E6FD25874022E80361A478E3E9CF484AB04F447EFFF6F0A477CC2FC9BF548944" },
	{ 21, 10, "0027CA0C7120BC3C9696766CFA", 8, "44A3AA3AAE6475CAA434A8E58500C6E41530538862D686EA9E81301B5AE4226BFA",
		"F2BEED7BC5098E83FEB5B31608F8E29C38819A89C8E776F1544D4151A4ED3A8B87B9CE" },
	{ 22, 10, "005B8CCBCD9AF83C9696766CFA", 12, "EC46BB63B02520C33C49FD70B96B49E21D621741632875DB7F6C9243D2D7C2",
		"31D750A09DA3ED7FDDD49A2032AABF17EC8EBF7D22C8088C666BE5C197" },
	{ 23, 10, "003EBE94044B9A3C9696766CFA", 12, "47A65AC78B3D594227E85E71E2FCFBB880442C731BF95167C8FFD7895E337076",
		"E882F1DBD38CE3EDA7C23F04DD65071EB41342ACDF7E00DCCEC7AE52987D" },
	{ 24, 10, "008D493B30AE8B3C9696766CFA", 12, "6E37A6EF546D955D34AB6059ABF21C0B02FEB88F856DF4A37381BCE3CC128517D4",
		"F32905B88A641B04B9C9FFB58CC390900F3DA12AB16DCE9E82EFA16DA62059" },
};

/* NIST SP 800-38C appendix C.1–C.3: key 40..4F, nonces of 7, 8 and 12 bytes (L = 8, 7, 3), tags of 4, 6, 8 bytes. */
static const struct {
	const char *nonce;
	const char *associatedData;
	const char *plaintext;
	size_t tagLength;
	const char *sealed;
} SP800_38C[] = {
	{ "10111213141516", "0001020304050607", "20212223", 4, "7162015b4dac255d" },
	{ "1011121314151617", "000102030405060708090a0b0c0d0e0f", "202122232425262728292a2b2c2d2e2f", 6,
		"d2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd" },
	{ "101112131415161718191a1b", "000102030405060708090a0b0c0d0e0f10111213",
		"202122232425262728292a2b2c2d2e2f3031323334353637", 8, "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951" },
};

/* Every published vector through the one CCM implementation the ESP32 runs (over PSA AES-ECB here). */
static void test_ccm_vectors(void)
{
	uint8_t key[16], nonce[13], packet[64], expected[64], sealed[64], opened[64];
	size_t index, nonceLength, packetLength, sealedLength, associatedLength, plaintextLength;
	char what[64];

	for (index = 0; index < sizeof(RFC3610) / sizeof(RFC3610[0]); index++) {
		from_hex(RFC3610[index].number <= 12 ? "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF" : "D7828D13B2B0BDC325A76236DF93CC6B", key);
		nonceLength = from_hex(RFC3610[index].nonce, nonce);
		packetLength = from_hex(RFC3610[index].packet, packet);
		sealedLength = from_hex(RFC3610[index].sealed, expected);
		associatedLength = RFC3610[index].headerLength;
		plaintextLength = packetLength - associatedLength;
		snprintf(what, sizeof(what), "RFC 3610 #%d seal", RFC3610[index].number);
		check(picket_ccm_seal(key, 16, nonce, nonceLength, packet, associatedLength, packet + associatedLength, plaintextLength,
			RFC3610[index].tagLength, sealed) == PICKET_PSA_OK && memcmp(sealed, expected, sealedLength) == 0, what);
		snprintf(what, sizeof(what), "RFC 3610 #%d open", RFC3610[index].number);
		check(picket_ccm_open(key, 16, nonce, nonceLength, packet, associatedLength, expected, sealedLength,
			RFC3610[index].tagLength, opened) == PICKET_PSA_OK && memcmp(opened, packet + associatedLength, plaintextLength) == 0, what);
	}
	from_hex("404142434445464748494a4b4c4d4e4f", key);
	for (index = 0; index < sizeof(SP800_38C) / sizeof(SP800_38C[0]); index++) {
		uint8_t associatedData[32], plaintext[32];
		nonceLength = from_hex(SP800_38C[index].nonce, nonce);
		associatedLength = from_hex(SP800_38C[index].associatedData, associatedData);
		plaintextLength = from_hex(SP800_38C[index].plaintext, plaintext);
		sealedLength = from_hex(SP800_38C[index].sealed, expected);
		snprintf(what, sizeof(what), "SP 800-38C C.%d seal", (int)index + 1);
		check(picket_ccm_seal(key, 16, nonce, nonceLength, associatedData, associatedLength, plaintext, plaintextLength,
			SP800_38C[index].tagLength, sealed) == PICKET_PSA_OK && memcmp(sealed, expected, sealedLength) == 0, what);
		snprintf(what, sizeof(what), "SP 800-38C C.%d open", (int)index + 1);
		check(picket_ccm_open(key, 16, nonce, nonceLength, associatedData, associatedLength, expected, sealedLength,
			SP800_38C[index].tagLength, opened) == PICKET_PSA_OK && memcmp(opened, plaintext, plaintextLength) == 0, what);
	}
}

static void test_ccm(void)
{
	uint8_t key[16], nonce[13], header[8], payload[64], sealed[128], opened[64];
	size_t payloadLength, tagLength, flip;

	from_hex("C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF", key);
	from_hex("00000003020100A0A1A2A3A4A5", nonce);
	from_hex("0001020304050607", header);
	payloadLength = from_hex("08090A0B0C0D0E0F101112131415161718191A1B1C1D1E", payload);

	check(picket_ccm_seal(key, 16, nonce, 13, header, 8, payload, payloadLength, 8, sealed) == PICKET_PSA_OK, "RFC 3610 #1 seal");
	check_bytes(sealed, "588C979A61C663D2F066D0C2C0F989806D5F6B61DAC38417E8D12CFDF926E0", "RFC 3610 #1 ciphertext and tag");
	check(picket_ccm_open(key, 16, nonce, 13, header, 8, sealed, payloadLength + 8, 8, opened) == PICKET_PSA_OK, "RFC 3610 #1 open");
	check(memcmp(opened, payload, payloadLength) == 0, "RFC 3610 #1 plaintext");

	/* Every tag length Mbed TLS accepts through PSA_ALG_AEAD_WITH_SHORTENED_TAG, and a flipped bit in each part. */
	for (tagLength = 4; tagLength <= 16; tagLength += 2) {
		check(picket_ccm_seal(key, 16, nonce, 13, header, 8, payload, payloadLength, tagLength, sealed) == PICKET_PSA_OK, "seal per tag length");
		check(picket_ccm_open(key, 16, nonce, 13, header, 8, sealed, payloadLength + tagLength, tagLength, opened) == PICKET_PSA_OK, "open per tag length");
		check(memcmp(opened, payload, payloadLength) == 0, "round trip per tag length");
		for (flip = 0; flip < payloadLength + tagLength; flip++) {
			sealed[flip] ^= 0x01;
			check(picket_ccm_open(key, 16, nonce, 13, header, 8, sealed, payloadLength + tagLength, tagLength, opened) == PICKET_PSA_BAD_TAG, "flipped sealed bit");
			check(opened[0] == 0 && opened[payloadLength - 1] == 0, "no plaintext after a bad tag");
			sealed[flip] ^= 0x01;
		}
		header[3] ^= 0x80;
		check(picket_ccm_open(key, 16, nonce, 13, header, 8, sealed, payloadLength + tagLength, tagLength, opened) == PICKET_PSA_BAD_TAG, "flipped header bit");
		header[3] ^= 0x80;
		nonce[12] ^= 0x01;
		check(picket_ccm_open(key, 16, nonce, 13, header, 8, sealed, payloadLength + tagLength, tagLength, opened) == PICKET_PSA_BAD_TAG, "flipped nonce bit");
		nonce[12] ^= 0x01;
	}

	/* Empty payload and empty associated data: the tag alone. */
	check(picket_ccm_seal(key, 16, nonce, 13, NULL, 0, NULL, 0, 4, sealed) == PICKET_PSA_OK, "empty seal");
	check(picket_ccm_open(key, 16, nonce, 13, NULL, 0, sealed, 4, 4, opened) == PICKET_PSA_OK, "empty open");

	/* Misuse is a status, never an overrun. */
	check(picket_ccm_seal(key, 15, nonce, 13, header, 8, payload, 1, 8, sealed) == PICKET_PSA_BAD_LENGTH, "short key");
	check(picket_ccm_seal(key, 16, nonce, 6, header, 8, payload, 1, 8, sealed) == PICKET_PSA_BAD_LENGTH, "nonce shorter than 7");
	check(picket_ccm_seal(key, 16, nonce, 14, header, 8, payload, 1, 8, sealed) == PICKET_PSA_BAD_LENGTH, "nonce longer than 13");
	check(picket_ccm_seal(key, 16, nonce, 13, header, 8, payload, 65536, 8, sealed) == PICKET_PSA_BAD_LENGTH, "payload beyond L = 2");
	check(picket_ccm_seal(key, 16, nonce, 13, header, 8, payload, 1, 5, sealed) == PICKET_PSA_BAD_LENGTH, "odd tag");
	check(picket_ccm_seal(key, 16, nonce, 13, header, 8, payload, 1, 18, sealed) == PICKET_PSA_BAD_LENGTH, "long tag");
	check(picket_ccm_open(key, 16, nonce, 13, header, 8, sealed, 3, 4, opened) == PICKET_PSA_BAD_LENGTH, "sealed shorter than tag");
}

/* SP 800-38C C.4: associated data of 2^16 bytes takes the 6-byte length encoding (0xFF 0xFE ‖ 32 bits);
 * around 0xFF00, where the encoding changes from 2 to 6 bytes, each length must round-trip and reject a flipped bit. */
static void test_ccm_long_associated_data(void)
{
	static uint8_t associatedData[65536];
	uint8_t key[16], nonce[13], payload[32], sealed[48], opened[32];
	size_t index, length;

	for (index = 0; index < sizeof(associatedData); index++)
		associatedData[index] = (uint8_t)index;
	for (index = 0; index < 16; index++)
		key[index] = (uint8_t)(0x40 + index);
	for (index = 0; index < 13; index++)
		nonce[index] = (uint8_t)(0x10 + index);
	for (index = 0; index < 32; index++)
		payload[index] = (uint8_t)(0x20 + index);

	check(picket_ccm_seal(key, 16, nonce, 13, associatedData, 65536, payload, 32, 14, sealed) == PICKET_PSA_OK, "C.4 seal");
	check_bytes(sealed, "69915dad1e84c6376a68c2967e4dab615ae0fd1faec44cc484828529463ccf72b4ac6bec93e8598e7f0dadbcea5b", "SP 800-38C C.4");
	check(picket_ccm_open(key, 16, nonce, 13, associatedData, 65536, sealed, 46, 14, opened) == PICKET_PSA_OK, "C.4 open");
	check(memcmp(opened, payload, 32) == 0, "C.4 plaintext");
	associatedData[40000] ^= 1;
	check(picket_ccm_open(key, 16, nonce, 13, associatedData, 65536, sealed, 46, 14, opened) == PICKET_PSA_BAD_TAG, "C.4 flipped associated data");
	check(opened[0] == 0 && opened[31] == 0, "C.4 no plaintext after a bad tag");
	associatedData[40000] ^= 1;
	for (length = 0xFEFE; length <= 0xFF02; length++) {
		check(picket_ccm_seal(key, 16, nonce, 13, associatedData, length, payload, 17, 16, sealed) == PICKET_PSA_OK, "seal around 0xFF00");
		check(picket_ccm_open(key, 16, nonce, 13, associatedData, length, sealed, 33, 16, opened) == PICKET_PSA_OK, "open around 0xFF00");
		sealed[32] ^= 0x80;
		check(picket_ccm_open(key, 16, nonce, 13, associatedData, length, sealed, 33, 16, opened) == PICKET_PSA_BAD_TAG, "tag around 0xFF00");
	}
}

static void test_x25519(void)
{
	uint8_t alice[32], bob[32], alicePublic[32], bobPublic[32], shared[32], scalar[32], u[32], out[32];

	from_hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", scalar);
	from_hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", u);
	check(picket_x25519_shared_secret(scalar, 32, u, 32, out) == PICKET_PSA_OK, "RFC 7748 §5.2 #1");
	check_bytes(out, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", "RFC 7748 §5.2 #1 output");
	/* the second vector's u has its top bit set, which X25519 must ignore (§5) */
	from_hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d", scalar);
	from_hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493", u);
	check(picket_x25519_shared_secret(scalar, 32, u, 32, out) == PICKET_PSA_OK, "RFC 7748 §5.2 #2");
	check_bytes(out, "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957", "RFC 7748 §5.2 #2 output");

	from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", alice);
	from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", bob);
	check(picket_x25519_public_key(alice, 32, alicePublic) == PICKET_PSA_OK, "Alice public");
	check_bytes(alicePublic, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", "RFC 7748 §6.1 Alice public");
	check(picket_x25519_public_key(bob, 32, bobPublic) == PICKET_PSA_OK, "Bob public");
	check_bytes(bobPublic, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", "RFC 7748 §6.1 Bob public");
	check(picket_x25519_shared_secret(alice, 32, bobPublic, 32, shared) == PICKET_PSA_OK, "Alice shared");
	check_bytes(shared, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", "RFC 7748 §6.1 shared (Alice)");
	check(picket_x25519_shared_secret(bob, 32, alicePublic, 32, shared) == PICKET_PSA_OK, "Bob shared");
	check_bytes(shared, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", "RFC 7748 §6.1 shared (Bob)");

	/* Low-order points (u = 0, u = 1) give the all-zero secret that §6.1 says to reject. */
	memset(u, 0, sizeof(u));
	check(picket_x25519_shared_secret(alice, 32, u, 32, out) == PICKET_PSA_WEAK_PUBLIC_KEY, "u = 0 rejected");
	u[0] = 1;
	check(picket_x25519_shared_secret(alice, 32, u, 32, out) == PICKET_PSA_WEAK_PUBLIC_KEY, "u = 1 rejected");
	check(picket_x25519_shared_secret(alice, 31, u, 32, out) == PICKET_PSA_BAD_LENGTH, "short secret");
	check(picket_x25519_public_key(alice, 33, out) == PICKET_PSA_BAD_LENGTH, "long secret");
}

static void test_hashes(void)
{
	uint8_t key[160], salt[16], info[16], out[64], message[64];
	size_t saltLength, infoLength, messageLength;

	check(picket_sha256((const uint8_t *)"abc", 3, out) == PICKET_PSA_OK, "SHA-256 abc");
	check_bytes(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS 180-2 B.1");

	memset(key, 0x0b, 20);
	check(picket_hmac_sha256(key, 20, (const uint8_t *)"Hi There", 8, out) == PICKET_PSA_OK, "HMAC case 1");
	check_bytes(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", "RFC 4231 case 1");
	memset(key, 0xaa, 131);
	messageLength = strlen("Test Using Larger Than Block-Size Key - Hash Key First");
	memcpy(message, "Test Using Larger Than Block-Size Key - Hash Key First", messageLength);
	check(picket_hmac_sha256(key, 131, message, messageLength, out) == PICKET_PSA_OK, "HMAC case 6");
	check_bytes(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", "RFC 4231 case 6");
	/* empty key: PSA will not import it; the zero-padded equivalent must give the same MAC */
	check(picket_hmac_sha256(NULL, 0, NULL, 0, out) == PICKET_PSA_OK, "HMAC empty key");
	check_bytes(out, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad", "HMAC-SHA-256 of empty key and message");

	memset(key, 0x0b, 22);
	saltLength = from_hex("000102030405060708090a0b0c", salt);
	infoLength = from_hex("f0f1f2f3f4f5f6f7f8f9", info);
	check(picket_hkdf_sha256(key, 22, salt, saltLength, info, infoLength, out, 42) == PICKET_PSA_OK, "HKDF case 1");
	check_bytes(out, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", "RFC 5869 A.1");
	check(picket_hkdf_sha256(key, 22, NULL, 0, NULL, 0, out, 42) == PICKET_PSA_OK, "HKDF case 3");
	check_bytes(out, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8", "RFC 5869 A.3");
	check(picket_hkdf_sha256(NULL, 0, NULL, 0, NULL, 0, out, 32) == PICKET_PSA_OK, "HKDF empty input key material");
	check(picket_hkdf_sha256(key, 22, NULL, 0, NULL, 0, out, 255 * 32 + 1) == PICKET_PSA_BAD_LENGTH, "HKDF too long");
}

static void test_ecdsa(void)
{
	uint8_t publicKey[65], compressed[33], signature[64];

	from_hex("0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
		"7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299", publicKey);
	from_hex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
		"F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8", signature);
	check(picket_ecdsa_p256_verify(publicKey, 65, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_OK, "RFC 6979 A.2.5 valid");
	check(picket_ecdsa_p256_verify(publicKey, 65, (const uint8_t *)"samplf", 6, signature, 64) == PICKET_PSA_INVALID_SIGNATURE, "other message");
	signature[63] ^= 1;
	check(picket_ecdsa_p256_verify(publicKey, 65, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_INVALID_SIGNATURE, "flipped signature");
	signature[63] ^= 1;

	/* the same key compressed: y ends in 0x99, odd, so prefix 0x03 (SEC1 §2.3.3) */
	compressed[0] = 0x03;
	memcpy(compressed + 1, publicKey + 1, 32);
	check(picket_ecdsa_p256_verify(compressed, 33, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_OK, "compressed key");
	compressed[0] = 0x02;
	check(picket_ecdsa_p256_verify(compressed, 33, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_INVALID_SIGNATURE, "wrong parity is another key");
	compressed[0] = 0x05;
	check(picket_ecdsa_p256_verify(compressed, 33, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_BAD_ENCODING, "bad prefix");
	publicKey[64] ^= 1;
	check(picket_ecdsa_p256_verify(publicKey, 65, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_BAD_ENCODING, "point off the curve");
	check(picket_ecdsa_p256_verify(publicKey, 64, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_BAD_ENCODING, "key of no SEC1 length");
	check(picket_ecdsa_p256_verify(publicKey, 65, (const uint8_t *)"sample", 6, signature, 63) == PICKET_PSA_BAD_LENGTH, "short signature");
	/* x = 0 is on the curve with an even y (OpenSSL: 02 ‖ 0^32 decompresses to y = 66485c78…); x = 1 is not */
	memset(compressed, 0, sizeof(compressed));
	compressed[0] = 0x02;
	check(picket_ecdsa_p256_verify(compressed, 33, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_INVALID_SIGNATURE, "x = 0 decompresses");
	check(picket_p256_decompress(compressed, publicKey) == 1, "x = 0 point");
	check_bytes(publicKey + 33, "66485c780e2f83d72433bd5d84a06bb6541c2af31dae871728bf856a174f93f4", "x = 0, even y");
	compressed[32] = 1;
	check(picket_ecdsa_p256_verify(compressed, 33, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_BAD_ENCODING, "x = 1 is no point");
	check(picket_p256_decompress(compressed, publicKey) == 0 && publicKey[0] == 0 && publicKey[64] == 0, "x = 1, output zeroed");
	memset(compressed + 1, 0xff, 32); /* x ≥ p */
	compressed[0] = 0x02;
	check(picket_ecdsa_p256_verify(compressed, 33, (const uint8_t *)"sample", 6, signature, 64) == PICKET_PSA_BAD_ENCODING, "x not a field element");
}

static void test_random(void)
{
	static uint8_t first[5000], second[5000];
	check(picket_random(first, sizeof(first)) == PICKET_PSA_OK, "random 5000 bytes");
	check(picket_random(second, sizeof(second)) == PICKET_PSA_OK, "random again");
	check(memcmp(first, second, sizeof(first)) != 0, "two draws differ");
	check(picket_random(NULL, 0) == PICKET_PSA_OK, "random zero bytes");
}

int main(void)
{
	test_ccm_vectors();
	test_ccm();
	test_ccm_long_associated_data();
	test_x25519();
	test_hashes();
	test_ecdsa();
	test_random();
	printf("%s: %d checks, %d failed\n", failures ? "FAIL" : "ok", checks, failures);
	return failures ? 1 : 0;
}
