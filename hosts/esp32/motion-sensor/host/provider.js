/*
 * embedded:provider/builtin for Picket's motion-sensor board (an ESP32 DevKitC wiring, see
 * hosts/esp32/README in the project README): Moddable's IO manifest maps the provider of an
 * esp32 subplatform to $(SUBPLATFORMDIRECTORY)/host/provider. Only the IO classes and pin
 * names Picket uses.
 */
import Digital from "embedded:io/digital";

const device = {
	io: { Digital },
	pin: { "motion": 27, "led": 2 },
};

export default device;
