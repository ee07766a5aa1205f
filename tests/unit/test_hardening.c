/*
 * test_hardening.c — whole commands under fault injection, run in process through cmd_main:
 * every allocation of a `rate -o FILE` and of an `import -o FILE` is made to fail in turn
 * (SQLite's approach), and a write is interrupted between writing and renaming. Each failure
 * must be a clean exit 1 that leaves neither the output file nor a temporary file beside it
 * (and, in the sanitizer build, nothing leaked), and an interrupted write must leave the
 * previous file as it was.
 */
#include "cmd.h"
#include "helpers.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char out_path[512];

static void setup(void)
{
    /* rate finds the pack of the evidence's year under the source tree's rules folder */
    cr_assert_eq(setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1), 0);
    /* the walk runs rate once per allocation: without the fit of the plain "Unsure" line */
    cr_assert_eq(setenv("STARRATE_UNSURE", "off", 1), 0);
    snprintf(dir, sizeof dir, "/tmp/starrate-hardening-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(out_path, sizeof out_path, "%s/out.txt", dir);
}

static void teardown(void)
{
    sr_alloc_fail_at(0);
    sr_write_fail_before_rename(0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(hardening, .init = setup, .fini = teardown);

/* Runs starrate with argv (NULL-terminated), standard output and error going nowhere. */
static int run_cli(char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    FILE *devnull = fopen("/dev/null", "w");
    cr_assert_not_null(devnull);
    int rc = cmd_main(argc, argv, devnull, devnull);
    fclose(devnull);
    return rc;
}

/* Names of the entries in the output folder, space-separated ("" when empty). */
static void list_dir(char *out, size_t outlen)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    out[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(out);
        snprintf(out + n, outlen - n, "%s%s", n ? " " : "", e->d_name);
    }
    closedir(d);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Walks sr_alloc_fail_at(n) from 1 until the command succeeds. Every failing run must exit
 * with status 1 and leave the output folder empty; the run that succeeds must be the one in
 * which no allocation failed (so no failure was swallowed). Returns the number of failures. */
static long walk_failures(char **argv)
{
    /* a clean run first, to know how many allocations the command makes */
    sr_alloc_reset_count();
    cr_assert_eq(run_cli(argv), 0, "the command fails without fault injection");
    long total = sr_alloc_count();
    cr_assert_gt(file_size(out_path), 0);
    cr_assert_eq(unlink(out_path), 0);

    long failures = 0;
    for (long n = 1;; n++) {
        sr_alloc_fail_at(n);
        int rc = run_cli(argv);
        sr_alloc_fail_at(0);
        char left[1024];
        list_dir(left, sizeof left);
        if (rc == 0) {
            cr_assert_gt(n, total, "allocation %ld of %ld failed yet the command succeeded", n,
                         total);
            cr_assert_str_eq(left, "out.txt");
            cr_assert_gt(file_size(out_path), 0);
            break;
        }
        cr_assert_eq(rc, 1, "allocation %ld failing: exit status %d", n, rc);
        cr_assert_str_eq(left, "", "allocation %ld failing left files behind: %s", n, left);
        failures++;
    }
    return failures;
}

Test(hardening, rate_survives_every_allocation_failure)
{
    /* --jobs 1: with one worker the Nth allocation is the same one in every run */
    char *argv[] = {"starrate", "rate", "--jobs", "1", "-o", out_path,
                    SR_SOURCE_ROOT "/scenarios/councils/demo-2-star-capped.yaml", NULL};
    long failures = walk_failures(argv);
    /* the walk covered loading two packs, reading the evidence, rating and writing */
    cr_assert_gt(failures, 2000, "only %ld allocations", failures);
}

Test(hardening, import_survives_every_allocation_failure)
{
    char *argv[] = {"starrate", "import", "-o", out_path,
                    SR_SOURCE_ROOT "/tests/unit/data/letters/harrow-2003.txt", NULL};
    long failures = walk_failures(argv);
    cr_assert_gt(failures, 50, "only %ld allocations", failures);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s is missing", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(hardening, interrupted_write_keeps_the_previous_file)
{
    static const char previous[] = "the previous rating, which must survive\n";
    write_text(out_path, previous);
    char *argv[] = {"starrate", "rate", "-o", out_path,
                    SR_SOURCE_ROOT "/scenarios/councils/demo-2-star-capped.yaml", NULL};
    sr_write_fail_before_rename(1);
    int rc = run_cli(argv);
    sr_write_fail_before_rename(0);
    cr_assert_eq(rc, 1);
    cr_assert_str_eq(read_text(out_path), previous);
    char left[1024];
    list_dir(left, sizeof left);
    cr_assert_str_eq(left, "out.txt", "the temporary file was left behind: %s", left);
    /* the same command without the fault replaces it */
    cr_assert_eq(run_cli(argv), 0);
    cr_assert(strstr(read_text(out_path), "Brookfield Borough Council") != NULL, "%s",
              read_text(out_path));
    list_dir(left, sizeof left);
    cr_assert_str_eq(left, "out.txt");
}

Test(hardening, rejected_input_writes_no_output)
{
    static const char previous[] = "kept\n";
    write_text(out_path, previous);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.yaml", dir);
    write_text(bad, "council: X\nyear: 2003\nchildren:\n  findings: 3\n");
    char *argv[] = {"starrate", "rate", "-o", out_path, bad, NULL};
    cr_assert_eq(run_cli(argv), 1);
    cr_assert_str_eq(read_text(out_path), previous);
    char left[1024];
    list_dir(left, sizeof left);
    cr_assert(strcmp(left, "bad.yaml out.txt") == 0 || strcmp(left, "out.txt bad.yaml") == 0,
              "%s", left);
}
