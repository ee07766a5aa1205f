/*
 * test_pack.c — loading and checking rule packs: every declaration error names its rule file
 * and line; the checker finds unmatched combinations and unreachable rows; a later round's
 * pack replaces declarations of its base.
 */
#include "helpers.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

/* A minimal valid pack: two services, the three scales, six standards and a star table. */
static const char *const base_files[][2] = {
    {"pack.lua", "pack { name = 't', version = '1', round = 2002, title = 'test',\n"
                 "       files = { 'decl.lua', 'stars.lua' } }\n"},
    {"decl.lua", TH_DECL_LUA},
    {"stars.lua",
     "star_rule { id = 'zero', stars = 0, sentence = 'z', source = 's',\n"
     "  when = function(j) return j.children.serving == 'no' end }\n"
     "star_rule { id = 'rest', stars = 1, sentence = 'r', reconstructed = 'r',\n"
     "  when = function(j) return true end }\n"},
};

static void write_file(const char *name, const char *text)
{
    th_write_in(dir, name, text, strlen(text));
}

static void make_pack(void)
{
    snprintf(dir, sizeof dir, "/tmp/starrate-pack-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    for (size_t i = 0; i < sizeof base_files / sizeof base_files[0]; i++)
        write_file(base_files[i][0], base_files[i][1]);
}

static void remove_pack(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(pack, .init = make_pack, .fini = remove_pack);

static int load_error(sr_error *err)
{
    rp_pack *p = NULL;
    sr_error_clear(err);
    int rc = rp_load(dir, NULL, &p, err);
    rp_free(p);
    return rc;
}

Test(pack, minimal_pack_loads_and_hashes)
{
    rp_pack *p = th_pack(dir);
    cr_assert_str_eq(p->name, "t");
    cr_assert_eq(p->nstar_rules, 2);
    cr_assert_eq(strlen(p->sha256), 64);
    cr_assert_eq(p->nfiles, 3);
    char first[65];
    memcpy(first, p->sha256, sizeof first);
    rp_free(p);
    /* Any change to a rule file changes the pack's hash. */
    write_file("stars.lua", base_files[2][1]);
    char path[512];
    snprintf(path, sizeof path, "%s/stars.lua", dir);
    FILE *f = fopen(path, "a");
    fputs("-- a comment\n", f);
    fclose(f);
    p = th_pack(dir);
    cr_assert_str_neq(p->sha256, first);
    rp_free(p);
}

Test(pack, missing_provenance_names_file_and_line)
{
    write_file("stars.lua", "star_rule { id = 'x', stars = 1, sentence = 's',\n"
                            "  when = function(j) return true end }\n");
    sr_error err;
    cr_assert_eq(load_error(&err), SR_ERULES);
    cr_assert(strstr(err.file, "stars.lua") != NULL, "%s", err.file);
    cr_assert_eq(err.line, 1);
    cr_assert_str_eq(err.msg, "star_rule needs exactly one of 'source' (documented fact) or "
                              "'reconstructed' (this project's assumption)");
}

Test(pack, duplicate_id_in_one_pack_is_an_error)
{
    write_file("stars.lua",
               "star_rule { id = 'a', stars = 1, sentence = 's', source = 's', when = function() return true end }\n"
               "\n"
               "star_rule { id = 'a', stars = 1, sentence = 's', source = 's', when = function() return true end }\n");
    sr_error err;
    cr_assert_eq(load_error(&err), SR_ERULES);
    cr_assert_eq(err.line, 3);
    cr_assert(strstr(err.msg, "star_rule 'a' is declared twice in one pack (first at ") != NULL, "%s", err.msg);
}

Test(pack, undefined_global_in_a_rule_file)
{
    write_file("stars.lua", "star_rule { id = 'a', stars = 1, sentence = 's', source = 's',\n"
                            "  when = funtcion }\n");
    sr_error err;
    cr_assert_eq(load_error(&err), SR_ERULES);
    cr_assert(strstr(err.file, "stars.lua") != NULL);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.msg, "undefined global 'funtcion'") != NULL, "%s", err.msg);
}

Test(pack, syntax_error_names_line)
{
    write_file("stars.lua", "star_rule {\n  id = 'a'\n  stars = 1 }\n");
    sr_error err;
    cr_assert_eq(load_error(&err), SR_ERULES);
    cr_assert(strstr(err.file, "stars.lua") != NULL);
    cr_assert_eq(err.line, 3, "%d %s", err.line, err.msg);
}

Test(pack, unknown_file_in_manifest)
{
    write_file("pack.lua", "pack { name = 't', version = '1', round = 2002, title = 't', files = { 'nope.lua' } }\n");
    sr_error err;
    cr_assert_eq(load_error(&err), SR_ERULES);
    cr_assert(strstr(err.file, "nope.lua") != NULL, "%s", err.file);
}

Test(pack, stars_outside_rating_scale)
{
    write_file("stars.lua", "star_rule { id = 'a', stars = 4, sentence = 's', source = 's', when = function() return true end }\n");
    sr_error err;
    cr_assert_eq(load_error(&err), SR_ERULES);
    cr_assert_str_eq(err.msg, "star_rule needs a whole number 'stars' from 0 to 3");
}

Test(pack, check_reports_unmatched_combinations_and_unreachable_rows)
{
    write_file("stars.lua",
               "star_rule { id = 'no-children', stars = 0, sentence = 's', source = 's',\n"
               "  when = function(j) return j.children.serving == 'no' end }\n"
               "star_rule { id = 'also-no', stars = 0, sentence = 's', source = 's',\n"
               "  when = function(j) return j.children.serving == 'no' end }\n");
    rp_pack *p = th_pack(dir);
    sr_buf rep;
    sr_buf_init(&rep);
    sr_error err;
    sr_error_clear(&err);
    int n = rp_check(p, &rep, &err);
    /* 192 unmatched combinations are summarised in 6 lines, plus the unreachable row. */
    cr_assert_eq(n, 7, "%d\n%s", n, rep.data);
    cr_assert(strstr(rep.data, "no star rule matches children some/poor, adults no/poor") != NULL, "%s", rep.data);
    cr_assert(strstr(rep.data, "... and 187 more combinations match no star rule") != NULL, "%s", rep.data);
    cr_assert(strstr(rep.data, "stars.lua:3: error: star rule 'also-no' is never the first match") != NULL, "%s", rep.data);
    sr_buf_free(&rep);
    rp_free(p);
}

Test(pack, extending_pack_replaces_declarations_in_place)
{
    char base[300], derived[300];
    snprintf(base, sizeof base, "%s/2002", dir);
    snprintf(derived, sizeof derived, "%s/2003", dir);
    cr_assert_eq(mkdir(base, 0700), 0);
    cr_assert_eq(mkdir(derived, 0700), 0);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "cp %s/*.lua %s/", dir, base);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/2003/pack.lua", dir);
    FILE *f = fopen(cmd, "w");
    fputs("pack { name = 'd', version = '2', round = 2003, extends = '2002', title = 'd', files = { 'x.lua' } }\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s/2003/x.lua", dir);
    f = fopen(cmd, "w");
    fputs("star_rule { id = 'zero', stars = 0, sentence = 'changed', reconstructed = 'r',\n"
          "  when = function(j) return j.adults.serving == 'no' end }\n", f);
    fclose(f);
    rp_pack *p = th_pack(derived);
    cr_assert_str_eq(p->name, "d");
    cr_assert_eq(p->round, 2003);
    cr_assert_eq(p->nstar_rules, 2);
    cr_assert_str_eq(p->star_rules[0].id, "zero");
    cr_assert_str_eq(p->star_rules[0].sentence, "changed");
    cr_assert(strstr(p->star_rules[0].prov.file, "2003/x.lua") != NULL);
    cr_assert_str_eq(p->star_rules[1].id, "rest");
    cr_assert_eq(p->nfiles, 5);
    rp_free(p);
}

Test(pack, allocation_failures_are_clean)
{
    /* Walk the Nth allocation failing from 1 until the load succeeds: each failure must be a
     * clean error (ASan/LSan and valgrind see any leak). */
    int failures = 0;
    for (long n = 1; n < 100000; n++) {
        rp_pack *p = NULL;
        sr_error err;
        sr_error_clear(&err);
        sr_alloc_fail_at(n);
        int rc = rp_load(dir, NULL, &p, &err);
        sr_alloc_fail_at(0);
        if (rc == SR_OK) {
            cr_assert_not_null(p);
            rp_free(p);
            break;
        }
        cr_assert_null(p);
        cr_assert(rc == SR_ENOMEM || rc == SR_ELIMIT || rc == SR_ERULES, "n=%ld rc=%d %s", n, rc, err.msg);
        failures++;
    }
    cr_assert_gt(failures, 50);
}
