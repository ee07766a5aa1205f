/*
 * packtest.h — rule packs' own test cases (module prefix pt_), run by `starrate test`.
 *
 * A test file (PACK/tests/NAME.yaml) holds `cases:`, each with a `name`, the `evidence` (a map
 * written inline, or the path of an evidence file relative to the test file), optionally
 * `from_published: true`, and `expect`: any of `stars`, `stars_possible` (a list), `rule`, and
 * per service `serving` and `capacity`. Every case runs; every failure is listed with the
 * expected and the actual value. Results are TAP on standard output and, on request, JUnit XML.
 */
#ifndef SR_PACKTEST_H
#define SR_PACKTEST_H

#include "eval.h"
#include "session.h"

#include <stdio.h>

typedef struct pt_options {
    const char *junit;  /* path for JUnit XML, or NULL */
    FILE *out, *err;
    ss_session *session;
} pt_options;

/* targets: pack folders (every YAML file in PACK/tests) or test files. Returns the exit status:
 * 0 all passed, 1 a case failed or a file was rejected. */
int pt_run(const char *const *targets, int ntargets, const pt_options *o);

/* The test files of a pack: the YAML files of PACKDIR/tests, sorted by name so the order never
 * depends on the file system, as allocated names (each freed by the caller) in names[0..max).
 * Returns how many, 0 for a pack without tests, or -1 when out of memory (nothing kept). */
int pt_test_files(const char *packdir, char **names, size_t max);

/* Compares a result with a case's `expect`: one line per difference appended to f (nothing when
 * the case holds). Errors only for an `expect` that is malformed. */
int pt_expect(const yd_node *exp, const char *file, rp_pack *p, const rt_result *r, sr_buf *f,
              sr_error *err);
/* Where a test case's evidence is: a file named relative to the test file (the path; NULL
 * returned), or the map written in the case (returned; path names the test file). */
const yd_node *pt_case_evidence(const char *file, const yd_node *ev, char *path, size_t n);
/* What a test case's `expect` says of service s of p: the index of the word expected for
 * serving and for capacity, -1 for "insufficient evidence", PT_ANY when it says nothing (or
 * names no word of the scale, which pt_expect reports). */
#define PT_ANY (-3)
void pt_expect_service(const yd_node *exp, const rp_pack *p, size_t s, int *serving,
                       int *capacity);

#endif
