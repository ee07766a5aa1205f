/*
 * scale.c — how `starrate rate` scales with the number of councils, and what it costs to start.
 *
 *   scale BUILD COUNCILS OUT.json
 *
 * Each figure is a ratio against libyaml reading the same files (yaml_floor), measured in the
 * same run, every program in a fresh process started by `launch` (so each peak resident size
 * is the program's own, not this benchmark's):
 *   batches   one `rate --jobs 1` process over 150, 1,500 and 15,000 councils (the bench's
 *             councils listed again and again through --files-from), text and JSON: wall time
 *             and peak memory;
 *   slope     the cost of one more council, (t(15,000) - t(1,500)) / 13,500, against the
 *             floor's: what a council costs once start-up is paid;
 *   start-up  `rate` of one council against yaml_floor of the same file.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NSIZES 3
static const int sizes[NSIZES] = {150, 1500, 15000};

/* Targets of issue 17. */
#define TARGET_PEAK_MIB 16.0
#define TARGET_SLOPE_RATIO 1.5
#define TARGET_STARTUP_RATIO 2.0
#define STARTUP_RUNS 15

typedef struct cost {
    double wall;       /* best of the runs, seconds */
    long peak_kib;     /* largest of the runs */
} cost;

typedef enum { P_FLOOR, P_TEXT, P_JSON, NPROGS } prog;
static const char *const prog_names[NPROGS] = {"yaml_floor", "rate (text)", "rate (json)"};
static const char *const prog_keys[NPROGS] = {"floor", "rate_text", "rate_json"};

static char launcher[4096], floor_bin[4096], starrate[4096], result_file[4096];

static void fail(const char *what)
{
    fprintf(stderr, "scale: %s\n", what);
    exit(1);
}

/* Runs argv through the launcher; folds its wall time and peak into c. */
static void measure(char **argv, cost *c)
{
    char *full[16];
    int n = 0;
    full[n++] = launcher;
    full[n++] = result_file;
    for (int i = 0; argv[i] && n < 15; i++)
        full[n++] = argv[i];
    full[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        fail("cannot fork");
    if (pid == 0) {
        execv(launcher, full);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("the launcher failed");
    FILE *f = fopen(result_file, "r");
    double wall, user, sys;
    long kib;
    int code;
    if (!f || fscanf(f, "%lf %lf %lf %ld %d", &wall, &user, &sys, &kib, &code) != 5)
        fail("cannot read the launcher's result");
    fclose(f);
    if (code != 0) {
        fprintf(stderr, "scale: %s exited with %d\n", argv[0], code);
        exit(1);
    }
    if (wall < c->wall)
        c->wall = wall;
    if (kib > c->peak_kib)
        c->peak_kib = kib;
}

/* The list of `count` council files, the bench's councils over and over. */
static void write_list(const char *path, const glob_t *files, int count)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fail("cannot write a file list");
    for (int i = 0; i < count; i++)
        fprintf(f, "%s\n", files->gl_pathv[(size_t)i % files->gl_pathc]);
    if (fclose(f) != 0)
        fail("cannot write a file list");
}

static void batch(const char *list, int runs, cost *c)
{
    char *floor_argv[] = {floor_bin, "--files-from", (char *)list, NULL};
    char *text_argv[] = {starrate, "rate", "--jobs", "1", "--files-from", (char *)list, NULL};
    char *json_argv[] = {starrate, "rate", "--jobs", "1", "--format", "json", "--files-from",
                         (char *)list, NULL};
    char **argvs[NPROGS] = {floor_argv, text_argv, json_argv};
    for (int p = 0; p < NPROGS; p++)
        c[p] = (cost){1e30, 0};
    for (int r = 0; r < runs; r++) /* interleaved: a slow moment hits every program alike */
        for (int p = 0; p < NPROGS; p++)
            measure(argvs[p], &c[p]);
}

static double mib(long kib) { return (double)kib / 1024.0; }
static const char *verdict(int met) { return met ? "met" : "NOT MET"; }

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: scale BUILD COUNCILS OUT.json\n");
        return 2;
    }
    const char *slash = strrchr(argv[0], '/');
    int dirlen = slash ? (int)(slash - argv[0] + 1) : 0;
    snprintf(launcher, sizeof launcher, "%.*slaunch", dirlen, argv[0]);
    snprintf(floor_bin, sizeof floor_bin, "%.*syaml_floor", dirlen, argv[0]);
    snprintf(starrate, sizeof starrate, "%s/starrate", argv[1]);
    snprintf(result_file, sizeof result_file, "%.*slaunch-result.txt", dirlen, argv[0]);
    unsetenv("STARRATE_JOBS");
    /* The rating alone, as bench.c measures it: the text's "Unsure" line runs the uncertainty
     * sampler (up to 100 evaluations a council), whose cost uncert_bench shows on its own. */
    setenv("STARRATE_UNSURE", "off", 1);

    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/*.yaml", argv[2]);
    glob_t files;
    if (glob(pattern, 0, NULL, &files) != 0 || files.gl_pathc == 0)
        fail("no councils");

    cost c[NSIZES][NPROGS];
    for (int s = 0; s < NSIZES; s++) {
        char list[4200];
        snprintf(list, sizeof list, "%s/../list-%d.txt", argv[2], sizes[s]);
        write_list(list, &files, sizes[s]);
        fprintf(stderr, "scale: %d councils in one process...\n", sizes[s]);
        batch(list, sizes[s] >= 15000 ? 2 : 5, c[s]);
    }

    fprintf(stderr, "scale: start-up, one council...\n");
    cost one[2] = {{1e30, 0}, {1e30, 0}};
    char *floor_one[] = {floor_bin, files.gl_pathv[0], NULL};
    char *rate_one[] = {starrate, "rate", "--jobs", "1", files.gl_pathv[0], NULL};
    for (int r = 0; r < STARTUP_RUNS; r++) {
        measure(floor_one, &one[0]);
        measure(rate_one, &one[1]);
    }
    /* As shipped: the text's "Unsure" line, with its fit made (no store) and kept (a store
     * filled by the first run; fitstore.h). */
    char store[4200];
    snprintf(store, sizeof store, "%s/../store", argv[2]);
    cost shipped[2] = {{1e30, 0}, {1e30, 0}};
    unsetenv("STARRATE_UNSURE");
    for (int r = 0; r < STARTUP_RUNS; r++) {
        setenv("STARRATE_CACHE", "off", 1);
        measure(rate_one, &shipped[0]);
        setenv("STARRATE_CACHE", store, 1);
        measure(rate_one, &shipped[1]);
    }
    setenv("STARRATE_UNSURE", "off", 1);
    setenv("STARRATE_CACHE", "off", 1);

    printf("\nScale: councils in one `rate --jobs 1` process, each program in a fresh process\n\n");
    printf("%-12s %-12s %12s %12s %10s\n", "councils", "program", "wall (s)", "per council", "peak MiB");
    for (int s = 0; s < NSIZES; s++)
        for (int p = 0; p < NPROGS; p++)
            printf("%-12d %-12s %12.3f %9.1f us %10.1f\n", sizes[s], prog_names[p], c[s][p].wall,
                   c[s][p].wall / sizes[s] * 1e6, mib(c[s][p].peak_kib));

    double span = (double)(sizes[2] - sizes[1]);
    double slope_floor = (c[2][P_FLOOR].wall - c[1][P_FLOOR].wall) / span;
    double slope_rate = (c[2][P_TEXT].wall - c[1][P_TEXT].wall) / span;
    double slope_ratio = slope_floor > 0 ? slope_rate / slope_floor : -1;
    double startup_ratio = one[1].wall / one[0].wall;
    double peak_text = mib(c[2][P_TEXT].peak_kib), peak_json = mib(c[2][P_JSON].peak_kib);
    int peak_met = peak_text < TARGET_PEAK_MIB && peak_json < TARGET_PEAK_MIB;

    printf("\n%-58s %10s %10s %8s\n", "measure", "value", "target", "");
    printf("%-58s %7.1f us %10s\n", "slope: one more council, rate --jobs 1 (text)", slope_rate * 1e6, "");
    printf("%-58s %7.1f us %10s\n", "slope: one more council, libyaml floor", slope_floor * 1e6, "");
    printf("%-58s %9.2fx %9.1fx %8s\n", "slope ratio (rate / floor)", slope_ratio,
           TARGET_SLOPE_RATIO, verdict(slope_ratio > 0 && slope_ratio <= TARGET_SLOPE_RATIO));
    printf("%-58s %6.1f MiB %6.1f MiB %8s\n", "peak memory at 15,000 councils, text / json (larger)",
           peak_text > peak_json ? peak_text : peak_json, TARGET_PEAK_MIB, verdict(peak_met));
    printf("%-58s %7.2f ms %10s\n", "start-up: rate of one council", one[1].wall * 1e3, "");
    printf("%-58s %7.2f ms %10s\n", "start-up: libyaml reading it", one[0].wall * 1e3, "");
    printf("%-58s %9.2fx %9.1fx %8s\n", "start-up ratio", startup_ratio, TARGET_STARTUP_RATIO,
           verdict(startup_ratio <= TARGET_STARTUP_RATIO));
    printf("%-58s %7.2f ms %9.2fx\n", "as shipped (the Unsure line), its fit made each run",
           shipped[0].wall * 1e3, shipped[0].wall / one[0].wall);
    printf("%-58s %7.2f ms %9.2fx\n", "as shipped (the Unsure line), its fit kept from a run before",
           shipped[1].wall * 1e3, shipped[1].wall / one[0].wall);
    printf("%-58s %6.1f MiB\n", "peak memory of the floor, 150 councils", mib(c[0][P_FLOOR].peak_kib));

    FILE *f = fopen(argv[3], "w");
    if (!f)
        fail("cannot write the results");
    fprintf(f, "{\n  \"batches\": [\n");
    for (int s = 0; s < NSIZES; s++) {
        fprintf(f, "    {\"councils\": %d", sizes[s]);
        for (int p = 0; p < NPROGS; p++)
            fprintf(f, ", \"%s_s\": %.6f, \"%s_peak_kib\": %ld", prog_keys[p], c[s][p].wall,
                    prog_keys[p], c[s][p].peak_kib);
        fprintf(f, "}%s\n", s + 1 < NSIZES ? "," : "");
    }
    fprintf(f, "  ],\n  \"slope_rate_us\": %.3f,\n  \"slope_floor_us\": %.3f,\n"
               "  \"slope_ratio\": %.4f,\n  \"startup_rate_ms\": %.3f,\n"
               "  \"startup_floor_ms\": %.3f,\n  \"startup_ratio\": %.4f,\n"
               "  \"shipped_fit_made_ms\": %.3f,\n  \"shipped_fit_kept_ms\": %.3f\n}\n",
            slope_rate * 1e6, slope_floor * 1e6, slope_ratio, one[1].wall * 1e3,
            one[0].wall * 1e3, startup_ratio, shipped[0].wall * 1e3, shipped[1].wall * 1e3);
    fclose(f);
    printf("\nresults written to %s\n", argv[3]);
    globfree(&files);
    return 0;
}
