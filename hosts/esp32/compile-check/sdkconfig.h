/*
 * sdkconfig.h for `npm run check:esp32` only: the configuration an ESP32 (IDF_TARGET esp32)
 * build of Picket gets from ESP-IDF v6.0, for the options the headers Picket includes consult.
 * A real build never reads this file: idf.py generates its own sdkconfig.h from every
 * component's Kconfig defaults plus the Moddable SDK's
 * build/devices/esp32/xsProj-esp32/sdkconfig.defaults (scripts/check-esp32.js points
 * make.esp32.mk's SDKCONFIG_H_DIR here instead).
 *
 * Each value is marked with where it comes from:
 *   [K]  the Kconfig default for the esp32 target (file named in the group);
 *   [M]  Moddable's sdkconfig.defaults, which overrides the Kconfig default.
 * Options that sdkconfig.defaults turns off ("is not set", CONFIG_x=n) and Kconfig options
 * that default to n are absent, as in a generated sdkconfig.h. Options are only listed when
 * a header reached from hosts/esp32/espnow/espnow.c or modules/crypto/native/*.c consults
 * them: TLS, X.509, Bluetooth, lwIP and the rest configure headers no Picket file includes.
 */
#pragma once

/* Target (components/soc/esp32/include/soc/soc_caps.h, Kconfig IDF_TARGET). */
#define CONFIG_IDF_TARGET "esp32"               /* [K] */
#define CONFIG_IDF_TARGET_ESP32 1               /* [K] */
#define CONFIG_IDF_TARGET_ARCH_XTENSA 1         /* [K] */
#define CONFIG_IDF_TARGET_ARCH "xtensa"         /* [K] */
#define CONFIG_IDF_FIRMWARE_CHIP_ID 0x0000      /* [K] */

/* C library (components/esp_libc/Kconfig): platform_include/sys/reent.h takes newlib's path. */
#define CONFIG_LIBC_NEWLIB 1                    /* [M] CONFIG_LIBC_NEWLIB=y */

/* FreeRTOS (components/freertos/Kconfig): FreeRTOS.h refuses to build without the first four. */
#define CONFIG_FREERTOS_HZ 1000                 /* [M] */
#define CONFIG_FREERTOS_NUMBER_OF_CORES 2       /* [K] 2 unless FREERTOS_UNICORE (y only on ESP32-S2) */
#define CONFIG_FREERTOS_MAX_TASK_NAME_LEN 16    /* [K] */
#define CONFIG_FREERTOS_TASK_NOTIFICATION_ARRAY_ENTRIES 1 /* [K] */
#define CONFIG_FREERTOS_USE_TRACE_FACILITY 1    /* [M] */
#define CONFIG_FREERTOS_CHECK_STACKOVERFLOW_PTRVAL 1 /* [M] */
#define CONFIG_FREERTOS_IDLE_TASK_STACKSIZE 1024 /* [M] */
#define CONFIG_FREERTOS_ISR_STACKSIZE 2100      /* [M] */

/* Wi-Fi (components/esp_wifi/Kconfig): WIFI_INIT_CONFIG_DEFAULT() in esp_wifi.h reads these. */
#define CONFIG_ESP_WIFI_ENABLED 1               /* [K] SOC_WIFI_SUPPORTED */
#define CONFIG_ESP_WIFI_STATIC_RX_BUFFER_NUM 6  /* [M] (Kconfig: 10) */
#define CONFIG_ESP_WIFI_DYNAMIC_RX_BUFFER_NUM 12 /* [M] (Kconfig: 32) */
#define CONFIG_ESP_WIFI_DYNAMIC_TX_BUFFER 1     /* [K] the TX buffer choice without PSRAM */
#define CONFIG_ESP_WIFI_TX_BUFFER_TYPE 1        /* [K] 1 for dynamic */
#define CONFIG_ESP_WIFI_DYNAMIC_TX_BUFFER_NUM 12 /* [M] (Kconfig: 32) */
#define CONFIG_ESP_WIFI_STATIC_RX_MGMT_BUFFER 1 /* [K] */
#define CONFIG_ESP_WIFI_DYNAMIC_RX_MGMT_BUF 0   /* [K] 0 for static */
#define CONFIG_ESP_WIFI_RX_MGMT_BUF_NUM_DEF 5   /* [K] */
#define CONFIG_ESP_WIFI_MGMT_SBUF_NUM 32        /* [K] */
#define CONFIG_ESP_WIFI_AMPDU_TX_ENABLED 1      /* [K] */
#define CONFIG_ESP_WIFI_TX_BA_WIN 6             /* [K] */
#define CONFIG_ESP_WIFI_AMPDU_RX_ENABLED 1      /* [K] */
#define CONFIG_ESP_WIFI_RX_BA_WIN 6             /* [K] */
#define CONFIG_ESP_WIFI_TASK_PINNED_TO_CORE_0 1 /* [K] */
#define CONFIG_ESP_WIFI_SOFTAP_BEACON_MAX_LEN 752 /* [K] */
#define CONFIG_ESP_WIFI_ENABLE_WPA3_SAE 1       /* [K] */
#define CONFIG_ESP_WIFI_GMAC_SUPPORT 1          /* [K] */
#define CONFIG_ESP_WIFI_STA_DISCONNECTED_PM_ENABLE 1 /* [K] */
#define CONFIG_ESP_WIFI_ENTERPRISE_SUPPORT 1    /* [K] */
#define CONFIG_ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM 7 /* [K] 7 on every target but the ESP32-C2 */
/* CONFIG_ESP_WIFI_NVS_ENABLED: [M] not set */

/*
 * Mbed TLS 4 / TF-PSA-Crypto 1.0 (components/mbedtls/Kconfig), read by
 * components/mbedtls/port/include/mbedtls/esp_config.h, the TF_PSA_CRYPTO_USER_CONFIG_FILE the
 * manifest passes. The crypto (not TLS/X.509) options at their defaults; the ESP32 has the AES,
 * SHA and RSA/MPI accelerators and no ECC or ECDSA peripheral (soc_caps.h), so the hardware
 * switches that depend on SOC_ECC_SUPPORTED / SOC_ECDSA_SUPPORTED are absent.
 */
#define CONFIG_MBEDTLS_HARDWARE_AES 1           /* [K] */
#define CONFIG_MBEDTLS_HARDWARE_SHA 1           /* [K] */
#define CONFIG_MBEDTLS_HARDWARE_MPI 1           /* [K] */
#define CONFIG_MBEDTLS_LARGE_KEY_SOFTWARE_MPI 1 /* [K] */
#define CONFIG_MBEDTLS_ROM_MD5 1                /* [K] */
#define CONFIG_MBEDTLS_AES_C 1                  /* [K] */
#define CONFIG_MBEDTLS_AES_ROM_TABLES 1         /* [K] */
#define CONFIG_MBEDTLS_CCM_C 1                  /* [K] */
#define CONFIG_MBEDTLS_GCM_C 1                  /* [K] */
#define CONFIG_MBEDTLS_GCM_SUPPORT_NON_AES_CIPHER 1 /* [K] */
#define CONFIG_MBEDTLS_CMAC_C 1                 /* [K] */
#define CONFIG_MBEDTLS_CIPHER_MODE_CBC 1        /* [K] */
#define CONFIG_MBEDTLS_CIPHER_MODE_CFB 1        /* [K] */
#define CONFIG_MBEDTLS_CIPHER_MODE_CTR 1        /* [K] */
#define CONFIG_MBEDTLS_CIPHER_MODE_OFB 1        /* [K] */
#define CONFIG_MBEDTLS_CIPHER_MODE_XTS 1        /* [K] */
#define CONFIG_MBEDTLS_CTR_DRBG_C 1             /* [K] */
#define CONFIG_MBEDTLS_HMAC_DRBG_C 1            /* [K] */
#define CONFIG_MBEDTLS_MD_C 1                   /* [K] */
#define CONFIG_MBEDTLS_MD5_C 1                  /* [K] */
#define CONFIG_MBEDTLS_SHA1_C 1                 /* [K] */
#define CONFIG_MBEDTLS_SHA256_C 1               /* [K] */
#define CONFIG_MBEDTLS_SHA384_C 1               /* [K] */
#define CONFIG_MBEDTLS_SHA512_C 1               /* [K] */
#define CONFIG_MBEDTLS_BIGNUM_C 1               /* [K] */
#define CONFIG_MBEDTLS_RSA_C 1                  /* [K] */
#define CONFIG_MBEDTLS_PKCS1_V15 1              /* [K] */
#define CONFIG_MBEDTLS_PKCS1_V21 1              /* [K] */
#define CONFIG_MBEDTLS_PKCS5_C 1                /* [K] */
#define CONFIG_MBEDTLS_ECP_C 1                  /* [K] */
#define CONFIG_MBEDTLS_ECDH_C 1                 /* [K] */
#define CONFIG_MBEDTLS_ECDSA_C 1                /* [K] */
#define CONFIG_MBEDTLS_ECDSA_DETERMINISTIC 1    /* [K] */
#define CONFIG_MBEDTLS_ECP_NIST_OPTIM 1         /* [K] */
#define CONFIG_MBEDTLS_ECP_DP_SECP256R1_ENABLED 1 /* [K] P-256: the roster and firmware signatures */
#define CONFIG_MBEDTLS_ECP_DP_CURVE25519_ENABLED 1 /* [K] X25519: the handshake */
#define CONFIG_MBEDTLS_ECP_DP_SECP384R1_ENABLED 1 /* [K] */
#define CONFIG_MBEDTLS_ECP_DP_SECP521R1_ENABLED 1 /* [K] */
#define CONFIG_MBEDTLS_ECP_DP_SECP256K1_ENABLED 1 /* [K] */
#define CONFIG_MBEDTLS_ECP_DP_BP256R1_ENABLED 1 /* [K] */
#define CONFIG_MBEDTLS_ECP_DP_BP384R1_ENABLED 1 /* [K] */
#define CONFIG_MBEDTLS_ECP_DP_BP512R1_ENABLED 1 /* [K] */
#define CONFIG_MBEDTLS_PK_C 1                   /* [K] */
#define CONFIG_MBEDTLS_PK_PARSE_C 1             /* [K] */
#define CONFIG_MBEDTLS_PK_WRITE_C 1             /* [K] */
#define CONFIG_MBEDTLS_PK_PARSE_EC_COMPRESSED 1 /* [K] */
#define CONFIG_MBEDTLS_PK_PARSE_EC_EXTENDED 1   /* [K] */
#define CONFIG_MBEDTLS_ASN1_PARSE_C 1           /* [K] */
#define CONFIG_MBEDTLS_ASN1_WRITE_C 1           /* [K] */
#define CONFIG_MBEDTLS_BASE64_C 1               /* [K] */
#define CONFIG_MBEDTLS_PEM_PARSE_C 1            /* [K] */
#define CONFIG_MBEDTLS_PEM_WRITE_C 1            /* [K] */
#define CONFIG_MBEDTLS_HAVE_TIME 1              /* [K] */
#define CONFIG_MBEDTLS_THREADING_C 1            /* [K] */
#define CONFIG_MBEDTLS_THREADING_PTHREAD 1      /* [K] */
#define CONFIG_MBEDTLS_ERROR_STRINGS 1          /* [K] */
#define CONFIG_MBEDTLS_VERSION_C 1              /* [K] */
#define CONFIG_MBEDTLS_SELF_TEST 1              /* [K] */
