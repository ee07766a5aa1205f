/*
 * test_fitstore.c — a fit kept on disk between runs (fitstore.c) and taken back by un_fit.
 *
 * Each Criterion test runs in a process of its own, so STARRATE_CACHE set here stays here.
 */
#include "fitstore.h"
#include "helpers.h"
#include "session.h"
#include "uncert.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A store of its own under /tmp, emptied first. */
static void fresh_store(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/starrate-store-%ld", (long)getpid());
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(setenv("STARRATE_CACHE", dir, 1), 0);
}

static void remove_store(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The one fit-* file of the store; its path in out. */
static int kept_file(const char *dir, char *out, size_t n)
{
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, "fit-", 4) == 0) {
            snprintf(out, n, "%s/%s", dir, e->d_name);
            found++;
        }
    if (d) closedir(d);
    return found;
}

static int parses(const char *text, fs_fit *f)
{
    return fs_parse(text, strlen(text), KEY, f);
}

Test(fitstore, a_written_file_reads_back)
{
    char dir[128];
    fresh_store(dir, sizeof dir);
    long adm[] = {3, 7, 40};
    fs_fit w = {41, 14, 3, adm}, r;
    fs_save(KEY, &w);
    cr_assert_eq(fs_load(KEY, &r), 1);
    cr_assert_eq(r.tried, 41);
    cr_assert_eq(r.ncases, 14);
    cr_assert_eq(r.n, 3);
    cr_assert_eq(memcmp(r.admitted, adm, sizeof adm), 0);
    fs_fit_free(&r);
    struct stat st;
    cr_assert_eq(stat(dir, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "the store is the user's alone");
    remove_store(dir);
}

Test(fitstore, anything_but_an_exact_file_is_a_miss)
{
    const char *head = "starrate-fit 1\nkey " KEY "\ntried 41\ncases 14\n";
    const char *bad[] = {
        "",                                                        /* empty */
        "starrate-fit 2\nkey " KEY "\ntried 41\ncases 14\nadmitted 1\n3\n", /* other format */
        "starrate-fit 1\nkey 0" KEY "\ntried 41\ncases 14\nadmitted 1\n3\n", /* other key */
        "admitted 2\n3\n",              /* cut short: one try of two */
        "admitted 2\n3\n7",             /* the last line without its newline */
        "admitted 2\n7\n3\n",           /* not ascending */
        "admitted 2\n3\n3\n",           /* a try twice */
        "admitted 1\n41\n",             /* a try not made */
        "admitted 1\n-1\n",             /* negative */
        "admitted 1\n+3\n",             /* a sign */
        "admitted 1\n 3\n",             /* a space */
        "admitted 1\n3x\n",             /* trailing text */
        "admitted 1\n99999999999999999999999\n", /* out of range */
        "admitted 0\n",                 /* nothing admitted */
        "admitted 42\n",                /* more admitted than tried */
        "admitted 1\n3\n\n",            /* anything after the last try */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s", strncmp(bad[i], "admitted", 8) == 0 ? head : "", bad[i]);
        fs_fit f;
        cr_assert_eq(parses(text, &f), 0, "accepted case %zu: %s", i, text);
        cr_assert_null(f.admitted);
    }
    char good[512];
    snprintf(good, sizeof good, "%sadmitted 2\n3\n40\n", head);
    fs_fit f;
    cr_assert_eq(parses(good, &f), 1);
    cr_assert_eq(f.n, 2);
    fs_fit_free(&f);
    cr_assert_eq(fs_parse(good, strlen(good), "short", &f), 0, "a key is 64 hex digits");
}

Test(fitstore, off_or_nowhere_keeps_nothing)
{
    char dir[4096];
    cr_assert_eq(setenv("STARRATE_CACHE", "off", 1), 0);
    cr_assert_eq(fs_dir(dir, sizeof dir), 0);
    cr_assert_eq(unsetenv("STARRATE_CACHE"), 0);
    cr_assert_eq(setenv("XDG_CACHE_HOME", "/x/cache", 1), 0);
    cr_assert_eq(fs_dir(dir, sizeof dir), 1);
    cr_assert_str_eq(dir, "/x/cache/starrate");
    cr_assert_eq(setenv("XDG_CACHE_HOME", "relative", 1), 0);
    cr_assert_eq(setenv("HOME", "/home/h", 1), 0);
    cr_assert_eq(fs_dir(dir, sizeof dir), 1);
    cr_assert_str_eq(dir, "/home/h/.cache/starrate", "a relative XDG_CACHE_HOME is ignored");
    cr_assert_eq(unsetenv("XDG_CACHE_HOME"), 0);
    cr_assert_eq(unsetenv("HOME"), 0);
    cr_assert_eq(fs_dir(dir, sizeof dir), 0);
}

Test(fitstore, the_program_has_a_build_id)
{
    char id[80];
    cr_assert_eq(fs_program_id(id, sizeof id), 1);
    cr_assert_geq(strlen(id), 16);
    cr_assert_eq(strspn(id, "0123456789abcdef"), strlen(id));
}

typedef struct rated {
    ss_session s;
    ss_loaded l;
    un_model *m;
    un_council u;
} rated;

static void fit_rate(rated *x, const char *council, int variants)
{
    sr_error err;
    sr_error_clear(&err);
    ss_init(&x->s);
    cr_assert_eq(ss_load(&x->s, council, NULL, NULL, 0, &x->l, &err), SR_OK, "%s", err.msg);
    un_options o = {UN_DEFAULT_SEED, variants, NULL, 1, 0};
    cr_assert_eq(un_fit(&x->s, x->l.pack, &o, &x->m, &err), SR_OK, "%s", err.msg);
    rt_result r;
    rt_init(&r);
    cr_assert_eq(un_rate(x->m, x->l.ev, &r, &x->u, &err), SR_OK, "%s", err.msg);
    rt_free(&r);
}

static void rated_free(rated *x)
{
    un_model_free(x->m);
    ss_unload(&x->l);
    ss_free(&x->s);
}

static void assert_same(const rated *a, const rated *b)
{
    cr_assert_eq(un_model_variants(a->m), un_model_variants(b->m));
    cr_assert_eq(un_model_tried(a->m), un_model_tried(b->m));
    cr_assert_eq(un_model_checks(a->m), un_model_checks(b->m));
    cr_assert_eq(memcmp(a->u.stars, b->u.stars, sizeof a->u.stars), 0);
    cr_assert_eq(memcmp(a->u.serving, b->u.serving, sizeof a->u.serving), 0);
    cr_assert_eq(memcmp(a->u.capacity, b->u.capacity, sizeof a->u.capacity), 0);
    cr_assert_eq(a->u.ndrivers, b->u.ndrivers);
    for (size_t i = 0; i < a->u.ndrivers; i++) {
        cr_assert_str_eq(a->u.drivers[i].name, b->u.drivers[i].name);
        cr_assert_eq(a->u.drivers[i].influence, b->u.drivers[i].influence);
    }
}

/* A fit taken from the store gives the chances a fresh fit gives, for the councils of two
 * rounds; a damaged file is a miss, fitted again and replaced. */
Test(fitstore, a_recalled_fit_rates_as_a_fresh_one, .timeout = 120)
{
    const char *councils[] = {COUNCIL("harrow-2003.yaml"), COUNCIL("hertfordshire-2002.yaml")};
    for (size_t i = 0; i < 2; i++) {
        char dir[128], file[512];
        cr_assert_eq(setenv("STARRATE_CACHE", "off", 1), 0);
        rated fresh;
        fit_rate(&fresh, councils[i], 60);
        fresh_store(dir, sizeof dir);
        rated first, again;
        fit_rate(&first, councils[i], 60);
        cr_assert_eq(kept_file(dir, file, sizeof file), 1, "the fit is kept");
        fit_rate(&again, councils[i], 60);
        assert_same(&fresh, &first);
        assert_same(&fresh, &again);
        /* damage it: a line after the last try */
        FILE *fp = fopen(file, "a");
        cr_assert_not_null(fp);
        fputs("junk\n", fp);
        fclose(fp);
        rated damaged;
        fit_rate(&damaged, councils[i], 60);
        assert_same(&fresh, &damaged);
        fs_fit f;
        cr_assert_eq(fs_load(strrchr(file, '-') + 1, &f), 1, "the damaged file was replaced");
        cr_assert_eq(f.n, 60);
        fs_fit_free(&f);
        rated_free(&fresh), rated_free(&first), rated_free(&again), rated_free(&damaged);
        remove_store(dir);
    }
}

/* Another number of variants, another seed or another council left out is another key. */
Test(fitstore, other_options_are_other_fits, .timeout = 120)
{
    char dir[128], file[512];
    fresh_store(dir, sizeof dir);
    rated a, b;
    fit_rate(&a, COUNCIL("harrow-2003.yaml"), 40);
    fit_rate(&b, COUNCIL("harrow-2003.yaml"), 50);
    cr_assert_eq(un_model_variants(b.m), 50, "40 kept variants are not 50");
    cr_assert_eq(kept_file(dir, file, sizeof file), 2);
    rated_free(&a), rated_free(&b);
    remove_store(dir);
}
