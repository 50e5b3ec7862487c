/*
 * The two boot decisions Moddable's update module does not expose, over ESP-IDF's app_update:
 * whether the running app was booted on trial (ESP_OTA_IMG_PENDING_VERIFY, which
 * esp_ota_set_boot_partition leaves when CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE is set) and
 * confirming it (esp_ota_mark_app_valid_cancel_rollback). Without rollback enabled in the
 * sdkconfig a new app is never on trial and confirming does nothing: a board must enable it
 * to fall back after an unhealthy boot.
 */
#include "xsmc.h"
#include "app_update/include/esp_ota_ops.h"
#include "esp_system.h"

/* bootTrial() → true when the running app waits to be confirmed. */
void xs_picket_boot_trial(xsMachine *the)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();

	xsmcSetBoolean(xsResult, running != NULL && esp_ota_get_state_partition(running, &state) == ESP_OK &&
		state == ESP_OTA_IMG_PENDING_VERIFY);
}

/* bootConfirm(): the running app stays; the bootloader no longer rolls back. */
void xs_picket_boot_confirm(xsMachine *the)
{
	if (esp_ota_mark_app_valid_cancel_rollback() != ESP_OK)
		xsUnknownError("confirm failed");
}

/* bootRestart(): reset now, into what the bootloader boots next (the new image on trial once marked bootable). */
void xs_picket_boot_restart(xsMachine *the)
{
	esp_restart();
}
