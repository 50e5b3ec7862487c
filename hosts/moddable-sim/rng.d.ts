/**
 * Moddable's `rng` module ($(MODULES)/crypt/etc/rng, mapped in manifest.json for lin/mac):
 * RC4 seeded from the C library's rand(). NOT a cryptographic source: good enough for the
 * simulator's demonstration, never for a real domain's keys.
 */
declare module "rng" {
	const RNG: {
		get(count: number): ArrayBuffer;
		init(seed?: ArrayBuffer): void;
	};
	export default RNG;
}
