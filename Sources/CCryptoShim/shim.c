#include "CCryptoShim.h"
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *error, size_t errorLength, const char *what) {
    unsigned long code = ERR_get_error();
    char reason[160] = "";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    snprintf(error, errorLength, "%s%s%s", what, code ? ": " : "", reason);
    ERR_clear_error();
    return -1;
}

int flow_rs256_sign(const char *pem, const unsigned char *data, size_t dataLength,
                    unsigned char **signature, size_t *length, char *error, size_t errorLength) {
    *signature = NULL;
    *length = 0;
    BIO *bio = BIO_new_mem_buf(pem, -1);
    if (!bio) return fail(error, errorLength, "cannot read the private key");
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!key) return fail(error, errorLength, "the private key is not a PEM private key");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int status = -1;
    size_t size = 0;
    if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1
        || EVP_DigestSign(ctx, NULL, &size, data, dataLength) != 1) {
        status = fail(error, errorLength, "cannot sign with the private key");
    } else {
        unsigned char *out = malloc(size);
        if (out && EVP_DigestSign(ctx, out, &size, data, dataLength) == 1) {
            *signature = out;
            *length = size;
            status = 0;
        } else {
            free(out);
            status = fail(error, errorLength, "cannot sign with the private key");
        }
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return status;
}

void flow_crypto_free(void *pointer) { free(pointer); }
