/*
 * test_jobs.c — `rate --jobs N`: the output, the errors on standard error and the exit status
 * are byte for byte those of `--jobs 1` in every format, with rejected files among good ones;
 * the batch runner (jobs.c) runs every task once and falls back to fewer workers when a thread
 * cannot be created; allocation failures on several threads at once are reported cleanly.
 */
#define _GNU_SOURCE /* RTLD_NEXT, for the pthread_create wrapper below */
#include "cmd.h"
#include "helpers.h"
#include "jobs.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#define BAD(file) SR_SOURCE_ROOT "/tests/hardening/inputs/evidence/" file

/* ---- making pthread_create fail ------------------------------------------------------ */

/* This definition stands in for the C library's in the whole test program. It passes every
 * call through unless a test sets threads_left: then that many more threads are created and
 * every later call fails with EAGAIN, as when a process runs out of threads. */
static atomic_int threads_left = -1; /* -1: never fail */

int pthread_create(pthread_t *restrict thread, const pthread_attr_t *restrict attr,
                   void *(*start)(void *), void *restrict arg)
{
    static int (*real)(pthread_t *restrict, const pthread_attr_t *restrict, void *(*)(void *),
                       void *restrict);
    if (!real) {
        void *sym = dlsym(RTLD_NEXT, "pthread_create");
        memcpy(&real, &sym, sizeof real);
    }
    int left = atomic_load(&threads_left);
    if (left == 0)
        return EAGAIN;
    if (left > 0)
        atomic_fetch_sub(&threads_left, 1);
    return real(thread, attr, start, arg);
}

/* ---- the batch runner ---------------------------------------------------------------- */

#define NTASKS 500

typedef struct counts {
    atomic_int runs[NTASKS];
    atomic_int bad_worker;
    int workers;
    int by_caller; /* tasks worker 0 ran: only the caller writes it */
    pthread_t caller;
    int between_calls, last_completed, between_off_caller, completed_went_back;
} counts;

static void count_task(void *ctx, int worker, int task)
{
    counts *c = ctx;
    if (worker < 0 || worker >= c->workers)
        atomic_fetch_add(&c->bad_worker, 1);
    if (worker == 0 && !pthread_equal(pthread_self(), c->caller))
        atomic_fetch_add(&c->bad_worker, 1);
    if (worker == 0)
        c->by_caller++;
    atomic_fetch_add(&c->runs[task], 1);
}

static void count_between(void *ctx, int completed)
{
    counts *c = ctx;
    c->between_calls++;
    c->between_off_caller += !pthread_equal(pthread_self(), c->caller);
    c->completed_went_back += completed < c->last_completed;
    c->last_completed = completed;
}

/* Runs NTASKS tasks on `workers` workers; checks each ran once. Returns the workers used. */
static int run_counted(int workers, int ntasks)
{
    static counts c;
    memset(&c, 0, sizeof c);
    c.workers = workers;
    c.caller = pthread_self();
    int used = jb_run(count_task, count_between, &c, ntasks, workers);
    for (int i = 0; i < ntasks; i++)
        cr_assert_eq(atomic_load(&c.runs[i]), 1, "task %d ran %d times", i, atomic_load(&c.runs[i]));
    for (int i = ntasks; i < NTASKS; i++)
        cr_assert_eq(atomic_load(&c.runs[i]), 0, "task %d is beyond the batch", i);
    cr_assert_eq(atomic_load(&c.bad_worker), 0);
    cr_assert_eq(c.between_off_caller, 0, "between ran on another thread");
    cr_assert_eq(c.completed_went_back, 0);
    cr_assert_eq(c.between_calls, c.by_caller, "between after each of the caller's tasks");
    cr_assert_leq(c.last_completed, ntasks);
    return used;
}

Test(jobs, every_task_runs_once)
{
    cr_assert_eq(run_counted(1, NTASKS), 1);
    cr_assert_eq(run_counted(2, NTASKS), 2);
    cr_assert_eq(run_counted(8, NTASKS), 8);
    /* never more workers than tasks */
    cr_assert_eq(run_counted(8, 3), 3);
    cr_assert_eq(run_counted(4, 1), 1);
}

Test(jobs, one_worker_is_the_caller_alone)
{
    static counts c;
    memset(&c, 0, sizeof c);
    c.workers = 1;
    c.caller = pthread_self();
    atomic_store(&threads_left, 0); /* any thread creation would fail loudly below */
    cr_assert_eq(jb_run(count_task, count_between, &c, 10, 1), 1);
    atomic_store(&threads_left, -1);
    cr_assert_eq(c.between_calls, 10, "between after each of the caller's tasks");
    cr_assert_eq(c.last_completed, 10);
}

Test(jobs, fewer_workers_when_threads_cannot_be_created)
{
    atomic_store(&threads_left, 1);
    int used = run_counted(4, NTASKS);
    atomic_store(&threads_left, -1);
    cr_assert_eq(used, 2, "the caller and the one thread that could be created");
    atomic_store(&threads_left, 0);
    used = run_counted(4, NTASKS);
    atomic_store(&threads_left, -1);
    cr_assert_eq(used, 1, "no thread at all: the caller does every task");
}

Test(jobs, online_cpus_is_at_least_one)
{
    cr_assert_geq(jb_online_cpus(), 1);
}

/* ---- rate: the same output whatever the number of workers ---------------------------- */

static char tmpdir[256];
static char bad_temp[512]; /* a rejected file written by the test */

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/starrate-jobs-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    /* the allocation walk runs rate many times: without the fit of the plain "Unsure" line */
    cr_assert_eq(setenv("STARRATE_UNSURE", "off", 1), 0);
    snprintf(bad_temp, sizeof bad_temp, "%s/bad.yaml", tmpdir);
    FILE *f = fopen(bad_temp, "w");
    cr_assert_not_null(f);
    fputs("council: X\nyear: 2003\nchildren:\n  findings: 3\n", f);
    cr_assert_eq(fclose(f), 0);
}

static void teardown(void)
{
    sr_alloc_fail_at(0);
    atomic_store(&threads_left, -1);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(rate_jobs, .init = setup, .fini = teardown);

#define MAX_ARGV 64

/* argv: "starrate rate", the options (NULL-terminated), "--jobs J", then the files. */
static int make_argv(char **argv, const char *const *opts, const char *jobs, char **files,
                     int nfiles)
{
    int n = 0;
    argv[n++] = "starrate";
    argv[n++] = "rate";
    for (; *opts; opts++)
        argv[n++] = (char *)*opts;
    if (jobs) {
        argv[n++] = "--jobs";
        argv[n++] = (char *)jobs;
    }
    for (int i = 0; i < nfiles && n < MAX_ARGV - 1; i++)
        argv[n++] = files[i];
    argv[n] = NULL;
    return n;
}

static captured run_rate(const char *const *opts, const char *jobs, char **files, int nfiles)
{
    char *argv[MAX_ARGV];
    int argc = make_argv(argv, opts, jobs, files, nfiles);
    return th_run(cmd_main, argc, argv);
}

/* Every demonstration and real council, with rejected files among them: one the YAML parser
 * rejects, one whose year has no pack, one that does not exist and one that fails validation.
 * Returns the number of files; the councils' glob is kept in g. */
static int batch_files(char **files, glob_t *g)
{
    cr_assert_eq(glob(SR_SOURCE_ROOT "/scenarios/councils/*.yaml", 0, NULL, g), 0);
    cr_assert_geq(g->gl_pathc, 8, "the councils are missing");
    int n = 0;
    for (size_t i = 0; i < g->gl_pathc; i++) {
        files[n++] = g->gl_pathv[i];
        if (i == 0) files[n++] = BAD("syntax-error.yaml");
        if (i == 2) files[n++] = BAD("unknown-year.yaml");
        if (i == 3) files[n++] = SR_SOURCE_ROOT "/no-such-council.yaml";
        if (i == 5) files[n++] = bad_temp;
    }
    files[n++] = BAD("empty.yaml"); /* the last file rejected: nothing after it to mask it */
    return n;
}

static const char *const *formats[] = {
    (const char *const[]){"--format", "text", NULL},
    (const char *const[]){"--format", "json", NULL},
    (const char *const[]){"--format", "json", "--trace", NULL},
    (const char *const[]){"--format", "csv", NULL},
    (const char *const[]){"--format", "table", NULL},
    (const char *const[]){"--summary", NULL},
    (const char *const[]){"--format", "csv", "--summary", NULL},
    (const char *const[]){"--format", "json", "--summary", NULL},
    (const char *const[]){"--from-published", "--format", "table", NULL},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

static const char *format_name(const char *const *opts, char *buf, size_t n)
{
    buf[0] = '\0';
    for (; *opts; opts++)
        snprintf(buf + strlen(buf), n - strlen(buf), "%s ", *opts);
    return buf;
}

/* The position of each needle in hay, which must be increasing: things reported in order. */
static void assert_in_order(const char *hay, const char *const *needles)
{
    const char *at = hay;
    for (; *needles; needles++) {
        const char *p = strstr(at, *needles);
        cr_assert_not_null(p, "'%s' missing or out of order in:\n%s", *needles, hay);
        at = p + strlen(*needles);
    }
}

/* Runs every format with --jobs 1, 2 and 8 and compares with --jobs 1. */
static void assert_same_for_all_jobs(char **files, int nfiles, int want_status)
{
    static const char *const jobs[] = {"2", "8"};
    for (size_t f = 0; f < NFORMATS; f++) {
        char name[128];
        format_name(formats[f], name, sizeof name);
        captured one = run_rate(formats[f], "1", files, nfiles);
        cr_assert_eq(one.status, want_status, "%s--jobs 1: exit %d\n%s", name, one.status, one.err);
        cr_assert_gt(strlen(one.out), 100, "%s--jobs 1 printed too little", name);
        for (size_t j = 0; j < sizeof jobs / sizeof jobs[0]; j++) {
            captured many = run_rate(formats[f], jobs[j], files, nfiles);
            cr_assert_eq(many.status, one.status, "%s--jobs %s: exit %d", name, jobs[j], many.status);
            cr_assert_str_eq(many.out, one.out, "%s--jobs %s: the output differs", name, jobs[j]);
            cr_assert_str_eq(many.err, one.err, "%s--jobs %s: standard error differs", name, jobs[j]);
            captured_free(&many);
        }
        captured_free(&one);
    }
}

Test(rate_jobs, same_output_in_every_format_with_rejected_files)
{
    char *files[MAX_ARGV];
    glob_t g;
    int n = batch_files(files, &g);
    assert_same_for_all_jobs(files, n, 1);
    globfree(&g);
}

Test(rate_jobs, same_output_in_every_format_all_good)
{
    glob_t g;
    cr_assert_eq(glob(SR_SOURCE_ROOT "/scenarios/councils/*.yaml", 0, NULL, &g), 0);
    assert_same_for_all_jobs(g.gl_pathv, (int)g.gl_pathc, 0);
    globfree(&g);
}

Test(rate_jobs, rejected_files_reported_in_file_order)
{
    char *files[MAX_ARGV];
    glob_t g;
    int n = batch_files(files, &g);
    static const char *const opts[] = {"--format", "csv", NULL};
    captured c = run_rate(opts, "8", files, n);
    cr_assert_eq(c.status, 1);
    static const char *const order[] = {"syntax-error.yaml:", "unknown-year.yaml:",
                                        "no-such-council.yaml: error: cannot open",
                                        "bad.yaml:", "empty.yaml:", NULL};
    assert_in_order(c.err, order);
    /* every good council rated, in file order, under one CSV header */
    cr_assert_eq(strncmp(c.out, "council,year,round", 18), 0, "%s", c.out);
    cr_assert_null(strstr(c.out + 1, "council,year,round"), "a second header");
    size_t lines = 0;
    for (const char *p = c.out; (p = strchr(p, '\n')); p++)
        lines++;
    cr_assert_eq(lines, g.gl_pathc + 1, "header and one row per council:\n%s", c.out);
    const char *at = c.out;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *base = strrchr(g.gl_pathv[i], '/') + 1;
        const char *p = strstr(at, base);
        cr_assert_not_null(p, "%s missing or out of order", base);
        at = p;
    }
    captured_free(&c);
    globfree(&g);
}

Test(rate_jobs, json_array_of_many_and_object_of_one)
{
    glob_t g;
    cr_assert_eq(glob(SR_SOURCE_ROOT "/scenarios/councils/*.yaml", 0, NULL, &g), 0);
    static const char *const opts[] = {"--format", "json", NULL};
    captured many = run_rate(opts, "4", g.gl_pathv, (int)g.gl_pathc);
    cr_assert_eq(many.status, 0);
    cr_assert_eq(strncmp(many.out, "[\n  {\n    \"format\"", 18), 0, "%.40s", many.out);
    cr_assert(strstr(many.out, "\n  },\n  {\n    \"format\"") != NULL, "members joined by ',\\n'");
    size_t len = strlen(many.out);
    cr_assert_str_eq(many.out + len - 7, "\n  }\n]\n");
    captured one = run_rate(opts, "4", g.gl_pathv, 1);
    cr_assert_eq(strncmp(one.out, "{\n  \"format\"", 12), 0, "%.40s", one.out);
    captured_free(&many);
    captured_free(&one);
    globfree(&g);
}

static char *read_all(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    sr_error e;
    sr_error_clear(&e);
    cr_assert_eq(sr_read_file(path, 1 << 24, &text, &len, &e), SR_OK, "%s", e.msg);
    return text;
}

Test(rate_jobs, output_file_is_the_same)
{
    char *files[MAX_ARGV];
    glob_t g;
    int n = batch_files(files, &g);
    char out1[600], out8[600];
    snprintf(out1, sizeof out1, "%s/one.json", tmpdir);
    snprintf(out8, sizeof out8, "%s/eight.json", tmpdir);
    const char *const opts1[] = {"--format", "json", "--trace", "-o", out1, NULL};
    const char *const opts8[] = {"--format", "json", "--trace", "-o", out8, NULL};
    captured a = run_rate(opts1, "1", files, n), b = run_rate(opts8, "8", files, n);
    cr_assert_eq(a.status, 1);
    cr_assert_eq(b.status, 1);
    cr_assert_str_eq(a.out, "");
    cr_assert_str_eq(b.out, "");
    cr_assert_str_eq(a.err, b.err);
    char *t1 = read_all(out1), *t8 = read_all(out8);
    cr_assert_gt(strlen(t1), 1000);
    cr_assert_str_eq(t1, t8);
    sr_free(t1);
    sr_free(t8);
    captured_free(&a);
    captured_free(&b);
    globfree(&g);
}

Test(rate_jobs, same_output_when_no_thread_can_be_created)
{
    glob_t g;
    cr_assert_eq(glob(SR_SOURCE_ROOT "/scenarios/councils/*.yaml", 0, NULL, &g), 0);
    static const char *const opts[] = {"--format", "table", NULL};
    captured one = run_rate(opts, "1", g.gl_pathv, (int)g.gl_pathc);
    atomic_store(&threads_left, 0);
    captured many = run_rate(opts, "8", g.gl_pathv, (int)g.gl_pathc);
    atomic_store(&threads_left, -1);
    cr_assert_eq(many.status, 0, "%s", many.err);
    cr_assert_str_eq(many.out, one.out);
    cr_assert_str_eq(many.err, "");
    captured_free(&one);
    captured_free(&many);
    globfree(&g);
}

Test(rate_jobs, bad_jobs_values_are_usage_errors)
{
    char *files[] = {COUNCIL("demo-3-star.yaml")};
    static const char *const none[] = {NULL};
    static const char *const bad[] = {"0", "-2", "two", "3x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        captured c = run_rate(none, bad[i], files, 1);
        cr_assert_eq(c.status, 2, "--jobs '%s': exit %d", bad[i], c.status);
        cr_assert(strstr(c.err, "--jobs needs a whole number") != NULL, "%s", c.err);
        cr_assert_str_eq(c.out, "");
        captured_free(&c);
    }
    cr_assert_eq(setenv("STARRATE_JOBS", "many", 1), 0);
    captured c = run_rate(none, NULL, files, 1);
    cr_assert_eq(c.status, 2);
    cr_assert(strstr(c.err, "STARRATE_JOBS") != NULL, "%s", c.err);
    captured_free(&c);
    /* --jobs wins over the environment, and a good setting is used */
    c = run_rate(none, "1", files, 1);
    cr_assert_eq(c.status, 0, "%s", c.err);
    captured_free(&c);
    cr_assert_eq(setenv("STARRATE_JOBS", "3", 1), 0);
    c = run_rate(none, NULL, files, 1);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert(strstr(c.out, "3 stars") != NULL, "%s", c.out);
    captured_free(&c);
    unsetenv("STARRATE_JOBS");
}

Test(rate_jobs, help_describes_jobs)
{
    char *argv[] = {"starrate", "help", "rate", NULL};
    captured c = th_run(cmd_main, 3, argv);
    cr_assert_eq(c.status, 0);
    cr_assert(strstr(c.out, "-j, --jobs N") != NULL, "%s", c.out);
    captured_free(&c);
}

/* ---- allocation failures on two threads ---------------------------------------------- */

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    cr_assert_not_null(d);
    int empty = 1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "bad.yaml"))
            empty = 0;
    closedir(d);
    return empty;
}

/* Which allocation fails first depends on the threads' timing, so this walk checks what must
 * hold whichever it is: exit 1, an error on standard error, no output file and (under the
 * sanitizers) nothing leaked; the walk ends with a run that succeeds. */
Test(rate_jobs, allocation_failures_with_two_workers)
{
    char out[600];
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    char *files[] = {COUNCIL("demo-0-star.yaml"), COUNCIL("demo-3-star.yaml"),
                     COUNCIL("harrow-2003.yaml"), COUNCIL("durham-2003.yaml")};
    const char *const opts[] = {"-o", out, NULL};
    /* Each worker that takes a council loads the rule packs itself, so a run makes more
     * allocations when the second thread starts in time to take one: the fewest of a few
     * clean runs is what every run makes at least. */
    long total = 0;
    for (int run = 0; run < 5; run++) {
        sr_alloc_reset_count();
        captured clean = run_rate(opts, "2", files, 4);
        long made = sr_alloc_count();
        cr_assert_eq(clean.status, 0, "%s", clean.err);
        cr_assert_eq(unlink(out), 0);
        captured_free(&clean);
        total = run == 0 || made < total ? made : total;
    }
    cr_assert_gt(total, 1000, "only %ld allocations", total);
    long step = total / 60, failures = 0, n;
    for (n = 1; n < 4 * total; n += step) {
        sr_alloc_fail_at(n);
        captured c = run_rate(opts, "2", files, 4);
        sr_alloc_fail_at(0);
        if (c.status == 0) {
            captured_free(&c);
            break;
        }
        cr_assert_eq(c.status, 1, "allocation %ld failing: exit %d\n%s", n, c.status, c.err);
        cr_assert(strstr(c.err, "error: ") != NULL, "allocation %ld failing: no error reported", n);
        cr_assert(dir_is_empty(tmpdir), "allocation %ld failing left a file behind", n);
        captured_free(&c);
        failures++;
    }
    cr_assert_lt(n, 4 * total, "never succeeded again");
    /* About 60 steps; a run fails until n passes what it allocates, which is between one
     * and two pack loads more than the councils need, depending on whether the second
     * worker took a council: at least a third of the steps must fail. */
    cr_assert_gt(failures, 20, "only %ld failing runs", failures);
    cr_assert(!dir_is_empty(tmpdir), "the last run wrote its output");
}

/* ---- rate --files-from: any number of files, the same output as the arguments -------------- */

/* Writes the batch's files `times` times over as a list; returns the list's path in buf. */
static const char *write_list(char **files, int nfiles, int times, char *buf, size_t n)
{
    snprintf(buf, n, "%s/list.txt", tmpdir);
    FILE *f = fopen(buf, "w");
    cr_assert_not_null(f);
    for (int t = 0; t < times; t++)
        for (int i = 0; i < nfiles; i++)
            fprintf(f, "%s\n", files[i]);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

/* A list long enough to cross several of rate's windows gives, with one worker or two, the
 * output of its files given as arguments: for CSV the header once and then the rows of each
 * pass, in order; every rejected file reported in its place. */
Test(rate_jobs, files_from_a_long_list_streams_the_same_output)
{
    char *files[MAX_ARGV];
    glob_t g;
    int nfiles = batch_files(files, &g);
    enum { TIMES = 90 }; /* about 1,200 files: past two windows of 512 */
    char list[600];
    write_list(files, nfiles, TIMES, list, sizeof list);
    static const char *const csv[] = {"--format", "csv", NULL};
    captured once = run_rate(csv, "1", files, nfiles);
    cr_assert_eq(once.status, 1);
    const char *rows = strchr(once.out, '\n') + 1;
    size_t header = (size_t)(rows - once.out), body = strlen(rows);
    for (int j = 1; j <= 2; j++) {
        char jobs[12]; /* room for any int: the compiler cannot see j stays 1 or 2 */
        snprintf(jobs, sizeof jobs, "%d", j);
        const char *opts[] = {"--format", "csv", "--files-from", list, NULL};
        captured many = run_rate(opts, jobs, NULL, 0);
        cr_assert_eq(many.status, 1, "--jobs %d: exit %d", j, many.status);
        cr_assert_eq(strlen(many.out), header + TIMES * body, "--jobs %d: %zu bytes", j,
                     strlen(many.out));
        cr_assert(strncmp(many.out, once.out, header) == 0);
        for (int t = 0; t < TIMES; t++)
            cr_assert(memcmp(many.out + header + (size_t)t * body, rows, body) == 0,
                      "--jobs %d: pass %d differs", j, t);
        cr_assert_eq(strlen(many.err), TIMES * strlen(once.err), "--jobs %d: errors", j);
        captured_free(&many);
    }
    captured_free(&once);
    globfree(&g);
}

/* The same files as arguments or through a list: byte-identical JSON (one array) and text. */
Test(rate_jobs, files_from_equals_arguments)
{
    char *files[MAX_ARGV];
    glob_t g;
    int nfiles = batch_files(files, &g);
    char list[600];
    write_list(files, nfiles, 1, list, sizeof list);
    for (size_t f = 0; f < NFORMATS; f++) {
        char name[128];
        format_name(formats[f], name, sizeof name);
        captured args = run_rate(formats[f], "2", files, nfiles);
        const char *opts[8];
        size_t k = 0;
        for (; formats[f][k]; k++)
            opts[k] = formats[f][k];
        opts[k++] = "--files-from";
        opts[k++] = list;
        opts[k] = NULL;
        captured listed = run_rate(opts, "2", NULL, 0);
        cr_assert_eq(listed.status, args.status, "%s", name);
        cr_assert_str_eq(listed.out, args.out, "%s: the output differs", name);
        cr_assert_str_eq(listed.err, args.err, "%s: standard error differs", name);
        captured_free(&listed);
        captured_free(&args);
    }
    globfree(&g);
}

/* A list that names no file is a usage error, and -o leaves nothing behind, not even a
 * temporary file. */
Test(rate_jobs, files_from_an_empty_list)
{
    char list[600], out[600];
    snprintf(list, sizeof list, "%s/empty.txt", tmpdir);
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    FILE *f = fopen(list, "w");
    cr_assert_not_null(f);
    fputs("\n\n", f);
    cr_assert_eq(fclose(f), 0);
    const char *opts[] = {"--files-from", list, "-o", out, NULL};
    captured c = run_rate(opts, "2", NULL, 0);
    cr_assert_eq(c.status, 2, "exit %d: %s", c.status, c.err);
    cr_assert(strstr(c.err, "names no file"), "%s", c.err);
    cr_assert_eq(unlink(list), 0);
    cr_assert(dir_is_empty(tmpdir), "a file was left behind");
    captured_free(&c);
}

static int free_with(const char *line)
{
    char path[] = "/tmp/starrate-loadavg-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(line, f);
    fclose(f);
    int n = jb_free_cpus(path);
    unlink(path);
    return n;
}

/* The default number of workers leaves out the processors other programs are running on. */
Test(jobs, free_cpus_leave_out_the_busy_ones)
{
    int online = jb_online_cpus();
    cr_assert_eq(free_with("0.00 0.01 0.05 1/120 4242\n"), online, "only this process runs");
    cr_assert_eq(free_with("1.00 1.00 1.00 2/120 4242\n"), online > 1 ? online - 1 : 1);
    cr_assert_eq(free_with("9.00 9.00 9.00 300/900 4242\n"), 1, "never fewer than one");
    cr_assert_eq(free_with("garbage\n"), online, "an unreadable file: every processor");
    cr_assert_eq(jb_free_cpus("/nonexistent/loadavg"), online);
    int now = jb_free_cpus(NULL);
    cr_assert(now >= 1 && now <= online);
}
