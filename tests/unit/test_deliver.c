/*
 * test_deliver.c — where `-o` writes: a temporary file made exclusively beside the target (a
 * link planted at the old predictable name is never followed), devices and FIFOs written as
 * they are, folders and the run's own inputs refused, an existing file's mode kept, every
 * error naming the path and the reason, and a termination signal during the final write
 * leaving no temporary file. Each test works in a temporary folder of its own.
 */
#include "cmd.h"
#include "helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

static void setup(void)
{
    cr_assert_eq(setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1), 0);
    snprintf(dir, sizeof dir, "/tmp/starrate-deliver-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(deliver, .init = setup, .fini = teardown);

static void in_dir(const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", dir, name);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static const char *get(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s is missing", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* How many entries the folder has. */
static int count_entries(void)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static int deliver(const char *path, const char *text, sr_error *err)
{
    sr_buf b;
    sr_buf_init(&b);
    sr_buf_puts(&b, text);
    sr_error_clear(err);
    int rc = sr_deliver(&b, path, stdout, err);
    sr_buf_free(&b);
    return rc;
}

Test(deliver, a_link_planted_at_the_temporary_name_is_not_followed)
{
    char victim[512], out[512], link[600];
    in_dir("victim", victim, sizeof victim);
    in_dir("out.txt", out, sizeof out);
    put(victim, "precious\n");
    /* the name the temporary file used to have, and a spread of guesses around it */
    for (long pid = (long)getpid() - 2; pid <= (long)getpid() + 2; pid++) {
        snprintf(link, sizeof link, "%s.tmp.%ld", out, pid);
        cr_assert_eq(symlink(victim, link), 0);
    }
    sr_error err;
    cr_assert_eq(deliver(out, "the rating\n", &err), SR_OK, "%s", err.msg);
    cr_assert_str_eq(get(victim), "precious\n");
    cr_assert_str_eq(get(out), "the rating\n");
    cr_assert_eq(count_entries(), 7, "a temporary file was left behind");
}

Test(deliver, the_output_link_itself_is_replaced_not_written_through)
{
    char victim[512], out[512];
    in_dir("victim", victim, sizeof victim);
    in_dir("out.txt", out, sizeof out);
    put(victim, "precious\n");
    cr_assert_eq(symlink(victim, out), 0);
    sr_error err;
    cr_assert_eq(deliver(out, "the rating\n", &err), SR_OK, "%s", err.msg);
    cr_assert_str_eq(get(victim), "precious\n");
    struct stat st;
    cr_assert_eq(lstat(out, &st), 0);
    cr_assert(S_ISREG(st.st_mode), "the link was written through");
}

Test(deliver, devices_and_fifos_are_written_as_they_are)
{
    char dev[512], fifo[512];
    in_dir("null", dev, sizeof dev);
    in_dir("fifo", fifo, sizeof fifo);
    sr_error err;
    /* a character device node: only root may make one; /dev/null otherwise */
    const char *target = mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0 ? dev : "/dev/null";
    cr_assert_eq(deliver(target, "into the device\n", &err), SR_OK, "%s", err.msg);
    struct stat st;
    cr_assert_eq(stat(target, &st), 0);
    cr_assert(S_ISCHR(st.st_mode), "%s was replaced by a file", target);
    /* a FIFO: a reader in a child process gets the output */
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        char buf[64] = "";
        int fd = open(fifo, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        _exit(n == 11 && memcmp(buf, "to the fifo", 11) == 0 ? 0 : 1);
    }
    cr_assert_eq(deliver(fifo, "to the fifo", &err), SR_OK, "%s", err.msg);
    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader got something else");
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode));
}

Test(deliver, errors_name_the_path_and_the_reason)
{
    char missing[512], sub[512];
    in_dir("nodir/out", missing, sizeof missing);
    in_dir("sub", sub, sizeof sub);
    sr_error err;
    cr_assert_eq(deliver(missing, "x", &err), SR_EIO);
    cr_assert_str_eq(err.file, missing);
    char want[700];
    snprintf(want, sizeof want, "cannot write: folder '%s/nodir' does not exist", dir);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(mkdir(sub, 0700), 0);
    cr_assert_eq(deliver(sub, "x", &err), SR_EIO);
    cr_assert_str_eq(err.file, sub);
    cr_assert_str_eq(err.msg, "cannot write: it is a folder");
    cr_assert_eq(count_entries(), 1, "something was written");
}

Test(deliver, an_existing_file_keeps_its_mode)
{
    char out[512];
    in_dir("out.txt", out, sizeof out);
    put(out, "old\n");
    cr_assert_eq(chmod(out, 0640), 0);
    sr_error err;
    cr_assert_eq(deliver(out, "new\n", &err), SR_OK, "%s", err.msg);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0640);
    cr_assert_str_eq(get(out), "new\n");
}

Test(deliver, an_input_is_never_the_output)
{
    char ev[512];
    in_dir("council.yaml", ev, sizeof ev);
    char *text = NULL;
    size_t len = 0;
    sr_error err;
    FILE *src = fopen(SR_SOURCE_ROOT "/scenarios/councils/demo-2-star-capped.yaml", "rb");
    cr_assert_not_null(src);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, src);
    buf[n] = '\0';
    fclose(src);
    put(ev, buf);
    char *argv[] = {"starrate", "rate", "-o", ev, ev, NULL};
    FILE *devnull = fopen("/dev/null", "w");
    cr_assert_eq(cmd_main(5, argv, devnull, devnull), 1);
    fclose(devnull);
    cr_assert_str_eq(get(ev), buf, "the evidence was overwritten");
    /* and through sr_read_file directly */
    cr_assert_eq(sr_read_file(ev, 1 << 20, &text, &len, &err), SR_OK);
    sr_free(text);
    cr_assert_eq(deliver(ev, "x", &err), SR_EIO);
    cr_assert_str_eq(err.msg, "cannot write: it is one of this run's inputs");
    sr_inputs_forget();
}

/* SIGTERM at any moment of a large write: the process dies, and afterwards the folder holds
 * either nothing or the whole output, never a temporary file. */
Test(deliver, a_signal_during_the_write_leaves_no_temporary_file)
{
    char out[512];
    in_dir("out.txt", out, sizeof out);
    size_t size = 32u << 20;
    static const char line[] = "0123456789012345678901234567890123456789012345678901234567\n";
    for (int attempt = 0; attempt < 6; attempt++) {
        unlink(out);
        pid_t child = fork();
        cr_assert_neq(child, -1);
        if (child == 0) {
            sr_buf b;
            sr_buf_init(&b);
            for (size_t i = 0; i < size / 64; i++)
                sr_buf_puts(&b, line);
            sr_error err;
            int rc = sr_deliver(&b, out, stdout, &err);
            _exit(rc == SR_OK ? 0 : 1);
        }
        struct timespec pause = {0, attempt * 15000000L};
        nanosleep(&pause, NULL);
        kill(child, SIGTERM);
        int status;
        cr_assert_eq(waitpid(child, &status, 0), child);
        int n = count_entries();
        cr_assert_leq(n, 1, "attempt %d: a temporary file was left behind", attempt);
        struct stat st;
        if (n == 1) {
            cr_assert_eq(stat(out, &st), 0, "attempt %d: the one file is not the output", attempt);
            cr_assert_eq((size_t)st.st_size, size / 64 * (sizeof line - 1), "attempt %d: partial output",
                         attempt);
        }
    }
}
