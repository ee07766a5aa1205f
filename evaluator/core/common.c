/*
 * common.c — errors, the fault-injectable allocator, string buffers and file I/O.
 */
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- errors ------------------------------------------------------------------------- */

void sr_error_clear(sr_error *err)
{
    if (!err)
        return;
    err->code = SR_OK;
    err->file[0] = '\0';
    err->line = err->col = 0;
    err->msg[0] = '\0';
}

int sr_vfail(sr_error *err, int code, const char *file, int line, int col, const char *fmt,
             va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->col = col;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return code;
}

int sr_fail(sr_error *err, int code, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_vfail(err, code, file, line, col, fmt, ap);
    va_end(ap);
    return code;
}

int sr_oom(sr_error *err)
{
    return sr_fail(err, SR_ENOMEM, NULL, 0, 0, "out of memory");
}

void sr_error_format(const sr_error *err, char *out, size_t outlen)
{
    if (err->file[0] && err->line > 0 && err->col > 0)
        snprintf(out, outlen, "%s:%d:%d: error: %s", err->file, err->line, err->col, err->msg);
    else if (err->file[0] && err->line > 0)
        snprintf(out, outlen, "%s:%d: error: %s", err->file, err->line, err->msg);
    else if (err->file[0])
        snprintf(out, outlen, "%s: error: %s", err->file, err->msg);
    else
        snprintf(out, outlen, "error: %s", err->msg);
}

void sr_error_print(FILE *f, const sr_error *err)
{
    char line[2048];
    sr_error_format(err, line, sizeof line);
    fprintf(f, "%s\n", line);
}

/* ---- allocator ---------------------------------------------------------------------- */

/* Atomic because `rate --jobs N` allocates on several threads at once. Relaxed order is
 * enough: each counter is one number on its own and guards no other memory. With several
 * threads which allocation is the Nth depends on scheduling, so tests that must fail the same
 * allocation every time run one worker (--jobs 1).
 *
 * Counting starts only once a test calls sr_alloc_fail_at or sr_alloc_reset_count: a counter
 * that every thread increments on every allocation keeps bouncing between the processors'
 * caches (about a tenth of `rate --jobs 2`'s time), while a flag that is only read does not. */
static atomic_int alloc_watch;      /* 0 until a test asks for counting or failures */
static _Atomic long alloc_fail_at;  /* 0 = never fail */
static _Atomic long alloc_count;

void sr_alloc_fail_at(long n)
{
    atomic_store_explicit(&alloc_fail_at, n, memory_order_relaxed);
    atomic_store_explicit(&alloc_count, 0, memory_order_relaxed);
    atomic_store_explicit(&alloc_watch, 1, memory_order_relaxed);
}

long sr_alloc_count(void) { return atomic_load_explicit(&alloc_count, memory_order_relaxed); }

void sr_alloc_reset_count(void)
{
    atomic_store_explicit(&alloc_count, 0, memory_order_relaxed);
    atomic_store_explicit(&alloc_watch, 1, memory_order_relaxed);
}

/* Counts the allocation and says whether the injected fault should fire for it. */
static int alloc_should_fail(void)
{
    if (!atomic_load_explicit(&alloc_watch, memory_order_relaxed))
        return 0;
    long n = atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed) + 1;
    long at = atomic_load_explicit(&alloc_fail_at, memory_order_relaxed);
    return at > 0 && n >= at;
}

int sr_alloc_fault(void) { return alloc_should_fail(); }

void *sr_malloc(size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *sr_calloc(size_t count, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *sr_realloc(void *p, size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void sr_free(void *p) { free(p); }

char *sr_strndup(const char *s, size_t n)
{
    char *d = sr_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sr_strdup(const char *s) { return sr_strndup(s, strlen(s)); }

void sr_free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        sr_free(v[i]);
    sr_free(v);
}

int sr_strings_copy(char *const *from, size_t n, char ***out)
{
    *out = NULL;
    if (!n)
        return 1;
    if (!(*out = sr_calloc(n, sizeof **out)))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((*out)[i] = sr_strdup(from[i])))
            return 0;
    return 1;
}

/* ---- string buffer ------------------------------------------------------------------ */

void sr_buf_init(sr_buf *b) { memset(b, 0, sizeof *b); }

void sr_buf_free(sr_buf *b)
{
    sr_free(b->data);
    sr_buf_init(b);
}

static int buf_reserve(sr_buf *b, size_t extra)
{
    if (b->oom)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = sr_realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return 0;
    }
    b->data = d;
    b->cap = cap;
    return 1;
}

void sr_buf_putn(sr_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sr_buf_puts(sr_buf *b, const char *s) { sr_buf_putn(b, s, strlen(s)); }
void sr_buf_putc(sr_buf *b, char c) { sr_buf_putn(b, &c, 1); }

void sr_buf_printf(sr_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sr_buf_putn(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *sr_buf_take(sr_buf *b)
{
    char *d = b->data;
    if (!d)
        d = sr_strdup("");
    sr_buf_init(b);
    return d;
}

/* ---- files -------------------------------------------------------------------------- */

/* strerror may return a buffer shared between threads; the XSI strerror_r writes into ours. */
static const char *errno_text(int code, char *buf, size_t len)
{
    if (strerror_r(code, buf, len) != 0)
        snprintf(buf, len, "error %d", code);
    return buf;
}

/* Room for the first read: a regular file says its size, so one read fills the buffer (and
 * the next, finding the end, reads nothing); a pipe or terminal does not, and the buffer
 * grows as data comes. Never more than `most`. */
static size_t first_capacity(FILE *f, size_t most)
{
    struct stat st;
    size_t cap = 8192;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (uintmax_t)st.st_size < (uintmax_t)most)
        cap = (size_t)st.st_size + 1; /* + 1: a file that grew since shows it at once */
    return cap < most ? cap : most;
}

int sr_read_file(const char *path, size_t max_bytes, char **out, size_t *outlen, sr_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    const char *name = is_stdin ? "<stdin>" : path;
    char why[128];
    if (!f)
        return sr_fail(err, SR_EIO, name, 0, 0, "cannot open: %s", errno_text(errno, why, sizeof why));
    /* Our own stream reads straight into the buffer: a stdio buffer would only add a copy. */
    if (!is_stdin)
        setvbuf(f, NULL, _IONBF, 0);
    /* The buffer never holds more than one byte past the limit: that byte proves the file
     * too large. */
    size_t most = max_bytes < SIZE_MAX / 2 ? max_bytes + 1 : SIZE_MAX / 2;
    size_t cap = first_capacity(f, most), len = 0, n;
    char *data = sr_malloc(cap + 1);
    int rc = data ? SR_OK : sr_oom(err);
    while (rc == SR_OK && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len > max_bytes) {
            rc = sr_fail(err, SR_ELIMIT, name, 0, 0,
                         "file is larger than the limit of %zu bytes", max_bytes);
        } else if (len == cap) {
            size_t ncap = cap < most / 2 ? cap * 2 : most;
            char *d = sr_realloc(data, ncap + 1);
            if (d)
                data = d, cap = ncap;
            else
                rc = sr_oom(err);
        }
    }
    if (rc == SR_OK && ferror(f))
        rc = sr_fail(err, SR_EIO, name, 0, 0, "read failed: %s", errno_text(errno, why, sizeof why));
    if (!is_stdin)
        fclose(f);
    if (rc != SR_OK) {
        sr_free(data);
        return rc;
    }
    data[len] = '\0';
    *outlen = len;
    *out = data;
    return SR_OK;
}

/* Atomic like the allocator's counters: set by a test, read wherever the output is written. */
static atomic_int write_fail_before_rename;
void sr_write_fail_before_rename(int on) { atomic_store(&write_fail_before_rename, on); }

int sr_write_file_atomic(const char *path, const char *data, size_t len, sr_error *err)
{
    char why[128];
    sr_buf tmp;
    sr_buf_init(&tmp);
    sr_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    if (tmp.oom)
        return sr_oom(err);
    FILE *f = fopen(tmp.data, "wb");
    if (!f) {
        int rc = sr_fail(err, SR_EIO, path, 0, 0, "cannot write: %s", errno_text(errno, why, sizeof why));
        sr_buf_free(&tmp);
        return rc;
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fflush(f) == 0) && ok;
    ok = (fsync(fileno(f)) == 0) && ok;
    ok = (fclose(f) == 0) && ok;
    if (ok && atomic_load(&write_fail_before_rename)) {
        errno = EIO;
        ok = 0;
    }
    if (!ok || rename(tmp.data, path) != 0) {
        int rc = sr_fail(err, SR_EIO, path, 0, 0, "cannot write: %s", errno_text(errno, why, sizeof why));
        remove(tmp.data);
        sr_buf_free(&tmp);
        return rc;
    }
    sr_buf_free(&tmp);
    return SR_OK;
}

int sr_deliver(const sr_buf *b, const char *path, FILE *out, sr_error *err)
{
    if (b->oom)
        return sr_oom(err);
    if (path)
        return sr_write_file_atomic(path, b->data ? b->data : "", b->len, err);
    if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
        return sr_fail(err, SR_EIO, "<stdout>", 0, 0, "cannot write the output");
    fflush(out);
    return SR_OK;
}

void sr_format_number(double v, char *out, size_t outlen)
{
    if (v == (double)(long long)v && v > -1e15 && v < 1e15)
        snprintf(out, outlen, "%lld", (long long)v);
    else
        snprintf(out, outlen, "%.6g", v);
}

void sr_display_path(const char *path, char *out, size_t outlen)
{
    char cwd[PATH_MAX], real[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) && realpath(path, real)) {
        size_t n = strlen(cwd);
        if (strncmp(real, cwd, n) == 0 && real[n] == '/') {
            snprintf(out, outlen, "%s", real + n + 1);
            return;
        }
        snprintf(out, outlen, "%s", real);
        return;
    }
    snprintf(out, outlen, "%s", path);
}
