/*
 * For `npm run check:esp32` only. ESP-IDF 6.0's esp_libc/platform_include/sys/reent.h includes
 * newlib's sys/reent.h and then declares `extern struct _reent *_global_impure_ptr`, as the
 * newlib 4.x that ESP-IDF's toolchain ships does. Debian's libnewlib-dev (3.3) declares it
 * `*const`, and the two declarations conflict. This shim sits between the two headers on the
 * include path and renames newlib 3.3's declaration out of the way; nothing Picket compiles
 * uses the pointer.
 */
#define _global_impure_ptr _picket_newlib33_global_impure_ptr
#include_next <sys/reent.h>
#undef _global_impure_ptr
