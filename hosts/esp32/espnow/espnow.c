/*
 * Picket's ESP-NOW radio for the ESP32: the thin native half of hosts/esp32/espnow/espnow.js.
 * Shaped like Moddable's ECMA-419 IO classes: ESP-NOW's callbacks run on the Wi-Fi task,
 * so they only copy into a queue here and post one message to the JS machine
 * (modMessagePostToMachine); JS pulls frames with read(). Nothing here parses frames.
 *
 * ESP-IDF API: components/esp_wifi/include/esp_now.h (esp_now_init, esp_now_add_peer,
 * esp_now_send, esp_now_register_recv_cb/send_cb). The send callback takes
 * esp_now_send_info_t from ESP-IDF 5.5 on, a MAC before.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"
#include "builtinCommon.h"		/* builtinGetCallback, as Moddable's IO classes use */

#include <string.h>
#include "esp_idf_version.h"
#include "esp_event.h"
#include "esp_mac.h"
#include "esp_now.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"

#define kFrameMax ESP_NOW_MAX_DATA_LEN	/* 250: v1 frames, RADIO_FRAME_MAX in radio.ts */
#ifdef MODDEF_ESPNOW_QUEUE
	#define kQueueLength MODDEF_ESPNOW_QUEUE	/* manifest "defines": { "espnow": { "queue": n } } */
#else
	#define kQueueLength 8
#endif
/* received frames waiting for JS beyond kQueueLength are dropped (relays repeat alerts) */

typedef struct {
	uint8_t from[ESP_NOW_ETH_ALEN];
	int8_t rssi;
	uint8_t length;
	uint8_t data[kFrameMax];
} ReceivedFrame;

typedef struct {
	xsMachine *the;
	xsSlot obj;
	xsSlot *onReadable;
	xsSlot *onWritable;
	uint8_t head, count;
	uint8_t readablePosted;
	uint8_t sendsPending;		/* send-complete statuses not yet delivered to JS */
	uint8_t lastTo[ESP_NOW_ETH_ALEN];
	uint8_t lastDelivered;
	ReceivedFrame queue[kQueueLength];
} EspNowRecord, *EspNow;

static portMUX_TYPE gEspNowMux = portMUX_INITIALIZER_UNLOCKED;
static EspNow gEspNow;		/* ESP-NOW has one set of callbacks: one instance at a time */

void xs_espnow_destructor(void *data);
static void espnowDeliverReadable(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
static void espnowDeliverWritable(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
static void espnowMark(xsMachine *the, void *it, xsMarkRoot markRoot);

static const xsHostHooks gEspNowHooks = { xs_espnow_destructor, espnowMark, NULL };

static void espnowReceived(const esp_now_recv_info_t *info, const uint8_t *data, int length)
{
	EspNow espnow = gEspNow;
	uint8_t post = 0;
	if (!espnow || length <= 0 || length > kFrameMax)
		return;
	portENTER_CRITICAL(&gEspNowMux);
	if (espnow->count < kQueueLength) {
		ReceivedFrame *frame = &espnow->queue[(espnow->head + espnow->count) % kQueueLength];
		memcpy(frame->from, info->src_addr, ESP_NOW_ETH_ALEN);
		frame->rssi = info->rx_ctrl ? info->rx_ctrl->rssi : 0;
		frame->length = (uint8_t)length;
		memcpy(frame->data, data, length);
		espnow->count += 1;
		if (!espnow->readablePosted) {
			espnow->readablePosted = 1;
			post = 1;
		}
	}
	portEXIT_CRITICAL(&gEspNowMux);
	if (post)
		modMessagePostToMachine(espnow->the, NULL, 0, espnowDeliverReadable, espnow);
}

#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 5, 0)
static void espnowSent(const esp_now_send_info_t *info, esp_now_send_status_t status)
{
	const uint8_t *to = info->des_addr;
#else
static void espnowSent(const uint8_t *to, esp_now_send_status_t status)
{
#endif
	EspNow espnow = gEspNow;
	if (!espnow)
		return;
	portENTER_CRITICAL(&gEspNowMux);
	memcpy(espnow->lastTo, to, ESP_NOW_ETH_ALEN);
	espnow->lastDelivered = (ESP_NOW_SEND_SUCCESS == status);
	portEXIT_CRITICAL(&gEspNowMux);
	modMessagePostToMachine(espnow->the, NULL, 0, espnowDeliverWritable, espnow);
}

/* ESP-NOW needs Wi-Fi started (station mode, no connection). Already-started is fine. */
static void espnowStartWiFi(xsMachine *the)
{
	wifi_init_config_t config = WIFI_INIT_CONFIG_DEFAULT();
	esp_err_t err = esp_event_loop_create_default();
	if ((ESP_OK != err) && (ESP_ERR_INVALID_STATE != err))
		xsUnknownError("event loop");
	err = esp_wifi_init(&config);
	if ((ESP_OK != err) && (ESP_ERR_INVALID_STATE != err))
		xsUnknownError("wifi init");
	esp_wifi_set_storage(WIFI_STORAGE_RAM);
	esp_wifi_set_mode(WIFI_MODE_STA);
	err = esp_wifi_start();
	if ((ESP_OK != err) && (ESP_ERR_INVALID_STATE != err))
		xsUnknownError("wifi start");
}

static void espnowAddPeer(xsMachine *the, const uint8_t *mac)
{
	esp_now_peer_info_t peer;
	if (esp_now_is_peer_exist(mac))
		return;
	memset(&peer, 0, sizeof(peer));
	memcpy(peer.peer_addr, mac, ESP_NOW_ETH_ALEN);
	peer.channel = 0;				/* the current channel */
	peer.ifidx = WIFI_IF_STA;
	peer.encrypt = false;			/* Picket encrypts above ESP-NOW (DESIGN.md) */
	esp_err_t err = esp_now_add_peer(&peer);
	if (ESP_ERR_ESPNOW_FULL == err)
		xsRangeError("peer list full");
	if ((ESP_OK != err) && (ESP_ERR_ESPNOW_EXIST != err))
		xsUnknownError("esp_now_add_peer");
}

void xs_espnow_constructor(xsMachine *the)
{
	EspNow espnow;
	if (gEspNow)
		xsUnknownError("in use");
	espnowStartWiFi(the);
	if (ESP_OK != esp_now_init())
		xsUnknownError("esp_now_init");

	espnow = c_calloc(1, sizeof(EspNowRecord));
	if (!espnow) {
		esp_now_deinit();
		xsUnknownError("no memory");
	}
	espnow->the = the;
	espnow->obj = xsThis;
	xsmcSetHostData(xsThis, espnow);
	xsSetHostHooks(xsThis, (xsHostHooks *)&gEspNowHooks);
	xsRemember(espnow->obj);

	espnow->onReadable = builtinGetCallback(the, xsID_onReadable);
	espnow->onWritable = builtinGetCallback(the, xsID_onWritable);

	gEspNow = espnow;
	espnowAddPeer(the, (const uint8_t *)"\xff\xff\xff\xff\xff\xff");
	esp_now_register_recv_cb(espnowReceived);
	esp_now_register_send_cb(espnowSent);
}

void xs_espnow_destructor(void *data)
{
	EspNow espnow = data;
	if (!espnow)
		return;
	esp_now_unregister_recv_cb();
	esp_now_unregister_send_cb();
	esp_now_deinit();
	portENTER_CRITICAL(&gEspNowMux);
	if (gEspNow == espnow)
		gEspNow = NULL;
	portEXIT_CRITICAL(&gEspNowMux);
	c_free(espnow);
}

static void espnowMark(xsMachine *the, void *it, xsMarkRoot markRoot)
{
	EspNow espnow = it;
	if (espnow->onReadable)
		(*markRoot)(the, espnow->onReadable);
	if (espnow->onWritable)
		(*markRoot)(the, espnow->onWritable);
}

static EspNow espnowValidate(xsMachine *the)
{
	EspNow espnow = xsmcGetHostDataValidate(xsThis, (void *)&gEspNowHooks);
	if (!espnow)
		xsUnknownError("closed");
	return espnow;
}

void xs_espnow_close(xsMachine *the)
{
	EspNow espnow = xsmcGetHostData(xsThis);
	if (espnow && xsmcGetHostDataValidate(xsThis, (void *)&gEspNowHooks)) {
		xsForget(espnow->obj);
		xs_espnow_destructor(espnow);
		xsmcSetHostData(xsThis, NULL);
		xsmcSetHostDestructor(xsThis, NULL);
	}
}

/* write(to: 6-byte MAC, payload ≤ 250 bytes); a unicast peer is added on first use. */
void xs_espnow_write(xsMachine *the)
{
	void *to, *payload;
	xsUnsignedValue toLength, payloadLength;
	uint8_t mac[ESP_NOW_ETH_ALEN];
	espnowValidate(the);
	xsmcGetBufferReadable(xsArg(0), &to, &toLength);
	if (ESP_NOW_ETH_ALEN != toLength)
		xsRangeError("bad MAC");
	memcpy(mac, to, ESP_NOW_ETH_ALEN);
	xsmcGetBufferReadable(xsArg(1), &payload, &payloadLength);
	if ((0 == payloadLength) || (payloadLength > kFrameMax))
		xsRangeError("frame-too-long");
	espnowAddPeer(the, mac);
	xsmcGetBufferReadable(xsArg(1), &payload, &payloadLength);	/* the GC may have moved it */
	esp_err_t err = esp_now_send(mac, payload, payloadLength);
	if (ESP_ERR_ESPNOW_NO_MEM == err)
		xsRangeError("radio-busy");
	if (ESP_OK != err)
		xsUnknownError("esp_now_send");
}

/* read() → { from: ArrayBuffer(6), payload: ArrayBuffer, rssi } | undefined */
void xs_espnow_read(xsMachine *the)
{
	EspNow espnow = espnowValidate(the);
	ReceivedFrame frame;
	uint8_t have = 0;
	portENTER_CRITICAL(&gEspNowMux);
	if (espnow->count) {
		frame = espnow->queue[espnow->head];
		espnow->head = (espnow->head + 1) % kQueueLength;
		espnow->count -= 1;
		have = 1;
	}
	portEXIT_CRITICAL(&gEspNowMux);
	if (!have)
		return;
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetArrayBuffer(xsVar(0), frame.from, ESP_NOW_ETH_ALEN);
	xsmcSet(xsResult, xsID_from, xsVar(0));
	xsmcSetArrayBuffer(xsVar(0), frame.data, frame.length);
	xsmcSet(xsResult, xsID_payload, xsVar(0));
	xsmcSetInteger(xsVar(0), frame.rssi);
	xsmcSet(xsResult, xsID_rssi, xsVar(0));
}

void xs_espnow_get_mac(xsMachine *the)
{
	uint8_t mac[ESP_NOW_ETH_ALEN];
	if (ESP_OK != esp_wifi_get_mac(WIFI_IF_STA, mac))
		xsUnknownError("esp_wifi_get_mac");
	xsmcSetArrayBuffer(xsResult, mac, ESP_NOW_ETH_ALEN);
}

static void espnowDeliverReadable(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	EspNow espnow = refcon;
	uint8_t count;
	portENTER_CRITICAL(&gEspNowMux);
	espnow->readablePosted = 0;
	count = espnow->count;
	portEXIT_CRITICAL(&gEspNowMux);
	if (!count || !espnow->onReadable)
		return;
	xsBeginHost(espnow->the);
		xsmcSetInteger(xsResult, count);
		xsCallFunction1(xsReference(espnow->onReadable), espnow->obj, xsResult);
	xsEndHost(espnow->the);
}

static void espnowDeliverWritable(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	EspNow espnow = refcon;
	uint8_t to[ESP_NOW_ETH_ALEN], delivered;
	if (!espnow->onWritable)
		return;
	portENTER_CRITICAL(&gEspNowMux);
	memcpy(to, espnow->lastTo, ESP_NOW_ETH_ALEN);
	delivered = espnow->lastDelivered;
	portEXIT_CRITICAL(&gEspNowMux);
	xsBeginHost(espnow->the);
		xsmcVars(1);
		xsResult = xsNewObject();
		xsmcSetArrayBuffer(xsVar(0), to, ESP_NOW_ETH_ALEN);
		xsmcSet(xsResult, xsID_to, xsVar(0));
		xsmcSetBoolean(xsVar(0), delivered);
		xsmcSet(xsResult, xsID_delivered, xsVar(0));
		xsCallFunction1(xsReference(espnow->onWritable), espnow->obj, xsResult);
	xsEndHost(espnow->the);
}
