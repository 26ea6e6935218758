// CRC-32C (Castagnoli) in C for FlowStorage: GCS keeps it for every object and flow compares it
// after every transfer, over whole files. Swift in a debug build computes it at tens of MB/s;
// here it runs on the CPU's CRC32 instruction (SSE 4.2) when there is one, else on a table.
#ifndef FLOW_CCHECKSUM_H
#define FLOW_CCHECKSUM_H
#include <stddef.h>
#include <stdint.h>

/// The CRC-32C of `length` bytes at `data`, continuing from `crc` (0 for the first piece).
uint32_t flow_crc32c_update(uint32_t crc, const void *data, size_t length);

#endif
