/*
 * hash.h — SHA-256 content hashes (module prefix hs_), via nettle.
 * Outputs carry the hashes of the rule pack and the evidence so that a rating can be tied to
 * exactly the inputs it came from.
 */
#ifndef SR_HASH_H
#define SR_HASH_H

#include "common.h"

#include <stddef.h>

typedef struct hs_sha256 hs_sha256;

int hs_begin(hs_sha256 **out, sr_error *err);
int hs_update(hs_sha256 *h, const void *data, size_t len, sr_error *err);
/* Writes 64 lowercase hex digits and a NUL into hex, and frees h (also on failure). */
int hs_finish(hs_sha256 *h, char hex[65], sr_error *err);
void hs_abort(hs_sha256 *h);
/* One-shot. */
int hs_sha256_hex(const void *data, size_t len, char hex[65], sr_error *err);

#endif
