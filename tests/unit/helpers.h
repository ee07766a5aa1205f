/*
 * helpers.h — shared fixtures for the unit tests: paths into the source tree and a few
 * one-line loaders that fail the test with the error message when something is rejected.
 */
#ifndef SR_TEST_HELPERS_H
#define SR_TEST_HELPERS_H

#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "output.h"
#include "pack.h"
#include "ydoc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SR_SOURCE_ROOT
#define SR_SOURCE_ROOT "."
#endif

#define RULES_DIR(round) SR_SOURCE_ROOT "/rules/" round
#define COUNCIL(file) SR_SOURCE_ROOT "/scenarios/councils/" file

/* Loads a pack or fails the test. */
static inline rp_pack *th_pack(const char *dir)
{
    rp_pack *p = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = rp_load(dir, NULL, &p, &err);
    cr_assert_eq(rc, SR_OK, "loading %s: %s:%d: %s", dir, err.file, err.line, err.msg);
    return p;
}

/* Parses YAML text and builds evidence with the pack; returns the result code and fills err. */
static inline int th_evidence(rp_pack *p, const char *yaml, ev_evidence **out, sr_error *err)
{
    yd_node *doc = NULL;
    sr_error_clear(err);
    *out = NULL;
    int rc = yd_parse("test.yaml", yaml, strlen(yaml), &yd_default_limits, &doc, err);
    if (rc == SR_OK)
        rc = ev_build(doc, "test.yaml", p, out, err);
    yd_free(doc);
    return rc;
}

/* Loads evidence from a file with the pack or fails the test. */
static inline ev_evidence *th_evidence_file(rp_pack *p, const char *path)
{
    yd_node *doc = NULL;
    ev_evidence *ev = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = yd_load_file(path, &yd_default_limits, &doc, &err);
    if (rc == SR_OK)
        rc = ev_build(doc, path, p, &ev, &err);
    yd_free(doc);
    cr_assert_eq(rc, SR_OK, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return ev;
}

/* A command's exit status and everything it wrote, for tests that run a command's main in
 * process (rules from the source tree). */
typedef struct captured {
    int status;
    char *out, *err;
} captured;

typedef int (*th_main_fn)(int argc, char **argv, FILE *out, FILE *err);

/* th_NAME: command NAME's function (cmd.h) called with argv holding only what follows the
 * command name, as th_run calls it. */
#define TH_COMMAND(name)                                                                    \
    static int th_##name(int argc, char **argv, FILE *out, FILE *err)                       \
    {                                                                                       \
        char *v[64] = {#name};                                                              \
        for (int i = 0; i < argc && i < 63; i++)                                            \
            v[i + 1] = argv[i];                                                             \
        return cmd_##name(argc + 1, v, out, err);                                           \
    }

static inline captured th_run(th_main_fn fn, int argc, char **argv)
{
    setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1);
    captured c = {0, NULL, NULL};
    size_t lo, le;
    FILE *out = open_memstream(&c.out, &lo), *err = open_memstream(&c.err, &le);
    cr_assert(out && err);
    c.status = fn(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return c;
}

static inline void captured_free(captured *c)
{
    free(c->out);
    free(c->err);
}

/* Writes len bytes of text to dir/name. */
static inline void th_write_in(const char *dir, const char *name, const char *text, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

/* The declarations every test pack needs: two services, the three scales, the rating and
 * standards 1-6 (all with a `source`). */
#define TH_DECL_LUA                                                                           \
    "service { id = 'children', name = 'c', title = 'C', source = 's' }\n"                    \
    "service { id = 'adults', name = 'a', title = 'A', source = 's' }\n"                      \
    "scale { id = 'serving', name = 'serving', source = 's', words = {\n"                     \
    "  { id = 'no', text = 'no' }, { id = 'some', text = 'some' },\n"                         \
    "  { id = 'most', text = 'most' }, { id = 'yes', text = 'yes' } } }\n"                    \
    "scale { id = 'capacity', name = 'capacity', source = 's', words = {\n"                   \
    "  { id = 'poor', text = 'p' }, { id = 'uncertain', text = 'u' },\n"                      \
    "  { id = 'promising', text = 'pr' }, { id = 'excellent', text = 'e' } } }\n"             \
    "scale { id = 'grade', name = 'grade', source = 's', words = {\n"                         \
    "  { id = 'inadequate', text = 'i' }, { id = 'adequate', text = 'a' },\n"                 \
    "  { id = 'good', text = 'g' }, { id = 'very_good', text = 'v' } } }\n"                   \
    "rating { min = 0, max = 3, unit = 'stars', source = 's' }\n"                             \
    "for n = 1, 6 do standard { number = n, name = 'S' .. n,\n"                               \
    "  informs = n < 6 and 'serving' or 'capacity', criteria = { 'c' }, source = 's' } end\n"

/* Writes text to a new temporary file and returns its path (valid until the next call). */
static inline char *th_write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/starrate-test-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

#endif
