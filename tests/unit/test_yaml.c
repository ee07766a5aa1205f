/*
 * test_yaml.c — the strict YAML reader (yaml.c): tree shape and positions, every rejection
 * with its exact message and position, the schema helpers, file loading, and allocation
 * failures injected at every point of a realistic parse.
 */
#include "ydoc.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers -------------------------------------------------------------------------- */

static yd_node *parse_ok(const char *text)
{
    yd_node *root = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = yd_parse("t.yaml", text, strlen(text), &yd_default_limits, &root, &err);
    cr_assert_eq(rc, SR_OK, "parse failed: %d:%d: %s", err.line, err.col, err.msg);
    cr_assert_not_null(root);
    return root;
}

/* Parses len bytes expecting failure with exactly this code, position and message. */
static void expect_fail_n(const char *text, size_t len, const yd_limits *lim, int code, int line,
                          int col, const char *msg)
{
    yd_node *root = (yd_node *)&root; /* must be reset to NULL */
    sr_error err;
    sr_error_clear(&err);
    int rc = yd_parse("t.yaml", text, len, lim, &root, &err);
    cr_assert_eq(rc, code, "rc %d (wanted %d): %s", rc, code, err.msg);
    cr_assert_eq(err.code, code);
    cr_assert_null(root);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_str_eq(err.file, "t.yaml");
    cr_assert_eq(err.line, line, "line %d (wanted %d) for %s", err.line, line, msg);
    cr_assert_eq(err.col, col, "col %d (wanted %d) for %s", err.col, col, msg);
}

static void expect_fail(const char *text, int code, int line, int col, const char *msg)
{
    expect_fail_n(text, strlen(text), &yd_default_limits, code, line, col, msg);
}

static void expect_pos(const yd_node *node, yd_kind kind, int line, int col)
{
    cr_assert_not_null(node);
    cr_assert_eq(node->kind, kind);
    cr_assert_eq(node->line, line, "line %d, wanted %d", node->line, line);
    cr_assert_eq(node->col, col, "col %d, wanted %d", node->col, col);
}

static void expect_scalar(const yd_node *node, const char *text, int quoted, int line, int col)
{
    expect_pos(node, YD_SCALAR, line, col);
    cr_assert_str_eq(node->str, text);
    cr_assert_eq(node->len, strlen(text));
    cr_assert_eq(node->quoted, quoted, "quoted %d for '%s'", node->quoted, text);
}

/* The scalar value of `key` in a one-level document, for helper tests. */
static const yd_node *value_of(const yd_node *root, const char *key)
{
    const yd_node *v = yd_get(root, key);
    cr_assert_not_null(v, "no key %s", key);
    return v;
}

static void expect_err(const sr_error *err, int line, int col, const char *msg)
{
    cr_assert_eq(err->code, SR_EINPUT);
    cr_assert_str_eq(err->msg, msg);
    cr_assert_str_eq(err->file, "ev.yaml");
    cr_assert_eq(err->line, line, "line %d, wanted %d", err->line, line);
    cr_assert_eq(err->col, col, "col %d, wanted %d", err->col, col);
}

/* A realistic evidence file (docs/evidence-format.md), 30 lines. */
static const char evidence[] =
    "council: London Borough of Harrow\n"
    "year: 2003\n"
    "round: Nov 2003\n"
    "source: SSI annual review letter, 15 September 2003\n"
    "published:\n"
    "  stars: 1\n"
    "  children: {serving: some, capacity: uncertain}\n"
    "  adults: {serving: some, capacity: uncertain}\n"
    "notes:\n"
    "  - {line: 3, text: \"Cover letter paragraph the importer could not place\"}\n"
    "children:\n"
    "  given:\n"
    "    serving: some\n"
    "    standards:\n"
    "      2: adequate\n"
    "  indicators:\n"
    "    - code: A1\n"
    "      value: 10.5\n"
    "      previous: 12.0\n"
    "      origin: letter\n"
    "  findings:\n"
    "    - id: ch-imp-1\n"
    "      text: positive response to the Children's Safeguards Inspection\n"
    "      kind: improvement\n"
    "      standards: [1]\n"
    "      details:\n"
    "        - re-launch of the Area Child Protection Committee\n"
    "      line: 14\n"
    "  requirements:\n"
    "    homes_inspected: true\n";

/* ---- tree shape and positions --------------------------------------------------------- */

Test(yaml, nested_block_positions)
{
    yd_node *root = parse_ok("a: 1\n"
                             "b:\n"
                             "  c: [1, 2]\n"
                             "  d:\n"
                             "    - x\n"
                             "    - y: z\n"
                             "e:\n"
                             "- 1\n");
    expect_pos(root, YD_MAP, 1, 1);
    cr_assert_eq(root->n, 3);
    expect_scalar(root->pairs[0].key, "a", 0, 1, 1);
    expect_scalar(root->pairs[0].value, "1", 0, 1, 4);
    const yd_node *b = root->pairs[1].value;
    expect_pos(b, YD_MAP, 3, 3);
    cr_assert_eq(b->n, 2);
    const yd_node *c = b->pairs[0].value;
    expect_pos(c, YD_SEQ, 3, 6);
    cr_assert_eq(c->n, 2);
    expect_scalar(c->items[0], "1", 0, 3, 7);
    expect_scalar(c->items[1], "2", 0, 3, 10);
    const yd_node *d = b->pairs[1].value;
    expect_pos(d, YD_SEQ, 5, 5);
    expect_scalar(d->items[0], "x", 0, 5, 7);
    expect_pos(d->items[1], YD_MAP, 6, 7);
    expect_scalar(d->items[1]->pairs[0].value, "z", 0, 6, 10);
    const yd_node *e = root->pairs[2].value;
    expect_pos(e, YD_SEQ, 8, 1);
    expect_scalar(e->items[0], "1", 0, 8, 3);
    yd_free(root);
}

Test(yaml, flow_mapping_and_sequence)
{
    yd_node *root = parse_ok("{a: 1, b: [1, 2]}");
    expect_pos(root, YD_MAP, 1, 1);
    cr_assert_eq(root->n, 2);
    expect_scalar(root->pairs[0].key, "a", 0, 1, 2);
    expect_scalar(root->pairs[0].value, "1", 0, 1, 5);
    expect_pos(root->pairs[1].value, YD_SEQ, 1, 11);
    expect_scalar(root->pairs[1].value->items[1], "2", 0, 1, 15);
    yd_free(root);

    root = parse_ok("[1, 2]");
    expect_pos(root, YD_SEQ, 1, 1);
    cr_assert_eq(root->n, 2);
    expect_scalar(root->items[0], "1", 0, 1, 2);
    expect_scalar(root->items[1], "2", 0, 1, 5);
    yd_free(root);
}

Test(yaml, quoted_styles)
{
    yd_node *root = parse_ok("p: plain text\n"
                             "s: 'single'\n"
                             "d: \"double\\tx\"\n"
                             "l: |\n"
                             "  line one\n"
                             "  line two\n"
                             "f: >\n"
                             "  folded\n"
                             "  text\n");
    expect_scalar(value_of(root, "p"), "plain text", 0, 1, 4);
    expect_scalar(value_of(root, "s"), "single", 1, 2, 4);
    expect_scalar(value_of(root, "d"), "double\tx", 1, 3, 4);
    expect_scalar(value_of(root, "l"), "line one\nline two\n", 1, 4, 4);
    expect_scalar(value_of(root, "f"), "folded text\n", 1, 7, 4);
    yd_free(root);
}

Test(yaml, empty_value_is_plain_empty_scalar)
{
    yd_node *root = parse_ok("a:\nb: ''\n");
    expect_scalar(value_of(root, "a"), "", 0, 1, 3);
    expect_scalar(value_of(root, "b"), "", 1, 2, 4);
    yd_free(root);
}

Test(yaml, byte_order_mark_and_crlf)
{
    yd_node *root = parse_ok("\xEF\xBB\xBF"
                             "a: 1\r\n"
                             "bb: 2\r\n");
    expect_scalar(root->pairs[0].key, "a", 0, 1, 1);
    expect_scalar(root->pairs[1].key, "bb", 0, 2, 1);
    expect_scalar(root->pairs[1].value, "2", 0, 2, 5);
    yd_free(root);
}

Test(yaml, utf8_columns_count_characters)
{
    yd_node *root = parse_ok("caf\xC3\xA9: [\xC3\xA9t\xC3\xA9, x]\n");
    expect_scalar(root->pairs[0].key, "caf\xC3\xA9", 0, 1, 1);
    expect_scalar(root->pairs[0].value->items[1], "x", 0, 1, 13);
    yd_free(root);
}

Test(yaml, depth_at_limit_is_accepted)
{
    /* 16 nested sequences: exactly the default limit. */
    yd_node *root = parse_ok("[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]");
    const yd_node *n = root;
    int depth = 0;
    while (n->kind == YD_SEQ) {
        depth++;
        n = n->items[0];
    }
    cr_assert_eq(depth, 16);
    expect_scalar(n, "x", 0, 1, 17);
    yd_free(root);
}

Test(yaml, null_limits_mean_defaults)
{
    yd_node *root = NULL;
    sr_error err;
    cr_assert_eq(yd_parse("t.yaml", "a: 1", 4, NULL, &root, &err), SR_OK);
    cr_assert_eq(root->kind, YD_MAP);
    yd_free(root);
    yd_free(NULL); /* must be a no-op */
}

Test(yaml, default_limits)
{
    cr_assert_eq(yd_default_limits.max_bytes, (size_t)4 * 1024 * 1024);
    cr_assert_eq(yd_default_limits.max_depth, 16);
    cr_assert_eq(yd_default_limits.max_nodes, (size_t)200000);
    cr_assert_eq(yd_default_limits.max_scalar, (size_t)65536);
}

/* ---- rejections ------------------------------------------------------------------------ */

Test(yaml, duplicate_key)
{
    expect_fail("a: 1\nb: 2\na: 3\n", SR_EINPUT, 3, 1, "duplicate key 'a' (first at line 1)");
    /* quoting does not make a different key */
    expect_fail("x:\n  a: 1\n  'a': 2\n", SR_EINPUT, 3, 3, "duplicate key 'a' (first at line 2)");
    expect_fail("{k: 1, z: 2, k: 3}", SR_EINPUT, 1, 14, "duplicate key 'k' (first at line 1)");
}

/* ---- hash flooding ------------------------------------------------------------------------
 *
 * Keys whose plain FNV-1a hashes (the hash the key index once used) agree in their low 32 bits,
 * so they all land in one probe chain of any index up to 2^32 slots: 2^15 keys, each a choice
 * of one of two 4-byte blocks at each of 15 places. The low bits of FNV-1a's state depend only
 * on the low bits of the state before, so two blocks that agree from the common state before
 * them keep every choice of the blocks before them colliding. */
#define FL_BLOCKS 15

static uint64_t fnv_step(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static void fl_block(unsigned v, char out[4])
{
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 4; i++, v /= 36)
        out[i] = digits[v % 36];
}

/* Two different blocks with the same low 32 bits of state from h; h moves past them. */
static void fl_pair(uint64_t *h, char a[4], char b[4])
{
    enum { SLOTS = 1 << 21 };
    uint32_t *seen_hash = calloc(SLOTS, sizeof *seen_hash);
    unsigned *seen = calloc(SLOTS, sizeof *seen);
    cr_assert(seen && seen_hash);
    for (unsigned v = 1;; v++) {
        char blk[4];
        fl_block(v, blk);
        uint32_t low = (uint32_t)fnv_step(*h, blk, 4);
        size_t i = low & (SLOTS - 1);
        for (; seen[i]; i = (i + 1) & (SLOTS - 1)) {
            if (seen_hash[i] == low) {
                fl_block(seen[i], a);
                memcpy(b, blk, 4);
                *h = fnv_step(*h, a, 4);
                free(seen);
                free(seen_hash);
                return;
            }
        }
        seen[i] = v;
        seen_hash[i] = low;
    }
}

Test(yaml, keys_colliding_under_a_fixed_hash_stay_linear)
{
    char pairs[FL_BLOCKS][2][4];
    uint64_t h = 1469598103934665603u;
    for (int i = 0; i < FL_BLOCKS; i++)
        fl_pair(&h, pairs[i][0], pairs[i][1]);
    size_t nkeys = (size_t)1 << FL_BLOCKS, line = 4 * FL_BLOCKS + 4;
    char *text = malloc(nkeys * line + 1);
    cr_assert_not_null(text);
    size_t o = 0;
    uint32_t first_low = 0;
    for (size_t k = 0; k < nkeys; k++) {
        for (int i = 0; i < FL_BLOCKS; i++)
            memcpy(text + o + 4 * (size_t)i, pairs[i][(k >> i) & 1], 4);
        uint32_t low = (uint32_t)fnv_step(1469598103934665603u, text + o, 4 * FL_BLOCKS);
        if (k == 0)
            first_low = low;
        cr_assert_eq(low, first_low, "the generator made a key that does not collide");
        memcpy(text + o + 4 * FL_BLOCKS, ": 1\n", 4);
        o += line;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    yd_node *root = NULL;
    sr_error err;
    int rc = yd_parse("collide.yaml", text, o, NULL, &root, &err);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_eq(rc, SR_OK, "%s", err.msg);
    cr_assert_eq(root->n, nkeys);
    cr_assert_lt(secs, 1.0, "%zu colliding keys took %.2f s", nkeys, secs);
    yd_free(root);
    free(text);
}

Test(yaml, duplicate_key_in_large_map)
{
    /* Past the first growth of the key index, and same keys in sibling maps are fine. */
    char text[4096];
    size_t o = 0;
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "k%d: {k%d: 1}\n", i, i);
    yd_node *root = parse_ok(text);
    cr_assert_eq(root->n, 100);
    cr_assert_not_null(yd_get(root, "k99"));
    yd_free(root);
    snprintf(text + o, sizeof text - o, "k57: 2\n");
    expect_fail(text, SR_EINPUT, 101, 1, "duplicate key 'k57' (first at line 58)");
    /* Around the size where a map switches from comparing keys to its hash index. */
    for (int n = 12; n <= 20; n++) {
        o = 0;
        for (int i = 0; i < n; i++)
            o += (size_t)snprintf(text + o, sizeof text - o, "k%d: 1\n", i);
        snprintf(text + o, sizeof text - o, "k%d: 2\n", n - 1);
        char msg[64];
        snprintf(msg, sizeof msg, "duplicate key 'k%d' (first at line %d)", n - 1, n);
        expect_fail(text, SR_EINPUT, n + 1, 1, msg);
    }
}

Test(yaml, anchors_and_aliases)
{
    expect_fail("a: &x 1\n", SR_EINPUT, 1, 4, "anchors and aliases are not allowed");
    expect_fail("a: 1\nb: *x\n", SR_EINPUT, 2, 4, "anchors and aliases are not allowed");
    expect_fail("a: &m\n  b: 1\n", SR_EINPUT, 1, 4, "anchors and aliases are not allowed");
    expect_fail("- &s [1]\n", SR_EINPUT, 1, 3, "anchors and aliases are not allowed");
}

Test(yaml, tags)
{
    expect_fail("a: !!str 1\n", SR_EINPUT, 1, 4, "tags are not allowed");
    expect_fail("a: ! 1\n", SR_EINPUT, 1, 4, "tags are not allowed");
    expect_fail("a: !!seq [1]\n", SR_EINPUT, 1, 4, "tags are not allowed");
    expect_fail("!!map {a: 1}\n", SR_EINPUT, 1, 1, "tags are not allowed");
}

Test(yaml, non_scalar_keys)
{
    expect_fail("? [1]\n: 2\n", SR_EINPUT, 1, 3, "a mapping key must be a single value, not a list");
    expect_fail("{{a: 1}: 2}", SR_EINPUT, 1, 2,
                "a mapping key must be a single value, not a mapping");
}

Test(yaml, more_than_one_document)
{
    expect_fail("a: 1\n---\nb: 2\n", SR_EINPUT, 2, 1, "more than one document");
    expect_fail("---\na: 1\n...\n---\n", SR_EINPUT, 4, 1, "more than one document");
}

Test(yaml, empty_document)
{
    expect_fail("", SR_EINPUT, 1, 1, "empty document");
    expect_fail("# only a comment\n\n", SR_EINPUT, 1, 1, "empty document");
    expect_fail("---\n", SR_EINPUT, 2, 1, "empty document");
}

Test(yaml, nesting_too_deep)
{
    expect_fail("[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]", SR_ELIMIT, 1, 17,
                "nesting deeper than 16 levels");
    yd_limits lim = yd_default_limits;
    lim.max_depth = 2;
    const char *text = "a:\n  b:\n    c: 1\n";
    expect_fail_n(text, strlen(text), &lim, SR_ELIMIT, 3, 5, "nesting deeper than 2 levels");
}

Test(yaml, too_many_nodes)
{
    yd_limits lim = yd_default_limits;
    lim.max_nodes = 5; /* map, a, 1, b, 2 */
    yd_node *root = NULL;
    sr_error err;
    cr_assert_eq(yd_parse("t.yaml", "a: 1\nb: 2\n", 10, &lim, &root, &err), SR_OK);
    yd_free(root);
    const char *text = "a: 1\nb: 2\nc: 3\n";
    expect_fail_n(text, strlen(text), &lim, SR_ELIMIT, 3, 1, "more than 5 nodes");
}

Test(yaml, scalar_too_long)
{
    yd_limits lim = yd_default_limits;
    lim.max_scalar = 10;
    yd_node *root = NULL;
    sr_error err;
    cr_assert_eq(yd_parse("t.yaml", "a: 0123456789", 13, &lim, &root, &err), SR_OK);
    yd_free(root);
    const char *text = "a: 1\nb: \"0123456789A\"\n";
    expect_fail_n(text, strlen(text), &lim, SR_ELIMIT, 2, 4, "scalar longer than 10 bytes");
}

Test(yaml, input_too_large)
{
    yd_limits lim = yd_default_limits;
    lim.max_bytes = 8;
    yd_node *root = NULL;
    sr_error err;
    cr_assert_eq(yd_parse("t.yaml", "a: 12345", 8, &lim, &root, &err), SR_OK);
    yd_free(root);
    expect_fail_n("a: 123456", 9, &lim, SR_ELIMIT, 0, 0,
                  "file is larger than the limit of 8 bytes");
}

Test(yaml, nul_byte)
{
    static const char text[] = "a: 1\nb: x\0y\n";
    expect_fail_n(text, sizeof text - 1, &yd_default_limits, SR_EINPUT, 2, 5,
                  "input contains a NUL byte");
    /* An escaped NUL is refused too: C strings downstream would cut the text. */
    expect_fail("a: \"x\\0y\"\n", SR_EINPUT, 1, 4, "text may not contain a NUL character");
}

Test(yaml, invalid_utf8)
{
    expect_fail("a: 1\nb: \xFF\n", SR_EINPUT, 2, 4, "invalid leading UTF-8 octet");
    expect_fail("a: 1\nb: caf\xC3\n", SR_EINPUT, 2, 8, "invalid trailing UTF-8 octet");
    expect_fail("a: \xED\xA0\x80\n", SR_EINPUT, 1, 4, "invalid Unicode character");
    expect_fail("a: \x01\n", SR_EINPUT, 1, 4, "control characters are not allowed");
    /* UTF-16 is not decoded (its ASCII bytes carry NULs, found first). */
    expect_fail_n("\xFF\xFE" "a\0:\0", 6, &yd_default_limits, SR_EINPUT, 1, 4,
                  "input contains a NUL byte");
}

#define COLON_HINT                                                                       \
    "; hint: a colon followed by a space inside unquoted text starts a new key: put the "  \
    "whole text in quotation marks"
#define INDENT_HINT "; hint: check the indentation: items of one list, and keys of one mapping, must start in the same column"
#define TAB_HINT "; hint: indent with spaces: YAML does not allow tab characters in indentation"

Test(yaml, libyaml_syntax_errors)
{
    expect_fail("x:\n  y: 1\n  z: a: b\n", SR_EINPUT, 3, 7,
                "mapping values are not allowed in this context" COLON_HINT);
    expect_fail("a:\n  b: 1\n c: 2\n", SR_EINPUT, 3, 2, "did not find expected key" INDENT_HINT);
    expect_fail("\ta: 1\n", SR_EINPUT, 1, 1,
                "found character that cannot start any token" TAB_HINT);
    expect_fail("a: [1, 2\n", SR_EINPUT, 2, 1,
                "did not find expected ',' or ']'; hint: a list or mapping in brackets is not "
                "closed, or a comma is missing between its items");
}

/* The hints name the usual cause of libyaml's complaint; text that only looks alike gets
 * the advice that fits it. */
Test(yaml, hints_for_hand_editing_mistakes)
{
    expect_fail("a: 1\n\tb: 2\n", SR_EINPUT, 2, 1,
                "found a tab character that violates indentation" TAB_HINT);
    /* A deeper line under a plain value: indentation, not a colon in the text. */
    expect_fail("council: Harrow\n  year: 2003\n", SR_EINPUT, 2, 7,
                "mapping values are not allowed in this context; hint: check the indentation: "
                "this line is indented more than the key it belongs to, or the line above it "
                "is an unfinished text");
    expect_fail("council: \"Harrow\nyear: 2003\n", SR_EINPUT, 3, 1,
                "found unexpected end of stream; hint: a quoted text is not closed: check for "
                "a missing closing quotation mark");
    expect_fail("findings:\n  - a\n - b\n", SR_EINPUT, 3, 2, "did not find expected key" INDENT_HINT);
}

Test(yaml, error_format_has_file_line_col)
{
    yd_node *root = NULL;
    sr_error err;
    const char *text = "council: x\nyear: 2003\nround: a: b\n";
    cr_assert_eq(yd_parse("ev.yaml", text, strlen(text), NULL, &root, &err), SR_EINPUT);
    char line[1200];
    sr_error_format(&err, line, sizeof line);
    cr_assert_str_eq(line, "ev.yaml:3:9: error: mapping values are not allowed in this context"
                           COLON_HINT);
}

/* ---- files ---------------------------------------------------------------------------- */

static void write_temp(char *path, const char *text)
{
    strcpy(path, "/tmp/test_yaml_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    size_t len = strlen(text);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
}

Test(yaml, load_file)
{
    char path[64];
    write_temp(path, evidence);
    yd_node *root = NULL;
    sr_error err;
    int rc = yd_load_file(path, &yd_default_limits, &root, &err);
    unlink(path);
    cr_assert_eq(rc, SR_OK, "%s", err.msg);
    expect_scalar(value_of(root, "year"), "2003", 0, 2, 7);
    yd_free(root);
}

Test(yaml, load_file_errors_name_the_file)
{
    char path[64];
    write_temp(path, "a: 1\na: 2\n");
    yd_node *root = (yd_node *)&root;
    sr_error err;
    int rc = yd_load_file(path, NULL, &root, &err);
    cr_assert_eq(rc, SR_EINPUT);
    cr_assert_null(root);
    cr_assert_str_eq(err.file, path);
    cr_assert_eq(err.line, 2);

    yd_limits lim = yd_default_limits;
    lim.max_bytes = 4;
    rc = yd_load_file(path, &lim, &root, &err);
    unlink(path);
    cr_assert_eq(rc, SR_ELIMIT);
    cr_assert_null(root);

    rc = yd_load_file("/nonexistent/dir/ev.yaml", NULL, &root, &err);
    cr_assert_eq(rc, SR_EIO);
    cr_assert_null(root);
}

Test(yaml, load_stdin_is_named)
{
    char path[64];
    write_temp(path, "a: [1\n");
    cr_assert_not_null(freopen(path, "r", stdin));
    yd_node *root = (yd_node *)&root;
    sr_error err;
    int rc = yd_load_file("-", NULL, &root, &err);
    unlink(path);
    cr_assert_eq(rc, SR_EINPUT);
    cr_assert_null(root);
    cr_assert_str_eq(err.file, "<stdin>");
}

/* ---- schema helpers ------------------------------------------------------------------- */

Test(yaml, get)
{
    yd_node *root = parse_ok("a: 1\nb: [x]\n");
    cr_assert_eq(yd_get(root, "b"), root->pairs[1].value);
    cr_assert_null(yd_get(root, "c"));
    cr_assert_null(yd_get(root->pairs[1].value, "x")); /* not a map */
    cr_assert_null(yd_get(NULL, "a"));
    yd_free(root);
}

Test(yaml, expect)
{
    yd_node *root = parse_ok("m: {a: 1}\ns: [1]\nv: 1\n");
    sr_error err;
    cr_assert_eq(yd_expect(value_of(root, "m"), YD_MAP, "m", "ev.yaml", &err), SR_OK);
    cr_assert_eq(yd_expect(value_of(root, "s"), YD_SEQ, "s", "ev.yaml", &err), SR_OK);
    cr_assert_eq(yd_expect(value_of(root, "v"), YD_SCALAR, "v", "ev.yaml", &err), SR_OK);
    cr_assert_eq(yd_expect(value_of(root, "v"), YD_MAP, "published", "ev.yaml", &err),
                 SR_EINPUT);
    expect_err(&err, 3, 4, "expected a mapping for 'published'");
    cr_assert_eq(yd_expect(value_of(root, "m"), YD_SEQ, "notes", "ev.yaml", &err), SR_EINPUT);
    expect_err(&err, 1, 4, "expected a list for 'notes'");
    cr_assert_eq(yd_expect(value_of(root, "s"), YD_SCALAR, "council", "ev.yaml", &err),
                 SR_EINPUT);
    expect_err(&err, 2, 4, "expected a single value for 'council'");
    cr_assert_eq(yd_expect(NULL, YD_MAP, "children", "ev.yaml", &err), SR_EINPUT);
    cr_assert_str_eq(err.msg, "expected a mapping for 'children'");
    cr_assert_eq(err.line, 0);
    yd_free(root);
}

Test(yaml, check_keys)
{
    static const char *const allowed[] = { "code", "value", "band", NULL };
    yd_node *root = parse_ok("- {code: A1, value: 2}\n- code: A2\n  vaule: 3\n");
    sr_error err;
    cr_assert_eq(yd_check_keys(root->items[0], allowed, "indicator", "ev.yaml", &err), SR_OK);
    cr_assert_eq(yd_check_keys(root->items[1], allowed, "indicator", "ev.yaml", &err),
                 SR_EINPUT);
    expect_err(&err, 3, 3, "unknown key 'vaule' in indicator (expected one of: code, value, band)");
    cr_assert_eq(yd_check_keys(root, allowed, "indicators", "ev.yaml", &err), SR_EINPUT);
    expect_err(&err, 1, 1, "expected a mapping for 'indicators'");
    yd_free(root);
}

Test(yaml, require)
{
    yd_node *root = parse_ok("top: 1\nchildren:\n  given: {serving: some}\n");
    const yd_node *children = value_of(root, "children");
    const yd_node *given = NULL;
    sr_error err;
    cr_assert_eq(yd_require(children, "given", "children", "ev.yaml", &given, &err), SR_OK);
    cr_assert_eq(given, children->pairs[0].value);
    const yd_node *missing = (const yd_node *)&err;
    cr_assert_eq(yd_require(children, "indicators", "children", "ev.yaml", &missing, &err),
                 SR_EINPUT);
    expect_err(&err, 3, 3, "missing key 'indicators' in children");
    cr_assert_eq(yd_require(given, "capacity", "given", "ev.yaml", &missing, &err), SR_EINPUT);
    expect_err(&err, 3, 10, "missing key 'capacity' in given");
    yd_free(root);
}

static void number_ok(const yd_node *root, const char *key, double want)
{
    double v = -12345;
    sr_error err;
    int rc = yd_number(value_of(root, key), key, "ev.yaml", &v, &err);
    cr_assert_eq(rc, SR_OK, "%s: %s", key, err.msg);
    cr_assert_float_eq(v, want, 1e-12, "%s: %g", key, v);
}

static void number_bad(const yd_node *root, const char *key, int line, const char *msg)
{
    const int col = strcmp(key, "m") == 0 ? 3 : 4; /* "m:" has its empty value at column 3 */
    double v = 0;
    sr_error err;
    cr_assert_eq(yd_number(value_of(root, key), key, "ev.yaml", &v, &err), SR_EINPUT, "%s", key);
    expect_err(&err, line, col, msg);
}

Test(yaml, number)
{
    yd_node *root = parse_ok("a: 12\nb: -3.5\nc: 0.75\nd: 1e3\ne: +2\nf: .5\ng: 0\nh: -0\n"
                             "i: \"12\"\nj: .inf\nk: nan\nl: 0x1A\nm:\nn: 1.2.3\no: 010\n"
                             "p: 1e999\nq: 12abc\nr: {x: 1}\ns: '1'\nt: 1_000\n");
    number_ok(root, "a", 12);
    number_ok(root, "b", -3.5);
    number_ok(root, "c", 0.75);
    number_ok(root, "d", 1000);
    number_ok(root, "e", 2);
    number_ok(root, "f", 0.5);
    number_ok(root, "g", 0);
    number_ok(root, "h", 0);
    number_bad(root, "i", 9, "expected a number for 'i', got '\"12\"'");
    number_bad(root, "j", 10, "expected a number for 'j', got '.inf'");
    number_bad(root, "k", 11, "expected a number for 'k', got 'nan'");
    number_bad(root, "l", 12, "expected a number for 'l', got '0x1A'");
    number_bad(root, "m", 13, "expected a number for 'm', got ''");
    number_bad(root, "n", 14, "expected a number for 'n', got '1.2.3'");
    number_bad(root, "o", 15, "expected a number for 'o', got '010'");
    number_bad(root, "p", 16, "expected a number for 'p', got '1e999'");
    number_bad(root, "q", 17, "expected a number for 'q', got '12abc'");
    number_bad(root, "r", 18, "expected a number for 'r', got a mapping");
    number_bad(root, "s", 19, "expected a number for 's', got '\"1\"'");
    number_bad(root, "t", 20, "expected a number for 't', got '1_000'");
    yd_free(root);
}

/* Short decimals take a fast path instead of strtod: it must give the very same double,
 * including at the edges of the path (15 and 16 significant digits, 22 and 23 decimals). */
Test(yaml, number_matches_strtod)
{
    static const char *const edges[] = {
        "0.1", "0.3", "-0.0", "+0.5", "123456789012345", "1234567890123456", "9007199254740993",
        "0.1234567890123456789012", "0.12345678901234567890123", "0.0000000000000000000001",
        "999999999999999.9", "4.35", "100.00", "0.000001", "2.675", "1.005",
    };
    srand(20031);
    for (int i = 0; i < 20000 + (int)(sizeof edges / sizeof *edges); i++) {
        char text[64];
        if (i < (int)(sizeof edges / sizeof *edges)) {
            snprintf(text, sizeof text, "%s", edges[i]);
        } else {
            int whole = rand() % 100000, frac = rand(), digits = rand() % 12;
            snprintf(text, sizeof text, "%s%d.%0*d", rand() % 2 ? "-" : "", whole % (1 + rand() % 100000),
                     digits + 1, frac % 1000000000);
        }
        yd_node node = {.kind = YD_SCALAR, .str = text, .len = strlen(text), .line = 1, .col = 1};
        sr_error err;
        double got = -1, want = strtod(text, NULL);
        cr_assert_eq(yd_number(&node, "x", "t.yaml", &got, &err), SR_OK, "%s: %s", text, err.msg);
        if (want == 0)
            want = 0.0;
        cr_assert(memcmp(&got, &want, sizeof got) == 0, "%s: %.17g, strtod %.17g", text, got, want);
    }
}

Test(yaml, negative_zero_is_zero)
{
    yd_node *root = parse_ok("h: -0.0\n");
    double v = 1;
    sr_error err;
    cr_assert_eq(yd_number(value_of(root, "h"), "h", "ev.yaml", &v, &err), SR_OK);
    cr_assert(v == 0 && !signbit(v));
    yd_free(root);
}

Test(yaml, integer)
{
    yd_node *root = parse_ok("year: 2003\nlow: 1999\nfrac: 2003.0\nq: \"2003\"\ne: 1e3\n"
                             "big: 99999999999999999999999\nneg: -3\n");
    long v = 0;
    sr_error err;
    cr_assert_eq(yd_integer(value_of(root, "year"), "year", 2002, 2005, "ev.yaml", &v, &err),
                 SR_OK);
    cr_assert_eq(v, 2003);
    cr_assert_eq(yd_integer(value_of(root, "neg"), "neg", -5, 5, "ev.yaml", &v, &err), SR_OK);
    cr_assert_eq(v, -3);
    cr_assert_eq(yd_integer(value_of(root, "low"), "year", 2002, 2005, "ev.yaml", &v, &err),
                 SR_EINPUT);
    expect_err(&err, 2, 6, "expected a whole number from 2002 to 2005 for 'year', got '1999'");
    cr_assert_eq(yd_integer(value_of(root, "frac"), "year", 2002, 2005, "ev.yaml", &v, &err),
                 SR_EINPUT);
    expect_err(&err, 3, 7, "expected a whole number from 2002 to 2005 for 'year', got '2003.0'");
    cr_assert_eq(yd_integer(value_of(root, "q"), "year", 2002, 2005, "ev.yaml", &v, &err),
                 SR_EINPUT);
    expect_err(&err, 4, 4, "expected a whole number from 2002 to 2005 for 'year', got '\"2003\"'");
    cr_assert_eq(yd_integer(value_of(root, "e"), "n", 0, 5000, "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 5, 4, "expected a whole number from 0 to 5000 for 'n', got '1e3'");
    cr_assert_eq(yd_integer(value_of(root, "big"), "n", 0, 9, "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 6, 6, "expected a whole number from 0 to 9 for 'n', "
                           "got '99999999999999999999999'");
    cr_assert_eq(yd_integer(root, "n", 0, 9, "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 1, 1, "expected a whole number from 0 to 9 for 'n', got a mapping");
    yd_free(root);
}

Test(yaml, boolean)
{
    yd_node *root = parse_ok("[true, false, yes, no, \"true\", True, 1]");
    int v = -1;
    sr_error err;
    const int want[] = { 1, 0, 1, 0 };
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(yd_bool(root->items[i], "met", "ev.yaml", &v, &err), SR_OK);
        cr_assert_eq(v, want[i]);
    }
    cr_assert_eq(yd_bool(root->items[4], "homes_inspected", "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 1, 24, "expected true or false for 'homes_inspected', got '\"true\"'");
    cr_assert_eq(yd_bool(root->items[5], "met", "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 1, 32, "expected true or false for 'met', got 'True'");
    cr_assert_eq(yd_bool(root->items[6], "met", "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 1, 38, "expected true or false for 'met', got '1'");
    yd_free(root);
}

Test(yaml, string)
{
    yd_node *root = parse_ok("a: plain\nb: 'quoted'\nc: [x]\n");
    const char *s = NULL;
    sr_error err;
    cr_assert_eq(yd_string(value_of(root, "a"), "a", "ev.yaml", &s, &err), SR_OK);
    cr_assert_str_eq(s, "plain");
    cr_assert_eq(yd_string(value_of(root, "b"), "b", "ev.yaml", &s, &err), SR_OK);
    cr_assert_str_eq(s, "quoted");
    cr_assert_eq(yd_string(value_of(root, "c"), "council", "ev.yaml", &s, &err), SR_EINPUT);
    expect_err(&err, 3, 4, "expected text for 'council'");
    yd_free(root);
}

Test(yaml, enumeration)
{
    static const char *const words[] = { "improvement", "strength", "concern" };
    yd_node *root = parse_ok("a: strength\nb: 'concern'\nc: weakness\nd: {x: 1}\n");
    size_t idx = 99;
    sr_error err;
    cr_assert_eq(yd_enum(value_of(root, "a"), "kind", words, 3, "ev.yaml", &idx, &err), SR_OK);
    cr_assert_eq(idx, 1);
    cr_assert_eq(yd_enum(value_of(root, "b"), "kind", words, 3, "ev.yaml", &idx, &err), SR_OK);
    cr_assert_eq(idx, 2);
    cr_assert_eq(yd_enum(value_of(root, "c"), "kind", words, 3, "ev.yaml", &idx, &err),
                 SR_EINPUT);
    expect_err(&err, 3, 4, "unknown kind 'weakness' (expected one of: improvement, strength, "
                           "concern)");
    cr_assert_eq(yd_enum(value_of(root, "d"), "kind", words, 3, "ev.yaml", &idx, &err),
                 SR_EINPUT);
    expect_err(&err, 4, 4, "expected a single value for 'kind'");
    yd_free(root);
}

Test(yaml, long_and_multiline_values_are_clipped_in_messages)
{
    char text[200];
    snprintf(text, sizeof text, "a: %s\nb: |\n  one\n  two\n",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    yd_node *root = parse_ok(text);
    double v;
    sr_error err;
    cr_assert_eq(yd_number(value_of(root, "a"), "a", "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 1, 4, "expected a number for 'a', got "
                           "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
    cr_assert_eq(yd_number(value_of(root, "b"), "b", "ev.yaml", &v, &err), SR_EINPUT);
    expect_err(&err, 2, 4, "expected a number for 'b', got '\"one\\ntwo\\n\"'");
    yd_free(root);
}

/* ---- allocation failures -------------------------------------------------------------- */

/* Fails allocation n = 1, 2, ... until the parse succeeds: every failing run must report
 * SR_ENOMEM with no tree (leaks are caught by ASan or valgrind). */
static long walk_alloc_failures(const char *text, int final_rc)
{
    long n = 1;
    for (;; n++) {
        yd_node *root = (yd_node *)&root;
        sr_error err;
        sr_error_clear(&err);
        sr_alloc_fail_at(n);
        int rc = yd_parse("ev.yaml", text, strlen(text), &yd_default_limits, &root, &err);
        sr_alloc_fail_at(0);
        if (rc != SR_ENOMEM) {
            cr_assert_eq(rc, final_rc, "allocation %ld: rc %d: %s", n, rc, err.msg);
            if (rc == SR_OK) {
                cr_assert_not_null(root);
                yd_free(root);
            } else {
                cr_assert_null(root);
            }
            return n;
        }
        cr_assert_eq(err.code, SR_ENOMEM);
        cr_assert_null(root, "allocation %ld failed but a tree came back", n);
        cr_assert_lt(n, 100000, "parse never succeeded");
    }
}

/* Empty containers as the first ones of a document close before any child was seen (found
 * by fuzz_yaml under UBSan). */
Test(yaml, empty_containers_first)
{
    static const char *const texts[] = {"[]", "{}", "[[]]", "{a: []}", "- {}\n"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        yd_node *root = parse_ok(texts[i]);
        cr_assert_eq(root->n, i < 2 ? 0u : 1u, "%s", texts[i]);
        yd_free(root);
    }
}

/* Allocations one parse of text makes, whatever its outcome. */
static long allocations_of(const char *text)
{
    yd_node *root = NULL;
    sr_error err;
    sr_alloc_fail_at(0);
    yd_parse("ev.yaml", text, strlen(text), &yd_default_limits, &root, &err);
    long n = sr_alloc_count();
    yd_free(root);
    return n;
}

Test(yaml, every_allocation_failure_is_clean)
{
    long n = walk_alloc_failures(evidence, SR_OK);
    /* The tree lives in a few arena blocks, so there are few allocations: every one of them
     * must have been made to fail before the walk could succeed. */
    cr_assert_eq(n, allocations_of(evidence) + 1, "only %ld allocations", n);
    yd_node *root = parse_ok(evidence);
    cr_assert_eq(root->n, 7);
    yd_free(root);
}

Test(yaml, allocation_failures_before_a_late_error_are_clean)
{
    char text[sizeof evidence + 32];
    snprintf(text, sizeof text, "%scouncil: again\n", evidence);
    long n = walk_alloc_failures(text, SR_EINPUT);
    cr_assert_eq(n, allocations_of(text) + 1);
}

/* A flow list of one-digit numbers makes far more tree than its size suggests, so the arena
 * must grow block by block; a map with many keys gets a hash index. Failures at each of those
 * allocations must be clean too, and the tree must come out whole. */
Test(yaml, allocation_failures_while_the_arena_grows_are_clean)
{
    enum { N = 3000 };
    char *text = malloc(64 + 12 * N);
    cr_assert_not_null(text);
    size_t o = (size_t)sprintf(text, "list: [");
    for (int i = 0; i < N; i++)
        o += (size_t)sprintf(text + o, "%s%d", i ? "," : "", i % 10);
    o += (size_t)sprintf(text + o, "]\nmap:\n");
    for (int i = 0; i < 100; i++)
        o += (size_t)sprintf(text + o, "  k%d: %d\n", i, i);
    long n = walk_alloc_failures(text, SR_OK);
    cr_assert_eq(n, allocations_of(text) + 1);
    cr_assert_gt(n, 8, "the arena did not grow: %ld allocations", n);
    yd_node *root = parse_ok(text);
    const yd_node *list = value_of(root, "list"), *map = value_of(root, "map");
    cr_assert_eq(list->n, N);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(list->items[i]->str[0], (char)('0' + i % 10));
    cr_assert_eq(map->n, 100);
    cr_assert_str_eq(map->pairs[99].key->str, "k99");
    cr_assert_str_eq(map->pairs[99].value->str, "99");
    yd_free(root);
    free(text);
}
