/** Loads the MCUboot fixtures (test/fixtures/mcuboot, copied from the shared imgtool 2.4.0 vectors). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// build/test/support/ → <repo>/test/fixtures/mcuboot/
export const MCUBOOT_FIXTURES = fileURLToPath(new URL("../../../test/fixtures/mcuboot/", import.meta.url));

export function mcubootFixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(MCUBOOT_FIXTURES + name));
}

export function mcubootFixtureText(name: string): string {
	return readFileSync(MCUBOOT_FIXTURES + name, "utf8");
}

/** The options the shared README gives for ed25519-h32.bin, as Picket's sign options. */
export const ED25519_VECTOR_OPTIONS = {
	headerSize: 0x20,
	padHeader: true,
	align: 4,
	version: { major: 1, minor: 2, revision: 3, build: 45 },
	slotSize: 0x10000,
} as const;

export const P256_VECTOR_OPTIONS = { ...ED25519_VECTOR_OPTIONS, version: { major: 1, minor: 0, revision: 0, build: 0 } } as const;

export const VECTOR_DIGESTS = {
	"ed25519-h32.bin": "f6882a8d9d26b80e9b9c62536d2bf94c0f0c2edd9fc234df8bd9268c5b165704",
	"p256-h32.bin": "6bebefaca77d87fbe8cc50dd1cbded76ed9a4ace5d586ef05d44f3c12ee60123",
} as const;
