// See include/CChecksum.h.
#include "CChecksum.h"
#include <pthread.h>
#include <string.h>

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static int hardware;

static void setup(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[n] = c;
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    hardware = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t with_instruction(uint32_t c, const unsigned char *p, size_t n) {
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c64 = __builtin_ia32_crc32di(c64, word);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--) c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

uint32_t flow_crc32c_update(uint32_t crc, const void *data, size_t length) {
    pthread_once(&table_once, setup);
    const unsigned char *p = data;
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (hardware) return ~with_instruction(c, p, length);
#endif
    while (length--) c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}
