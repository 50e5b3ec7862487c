/*
 * embedded:provider/builtin for Picket's gateway board (an ESP32 DevKitC whose UART1, pins
 * 16 and 17, goes to the command post's laptop through a USB-serial adapter; UART0 stays
 * the console and xsbug's). Only the IO classes and pin names Picket uses.
 */
import Digital from "embedded:io/digital";
import Serial from "embedded:io/serial";

const device = {
	io: { Digital, Serial },
	pin: { "led": 2, "postReceive": 16, "postTransmit": 17 },
};

export default device;
