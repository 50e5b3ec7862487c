/*
 * Picket's ESP-NOW radio on the ESP32: host bindings to espnow.c (XS `@` syntax, so only
 * the Moddable build loads this file). Implements the Radio contract of
 * picket/device/radio; types in espnow.d.ts. One instance at a time (ESP-NOW has one set
 * of callbacks).
 */
class EspNow @ "xs_espnow_destructor" {
	constructor(options) @ "xs_espnow_constructor";
	close() @ "xs_espnow_close";
	write(to, payload) @ "xs_espnow_write";
	read() @ "xs_espnow_read";
	get mac() @ "xs_espnow_get_mac";
	get counts() @ "xs_espnow_get_counts";
}

export default EspNow;
