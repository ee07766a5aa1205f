/*
 * launch.c — runs one program in a fresh process and records what it cost.
 *
 *   launch RESULT PROG [ARG...]
 *
 * Writes one line to the file RESULT: "WALL USER SYS MAXRSS_KIB STATUS" (seconds, seconds,
 * seconds, KiB, exit status). PROG's standard output goes to /dev/null.
 *
 * Why a separate program: Linux keeps a process's peak resident size across exec, so a
 * program spawned straight from the benchmark (itself several MiB) reports at least the
 * benchmark's own peak. This launcher is small; the child it forks starts from its small
 * image, so the peak that wait4 reports is the measured program's own.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double seconds(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: launch RESULT PROG [ARG...]\n");
        return 2;
    }
    double t0 = now_seconds();
    pid_t pid = fork();
    if (pid < 0) {
        perror("launch: fork");
        return 1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execv(argv[2], argv + 2);
        perror("launch: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("launch: wait4");
        return 1;
    }
    double wall = now_seconds() - t0;
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fprintf(f, "%.6f %.6f %.6f %ld %d\n", wall, seconds(ru.ru_utime), seconds(ru.ru_stime),
            ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    return fclose(f) == 0 ? 0 : 1;
}
