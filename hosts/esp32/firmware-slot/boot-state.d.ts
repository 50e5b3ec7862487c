/** True when the running app was booted on trial and waits for bootConfirm (ESP_OTA_IMG_PENDING_VERIFY). */
export function bootTrial(): boolean;
/** esp_ota_mark_app_valid_cancel_rollback(); throws when ESP-IDF refuses. */
export function bootConfirm(): void;
/** esp_restart(): the board resets (does not return). */
export function bootRestart(): void;
