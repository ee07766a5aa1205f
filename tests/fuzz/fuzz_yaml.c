/*
 * fuzz_yaml.c — libFuzzer target for the strict YAML reader: parse with the default limits,
 * then run every schema helper over every node (they must never crash on any tree), format
 * whatever error comes back, and free. Leaks are reported by the fuzzer's LeakSanitizer.
 */
#include "ydoc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const evidence_keys[] = {
    "council", "year", "round", "source", "published", "indicators", "notes", "children",
    "adults", NULL
};
static const char *const kinds[] = { "improvement", "strength", "area_for_improvement",
                                     "concern" };

/* Every helper on one node; results are ignored, only crashes and sanitizer reports count. */
static void check_node(const yd_node *node)
{
    sr_error err;
    double d;
    long l;
    int b;
    const char *s;
    size_t idx;
    const yd_node *v;
    char line[1600];

    yd_expect(node, YD_MAP, "node", "fuzz.yaml", &err);
    yd_expect(node, YD_SEQ, "node", "fuzz.yaml", &err);
    yd_expect(node, YD_SCALAR, "node", "fuzz.yaml", &err);
    yd_check_keys(node, evidence_keys, "evidence", "fuzz.yaml", &err);
    yd_require(node, "council", "evidence", "fuzz.yaml", &v, &err);
    (void)yd_get(node, "year");
    yd_number(node, "value", "fuzz.yaml", &d, &err);
    yd_integer(node, "year", 2002, 2005, "fuzz.yaml", &l, &err);
    yd_integer(node, "any", -2147483647L - 1, 2147483647L, "fuzz.yaml", &l, &err);
    yd_bool(node, "met", "fuzz.yaml", &b, &err);
    yd_string(node, "text", "fuzz.yaml", &s, &err);
    if (yd_enum(node, "kind", kinds, sizeof kinds / sizeof kinds[0], "fuzz.yaml", &idx, &err))
        sr_error_format(&err, line, sizeof line);
}

/* The tree's promises (ydoc.h): a broken one is a bug, so make it a crash the fuzzer keeps. */
static void check_shape(const yd_node *node)
{
    if (!node || node->line < 1 || node->col < 1)
        abort();
    if (node->kind == YD_SCALAR && (!node->str || node->str[node->len] != '\0' ||
                                    strlen(node->str) != node->len))
        abort();
    if (node->kind == YD_MAP) {
        for (size_t i = 0; i < node->n; i++) {
            if (!node->pairs[i].key || node->pairs[i].key->kind != YD_SCALAR ||
                !node->pairs[i].value)
                abort();
        }
    }
}

/* Depth is bounded by the default max_depth, so recursion is bounded too. */
static void walk(const yd_node *node)
{
    check_shape(node);
    check_node(node);
    if (node->kind == YD_MAP) {
        for (size_t i = 0; i < node->n; i++) {
            check_node(node->pairs[i].key);
            walk(node->pairs[i].value);
        }
    } else if (node->kind == YD_SEQ) {
        for (size_t i = 0; i < node->n; i++)
            walk(node->items[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    yd_node *root = NULL;
    sr_error err;
    char line[1600];
    sr_error_clear(&err);
    if (yd_parse("fuzz.yaml", (const char *)data, size, &yd_default_limits, &root, &err) ==
        SR_OK) {
        walk(root);
        yd_free(root);
    } else {
        if (root || err.code == SR_OK)
            abort(); /* an error must leave no tree and say what went wrong */
        sr_error_format(&err, line, sizeof line);
    }
    return 0;
}
