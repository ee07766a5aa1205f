/*
 * hash.c — SHA-256 through nettle (never a hand-written digest).
 *
 * nettle rather than OpenSSL's libcrypto: the digest is the same, but libcrypto's first use
 * (the implicit fetch of EVP_sha256 from its default provider) cost about 5.6 million
 * instructions, a quarter of rating one council, and the library itself a few milliseconds of
 * loading at every start (docs/performance.md). nettle's digest needs no set-up and no
 * allocation.
 */
#include "hash.h"

#include <nettle/sha2.h>

/* 64 lowercase hex digits and a NUL from a 32-byte digest. */
static void to_hex(const unsigned char md[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

struct hs_sha256 {
    struct sha256_ctx ctx;
};

int hs_begin(hs_sha256 **out, sr_error *err)
{
    hs_sha256 *h = sr_calloc(1, sizeof *h);
    if (!h)
        return sr_oom(err);
    sha256_init(&h->ctx);
    *out = h;
    return SR_OK;
}

int hs_update(hs_sha256 *h, const void *data, size_t len, sr_error *err)
{
    (void)err; /* nettle's update cannot fail */
    sha256_update(&h->ctx, len, data);
    return SR_OK;
}

int hs_finish(hs_sha256 *h, char hex[65], sr_error *err)
{
    (void)err;
    unsigned char md[SHA256_DIGEST_SIZE];
    sha256_digest(&h->ctx, sizeof md, md);
    hs_abort(h);
    to_hex(md, hex);
    return SR_OK;
}

void hs_abort(hs_sha256 *h)
{
    sr_free(h);
}

int hs_sha256_hex(const void *data, size_t len, char hex[65], sr_error *err)
{
    (void)err;
    struct sha256_ctx ctx;
    unsigned char md[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof md, md);
    to_hex(md, hex);
    return SR_OK;
}
