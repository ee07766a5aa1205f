/*
 * test.c — `starrate test`: rule packs' own test cases, as TAP (and JUnit XML on request).
 */
#include "cmd.h"
#include "packtest.h"

#include <stddef.h>

typedef struct test_opts {
    const char *junit;
} test_opts;

const po_option test_options[] = {
    {PO_STRING, 0, "junit", offsetof(test_opts, junit), "FILE", "also write JUnit XML to FILE", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};

const char test_description[] =
    "Runs rule packs' test cases (YAML files in PACK/tests/): evidence in, expected judgements,\n"
    "stars and rule out. Prints TAP; every failure shows expected and actual. With no argument,\n"
    "runs the tests of every pack. Exit status 1 when any case fails.\n";

int cmd_test(int argc, char **argv, FILE *out, FILE *err)
{
    test_opts o = {0};
    int status, n = cmd_parse(argc, &argv, &o, out, err, &status);
    if (n < 0)
        return status;
    int npacks = 0;
    char **packs = n == 0 ? cmd_all_packs(&npacks) : NULL;
    ss_session *session = n == 0 && !packs ? NULL : cmd_session_new(err);
    if (!session) {
        if (n == 0 && !packs)
            fputs("starrate: error: out of memory\n", err);
        cmd_packs_free(packs, npacks);
        return EXIT_REJECTED;
    }
    pt_options po = {o.junit, out, err, session};
    status = pt_run(n ? (const char *const *)argv : (const char *const *)packs, n ? n : npacks, &po);
    cmd_session_free(session);
    cmd_packs_free(packs, npacks);
    return status;
}
