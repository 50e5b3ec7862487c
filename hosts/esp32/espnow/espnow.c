/*
 * Picket's ESP-NOW radio for the ESP32: the thin native half of hosts/esp32/espnow/espnow.js,
 * in the pattern of Moddable's ECMA-419 IO classes (modules/io/digital/esp32/digitalbank.c):
 *
 *   - ESP-NOW's callbacks run on the Wi-Fi task. They only copy into this record, under one
 *     critical section, and post at most one notification of each kind (readable, writable) to
 *     the JS task (modMessagePostToMachine); JS pulls frames with read(). Nothing here parses.
 *   - Received frames wait in a ring of MODDEF_ESPNOW_QUEUE (manifest "defines": { "espnow":
 *     { "queue": n } }); one arriving at a full ring is dropped and counted (relays repeat
 *     alerts). Send statuses wait in a table of kSendResults destinations, one entry per
 *     destination holding its latest status (a burst to one peer is one notification); a status
 *     for a new destination beyond the table is dropped and counted.
 *   - A post that fails (the JS task's queue stayed full past MODDEF_TASK_QUEUEWAIT, which the
 *     esp32 manifest bounds so the Wi-Fi task never blocks for long) clears the posted flag, so
 *     the next frame or status posts again, and is counted.
 *   - useCount: the instance holds one reference and every posted notification one more, as
 *     digitalbank.c does, so close() (or the garbage collector) frees the record only after the
 *     last queued notification was delivered; a notification that arrives after close() only
 *     drops its reference. All of it changes under gEspNowMux.
 *   - The peer table: esp_now_send needs the destination in ESP-NOW's peer list, which holds
 *     ESP_NOW_MAX_TOTAL_PEER_NUM (20) entries. The broadcast peer keeps one for good; unicast
 *     peers take the rest and the least recently used one without a send in flight is deleted
 *     to make room. Only when every one has a send in flight does write() throw "radio-busy".
 *   - The channel is the board's: manifest "defines": { "espnow": { "channel": n } }, set with
 *     esp_wifi_set_channel (every device of a domain must use the same one).
 *   - A constructor that fails at any step undoes what it did: no "in use", no registered
 *     callback, no ESP-NOW left behind. Wi-Fi itself stays started: other modules may share it.
 *
 * ESP-IDF 6.0 API: components/esp_wifi/include/esp_now.h. The send callback receives
 * esp_now_send_info_t (wifi_tx_info_t) since ESP-IDF 5.5; the fields of the receive info's
 * rx_ctrl (wifi_pkt_rx_ctrl_t) are declared in esp_wifi/include/local/esp_wifi_types_native.h,
 * a folder the esp32 manifest adds to Moddable's include path.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"
#include "mc.defines.h"
#include "builtinCommon.h" /* builtinGetCallback, as Moddable's IO classes use */

#include <string.h>
#include "esp_event.h"
#include "esp_now.h"
#include "esp_wifi.h"
#include "esp_wifi_types_native.h"
#include "freertos/FreeRTOS.h"

#define kFrameMax ESP_NOW_MAX_DATA_LEN /* 250: v1 frames, RADIO_FRAME_MAX in radio.ts */
#ifdef MODDEF_ESPNOW_QUEUE
	#define kQueueLength MODDEF_ESPNOW_QUEUE
#else
	#define kQueueLength 8
#endif
#ifndef MODDEF_ESPNOW_CHANNEL
	#error "manifest.json: the esp32 platform's defines.espnow.channel (1-13) picks the ESP-NOW channel"
#endif
#define kSendResults 8                                /* destinations whose status waits for JS */
#define kUnicastPeers (ESP_NOW_MAX_TOTAL_PEER_NUM - 1) /* the broadcast peer holds the last entry */

static const uint8_t gBroadcast[ESP_NOW_ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

typedef struct {
	uint8_t from[ESP_NOW_ETH_ALEN];
	int8_t rssi;
	uint8_t length;
	uint8_t data[kFrameMax];
} ReceivedFrame;

typedef struct {
	uint8_t to[ESP_NOW_ETH_ALEN];
	uint8_t delivered; /* the latest status for this destination */
} SendResult;

typedef struct {
	uint8_t mac[ESP_NOW_ETH_ALEN];
	uint8_t inFlight;  /* sends whose status has not come back: the peer must stay */
	uint32_t lastUsed; /* for least-recently-used eviction */
} UnicastPeer;

typedef struct {
	uint32_t framesDropped;        /* received with the ring full */
	uint32_t sendResultsDropped;   /* statuses for a new destination with the table full */
	uint32_t notificationsDropped; /* posts to the JS task that failed */
	uint32_t peersEvicted;         /* unicast peers deleted to make room */
} EspNowCounts;

typedef struct {
	xsMachine *the;
	xsSlot obj;
	xsSlot *onReadable;
	xsSlot *onWritable;
	uint8_t useCount;
	uint8_t closed;
	uint8_t readablePosted;
	uint8_t writablePosted;
	uint8_t head, count;
	uint8_t resultCount;
	uint8_t peerCount;
	uint32_t peerClock;
	EspNowCounts counts;
	UnicastPeer peers[kUnicastPeers];
	SendResult results[kSendResults];
	ReceivedFrame queue[kQueueLength];
} EspNowRecord, *EspNow;

static portMUX_TYPE gEspNowMux = portMUX_INITIALIZER_UNLOCKED;
static EspNow gEspNow; /* ESP-NOW has one set of callbacks: one instance at a time */

void xs_espnow_destructor(void *data);
static void espnowDeliverReadable(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
static void espnowDeliverWritable(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
static void espnowMark(xsMachine *the, void *it, xsMarkRoot markRoot);

static const xsHostHooks gEspNowHooks = { xs_espnow_destructor, espnowMark, NULL };

/* Drops one reference (under gEspNowMux); true when it was the last and the record must be freed. */
static uint8_t espnowRelease(EspNow espnow)
{
	return 0 == --espnow->useCount;
}

/* Posts `deliver` to the JS task; the caller already set *posted and took a reference for it. */
static void espnowPost(EspNow espnow, modMessageDeliver deliver, uint8_t *posted)
{
	uint8_t release;
	if (0 == modMessagePostToMachine(espnow->the, NULL, 0, deliver, espnow))
		return;
	/* Nothing will be delivered: take back the flag (the next event posts again) and the reference. */
	portENTER_CRITICAL(&gEspNowMux);
	*posted = 0;
	espnow->counts.notificationsDropped += 1;
	release = espnowRelease(espnow);
	portEXIT_CRITICAL(&gEspNowMux);
	if (release)
		c_free(espnow);
}

static void espnowReceived(const esp_now_recv_info_t *info, const uint8_t *data, int length)
{
	EspNow espnow;
	uint8_t post = 0;
	if (length <= 0 || length > kFrameMax)
		return;
	portENTER_CRITICAL(&gEspNowMux);
	espnow = gEspNow;
	if (espnow && (espnow->count < kQueueLength)) {
		ReceivedFrame *frame = &espnow->queue[(espnow->head + espnow->count) % kQueueLength];
		memcpy(frame->from, info->src_addr, ESP_NOW_ETH_ALEN);
		frame->rssi = info->rx_ctrl ? (int8_t)info->rx_ctrl->rssi : 0;
		frame->length = (uint8_t)length;
		memcpy(frame->data, data, length);
		espnow->count += 1;
		if (!espnow->readablePosted) {
			espnow->readablePosted = 1;
			espnow->useCount += 1;
			post = 1;
		}
	}
	else if (espnow)
		espnow->counts.framesDropped += 1;
	portEXIT_CRITICAL(&gEspNowMux);
	if (post)
		espnowPost(espnow, espnowDeliverReadable, &espnow->readablePosted);
}

/* Under gEspNowMux. */
static UnicastPeer *espnowFindPeer(EspNow espnow, const uint8_t *mac)
{
	uint8_t index;
	for (index = 0; index < espnow->peerCount; index++) {
		if (0 == memcmp(espnow->peers[index].mac, mac, ESP_NOW_ETH_ALEN))
			return &espnow->peers[index];
	}
	return NULL;
}

static void espnowSent(const esp_now_send_info_t *info, esp_now_send_status_t status)
{
	EspNow espnow;
	UnicastPeer *peer;
	SendResult *result = NULL;
	uint8_t index, post = 0;
	portENTER_CRITICAL(&gEspNowMux);
	espnow = gEspNow;
	if (espnow) {
		peer = espnowFindPeer(espnow, info->des_addr);
		if (peer && peer->inFlight)
			peer->inFlight -= 1;
		for (index = 0; index < espnow->resultCount && !result; index++) {
			if (0 == memcmp(espnow->results[index].to, info->des_addr, ESP_NOW_ETH_ALEN))
				result = &espnow->results[index];
		}
		if (!result && (espnow->resultCount < kSendResults)) {
			result = &espnow->results[espnow->resultCount++];
			memcpy(result->to, info->des_addr, ESP_NOW_ETH_ALEN);
		}
		if (result) {
			result->delivered = (ESP_NOW_SEND_SUCCESS == status);
			if (!espnow->writablePosted) {
				espnow->writablePosted = 1;
				espnow->useCount += 1;
				post = 1;
			}
		}
		else
			espnow->counts.sendResultsDropped += 1;
	}
	portEXIT_CRITICAL(&gEspNowMux);
	if (post)
		espnowPost(espnow, espnowDeliverWritable, &espnow->writablePosted);
}

/* ESP-NOW needs Wi-Fi started in station mode (no connection) on the domain's channel. */
static esp_err_t espnowStartWiFi(const char **step)
{
	wifi_init_config_t config = WIFI_INIT_CONFIG_DEFAULT();
	esp_err_t err;

	*step = "esp_event_loop_create_default";
	err = esp_event_loop_create_default();
	if ((ESP_OK != err) && (ESP_ERR_INVALID_STATE != err)) /* already created is fine */
		return err;
	*step = "esp_wifi_init";
	err = esp_wifi_init(&config);
	if ((ESP_OK != err) && (ESP_ERR_INVALID_STATE != err))
		return err;
	*step = "esp_wifi_set_storage";
	if (ESP_OK != (err = esp_wifi_set_storage(WIFI_STORAGE_RAM)))
		return err;
	*step = "esp_wifi_set_mode";
	if (ESP_OK != (err = esp_wifi_set_mode(WIFI_MODE_STA)))
		return err;
	*step = "esp_wifi_start";
	err = esp_wifi_start();
	if ((ESP_OK != err) && (ESP_ERR_INVALID_STATE != err))
		return err;
	*step = "esp_wifi_set_channel";
	return esp_wifi_set_channel(MODDEF_ESPNOW_CHANNEL, WIFI_SECOND_CHAN_NONE);
}

static esp_err_t espnowAddPeer(const uint8_t *mac)
{
	esp_now_peer_info_t peer;
	memset(&peer, 0, sizeof(peer));
	memcpy(peer.peer_addr, mac, ESP_NOW_ETH_ALEN);
	peer.channel = 0; /* the current channel: MODDEF_ESPNOW_CHANNEL */
	peer.ifidx = WIFI_IF_STA;
	peer.encrypt = false; /* Picket encrypts above ESP-NOW (DESIGN.md) */
	return esp_now_add_peer(&peer);
}

void xs_espnow_constructor(xsMachine *the)
{
	xsSlot *onReadable = builtinGetCallback(the, xsID_onReadable); /* may throw: nothing started yet */
	xsSlot *onWritable = builtinGetCallback(the, xsID_onWritable);
	const char *step = "";
	uint8_t espnowStarted = 0;
	esp_err_t err;
	EspNow espnow;

	if (gEspNow)
		xsUnknownError("in use");
	espnow = c_calloc(1, sizeof(EspNowRecord));
	if (!espnow)
		xsUnknownError("no memory");

	err = espnowStartWiFi(&step);
	if (ESP_OK == err) {
		step = "esp_now_init";
		err = esp_now_init();
		espnowStarted = (ESP_OK == err);
	}
	if (ESP_OK == err) {
		step = "esp_now_add_peer (broadcast)";
		err = espnowAddPeer(gBroadcast);
	}
	if (ESP_OK == err) {
		step = "esp_now_register_recv_cb";
		err = esp_now_register_recv_cb(espnowReceived);
	}
	if (ESP_OK == err) {
		step = "esp_now_register_send_cb";
		err = esp_now_register_send_cb(espnowSent);
	}
	if (ESP_OK != err) {
		if (espnowStarted)
			esp_now_deinit(); /* also drops the callbacks and peers registered above */
		c_free(espnow);
		xsUnknownError("%s: %d", step, (int)err);
	}

	espnow->the = the;
	espnow->obj = xsThis;
	espnow->onReadable = onReadable;
	espnow->onWritable = onWritable;
	espnow->useCount = 1;
	xsmcSetHostData(xsThis, espnow);
	xsSetHostHooks(xsThis, (xsHostHooks *)&gEspNowHooks);
	xsRemember(espnow->obj);
	portENTER_CRITICAL(&gEspNowMux);
	gEspNow = espnow;
	portEXIT_CRITICAL(&gEspNowMux);
}

void xs_espnow_destructor(void *data)
{
	EspNow espnow = data;
	uint8_t release;
	if (!espnow)
		return;
	esp_now_unregister_recv_cb();
	esp_now_unregister_send_cb();
	esp_now_deinit(); /* deletes every peer */
	portENTER_CRITICAL(&gEspNowMux);
	if (gEspNow == espnow)
		gEspNow = NULL;
	espnow->closed = 1;
	release = espnowRelease(espnow);
	portEXIT_CRITICAL(&gEspNowMux);
	if (release)
		c_free(espnow); /* otherwise the last queued notification frees it */
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

/*
 * Makes `mac` a unicast peer in ESP-NOW's list, deleting the least recently used peer without
 * a send in flight when the list is full. Runs on the JS task, the only one that changes the
 * list; the send callback only reads it and lowers inFlight, under gEspNowMux.
 */
static UnicastPeer *espnowUsePeer(xsMachine *the, EspNow espnow, const uint8_t *mac)
{
	UnicastPeer *peer, *victim = NULL;
	esp_err_t err;
	uint8_t index;

	portENTER_CRITICAL(&gEspNowMux);
	peer = espnowFindPeer(espnow, mac);
	if (peer)
		peer->lastUsed = ++espnow->peerClock;
	else if (espnow->peerCount == kUnicastPeers) {
		for (index = 0; index < kUnicastPeers; index++) {
			UnicastPeer *candidate = &espnow->peers[index];
			if (!candidate->inFlight && (!victim || (candidate->lastUsed < victim->lastUsed)))
				victim = candidate;
		}
	}
	portEXIT_CRITICAL(&gEspNowMux);
	if (peer)
		return peer;

	if (espnow->peerCount == kUnicastPeers) {
		if (!victim)
			xsRangeError("radio-busy: every ESP-NOW peer has a send in flight");
		err = esp_now_del_peer(victim->mac);
		if ((ESP_OK != err) && (ESP_ERR_ESPNOW_NOT_FOUND != err))
			xsUnknownError("esp_now_del_peer: %d", (int)err);
		portENTER_CRITICAL(&gEspNowMux);
		*victim = espnow->peers[--espnow->peerCount];
		espnow->counts.peersEvicted += 1;
		portEXIT_CRITICAL(&gEspNowMux);
	}
	err = espnowAddPeer(mac);
	if (ESP_ERR_ESPNOW_FULL == err)
		xsRangeError("radio-busy: ESP-NOW peer list full");
	if ((ESP_OK != err) && (ESP_ERR_ESPNOW_EXIST != err))
		xsUnknownError("esp_now_add_peer: %d", (int)err);
	portENTER_CRITICAL(&gEspNowMux);
	peer = &espnow->peers[espnow->peerCount++];
	memcpy(peer->mac, mac, ESP_NOW_ETH_ALEN);
	peer->inFlight = 0;
	peer->lastUsed = ++espnow->peerClock;
	portEXIT_CRITICAL(&gEspNowMux);
	return peer;
}

/* write(to: 6-byte MAC, payload ≤ 250 bytes) */
void xs_espnow_write(xsMachine *the)
{
	EspNow espnow = espnowValidate(the);
	void *to, *payload;
	xsUnsignedValue toLength, payloadLength;
	uint8_t mac[ESP_NOW_ETH_ALEN];
	UnicastPeer *peer = NULL;
	esp_err_t err;

	xsmcGetBufferReadable(xsArg(0), &to, &toLength);
	if (ESP_NOW_ETH_ALEN != toLength)
		xsRangeError("bad MAC");
	memcpy(mac, to, ESP_NOW_ETH_ALEN);
	xsmcGetBufferReadable(xsArg(1), &payload, &payloadLength);
	if ((0 == payloadLength) || (payloadLength > kFrameMax))
		xsRangeError("frame-too-long");
	if (memcmp(mac, gBroadcast, ESP_NOW_ETH_ALEN))
		peer = espnowUsePeer(the, espnow, mac);
	xsmcGetBufferReadable(xsArg(1), &payload, &payloadLength); /* nothing above allocates, but stay safe */
	err = esp_now_send(mac, payload, payloadLength);
	if (ESP_ERR_ESPNOW_NO_MEM == err)
		xsRangeError("radio-busy: ESP-NOW send queue full");
	if (ESP_OK != err)
		xsUnknownError("esp_now_send: %d", (int)err);
	if (peer) {
		portENTER_CRITICAL(&gEspNowMux);
		peer->inFlight += 1;
		portEXIT_CRITICAL(&gEspNowMux);
	}
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

/* get counts() → { framesDropped, sendResultsDropped, notificationsDropped, peersEvicted } */
void xs_espnow_get_counts(xsMachine *the)
{
	EspNow espnow = espnowValidate(the);
	EspNowCounts counts;
	portENTER_CRITICAL(&gEspNowMux);
	counts = espnow->counts;
	portEXIT_CRITICAL(&gEspNowMux);
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetInteger(xsVar(0), counts.framesDropped);
	xsmcSet(xsResult, xsID_framesDropped, xsVar(0));
	xsmcSetInteger(xsVar(0), counts.sendResultsDropped);
	xsmcSet(xsResult, xsID_sendResultsDropped, xsVar(0));
	xsmcSetInteger(xsVar(0), counts.notificationsDropped);
	xsmcSet(xsResult, xsID_notificationsDropped, xsVar(0));
	xsmcSetInteger(xsVar(0), counts.peersEvicted);
	xsmcSet(xsResult, xsID_peersEvicted, xsVar(0));
}

/*
 * The JS task's side of a notification: drop the reference it held, then, unless close() ran
 * meanwhile, tell JS. The reference is dropped first, so a close() inside the callback frees
 * the record at once and nothing here touches it after the call.
 */
static void espnowDeliverReadable(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	EspNow espnow = refcon;
	uint8_t count, closed, release;
	portENTER_CRITICAL(&gEspNowMux);
	espnow->readablePosted = 0;
	count = espnow->count;
	closed = espnow->closed;
	release = espnowRelease(espnow);
	portEXIT_CRITICAL(&gEspNowMux);
	if (release) {
		c_free(espnow);
		return;
	}
	if (closed || !count || !espnow->onReadable)
		return;
	xsBeginHost(espnow->the);
		xsmcSetInteger(xsResult, count);
		xsCallFunction1(xsReference(espnow->onReadable), espnow->obj, xsResult);
	xsEndHost(espnow->the);
}

/* One onWritable call per destination waiting; statuses arriving meanwhile post again. */
static void espnowDeliverWritable(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	EspNow espnow = refcon;
	SendResult results[kSendResults];
	uint8_t count, index, closed, release;
	portENTER_CRITICAL(&gEspNowMux);
	espnow->writablePosted = 0;
	count = espnow->resultCount;
	memcpy(results, espnow->results, count * sizeof(SendResult));
	espnow->resultCount = 0;
	closed = espnow->closed;
	release = espnowRelease(espnow);
	if (!release && !closed)
		espnow->useCount += 1; /* held while JS runs below, so a close() from a callback cannot free it midway */
	portEXIT_CRITICAL(&gEspNowMux);
	if (release) {
		c_free(espnow);
		return;
	}
	if (closed)
		return;
	for (index = 0; (index < count) && espnow->onWritable && !espnow->closed; index++) {
		xsBeginHost(espnow->the);
			xsmcVars(1);
			xsmcSetNewObject(xsResult);
			xsmcSetArrayBuffer(xsVar(0), results[index].to, ESP_NOW_ETH_ALEN);
			xsmcSet(xsResult, xsID_to, xsVar(0));
			xsmcSetBoolean(xsVar(0), results[index].delivered);
			xsmcSet(xsResult, xsID_delivered, xsVar(0));
			xsCallFunction1(xsReference(espnow->onWritable), espnow->obj, xsResult);
		xsEndHost(espnow->the);
	}
	portENTER_CRITICAL(&gEspNowMux);
	release = espnowRelease(espnow);
	portEXIT_CRITICAL(&gEspNowMux);
	if (release)
		c_free(espnow);
}
