// RS256 signing (RSASSA-PKCS1-v1_5 with SHA-256) over OpenSSL's libcrypto, for the JWTs a
// Google service account exchanges for an access token. One function; nothing else belongs here.
#ifndef FLOW_CCRYPTO_SHIM_H
#define FLOW_CCRYPTO_SHIM_H
#include <stddef.h>

/// Signs `data` with the PEM private key `pem`. On success returns 0 and sets `*signature`
/// (free with flow_crypto_free) and `*length`; on failure returns -1 and writes a short reason
/// (never key material) into `error`.
int flow_rs256_sign(const char *pem, const unsigned char *data, size_t dataLength,
                    unsigned char **signature, size_t *length, char *error, size_t errorLength);
void flow_crypto_free(void *pointer);
#endif
