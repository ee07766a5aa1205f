/*
 * common.c — errors, the fault-injectable allocator, string buffers and file I/O.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
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

/* ---- text that reaches a terminal ------------------------------------------------------ */

size_t sr_utf8_seq(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) || (c == 0xF0 && p[1] < 0x90) ||
        (c == 0xF4 && p[1] > 0x8F))
        return 0; /* overlong, a surrogate, past U+10FFFF */
    return n;
}

/* Whether the character at p (a valid sequence of n bytes) is a control a terminal acts on:
 * C0, DEL, or C1 (U+0080-U+009F, where CSI is U+009B). */
static int is_control(const unsigned char *p, size_t n)
{
    return (n == 1 && (p[0] < 0x20 || p[0] == 0x7F)) || (n == 2 && p[0] == 0xC2 && p[1] < 0xA0);
}

size_t sr_escape_text(char *out, size_t outlen, const char *s, const char *also)
{
    size_t o = 0;
    if (outlen == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = sr_utf8_seq(p);
        char esc[16] = "";
        if (n == 0 || is_control(p, n)) {
            unsigned c = n == 2 ? (unsigned)(p[1]) : p[0]; /* C1: its code point */
            if (*p == '\n')
                snprintf(esc, sizeof esc, "\\n");
            else if (*p == '\t')
                snprintf(esc, sizeof esc, "\\t");
            else if (*p == '\r')
                snprintf(esc, sizeof esc, "\\r");
            else
                snprintf(esc, sizeof esc, n == 2 ? "\\u%04x" : "\\x%02x", c);
            if (n == 0)
                n = 1;
        } else if (n == 1 && also && strchr(also, *p)) {
            snprintf(esc, sizeof esc, "\\%c", *p);
        }
        const char *piece = esc[0] ? esc : (const char *)p;
        size_t len = esc[0] ? strlen(esc) : n;
        if (o + len >= outlen)
            break;
        memcpy(out + o, piece, len);
        o += len;
        p += n;
    }
    out[o] = '\0';
    return o;
}

void sr_buf_put_escaped(sr_buf *b, const char *s, const char *also)
{
    char piece[64];
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        /* whole characters at a time, so a sequence is never cut between two pieces */
        char chunk[16];
        size_t n = sr_utf8_seq(p);
        n = n ? n : 1;
        memcpy(chunk, p, n);
        chunk[n] = '\0';
        sr_buf_puts(b, sr_escape_text(piece, sizeof piece, chunk, also) ? piece : "");
        p += n;
    }
}

void sr_error_format(const sr_error *err, char *out, size_t outlen)
{
    /* A file name or a message may carry text from an input (a rule's error, a key): escaped,
     * a newline cannot forge a second error line and ESC cannot drive the terminal. */
    char file[sizeof err->file * 4], msg[sizeof err->msg * 2];
    sr_escape_text(file, sizeof file, err->file, NULL);
    sr_escape_text(msg, sizeof msg, err->msg, NULL);
    if (err->file[0] && err->line > 0 && err->col > 0)
        snprintf(out, outlen, "%s:%d:%d: error: %s", file, err->line, err->col, msg);
    else if (err->file[0] && err->line > 0)
        snprintf(out, outlen, "%s:%d: error: %s", file, err->line, msg);
    else if (err->file[0])
        snprintf(out, outlen, "%s: error: %s", file, msg);
    else
        snprintf(out, outlen, "error: %s", msg);
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
static size_t first_capacity(const struct stat *st, size_t most)
{
    size_t cap = 8192;
    if (st && S_ISREG(st->st_mode) && st->st_size >= 0 && (uintmax_t)st->st_size < (uintmax_t)most)
        cap = (size_t)st->st_size + 1; /* + 1: a file that grew since shows it at once */
    return cap < most ? cap : most;
}

/* ---- the files a run has read -----------------------------------------------------------
 *
 * `-o` must not replace one of the run's own inputs (an evidence file, a rule file): every
 * file sr_read_file opens is noted by device and inode, and delivery refuses a target that is
 * one of them. Reads may happen on worker threads, hence the lock. Past SR_MAX_INPUTS files the
 * oldest are no longer checked. */
#define SR_MAX_INPUTS 4096

static pthread_mutex_t inputs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { dev_t dev; ino_t ino; } inputs[SR_MAX_INPUTS];
static size_t inputs_n;

static void note_input(const struct stat *st_given)
{
    if (!S_ISREG(st_given->st_mode))
        return;
    const struct stat st = *st_given;
    pthread_mutex_lock(&inputs_lock);
    size_t i = 0;
    while (i < inputs_n && i < SR_MAX_INPUTS &&
           !(inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino))
        i++;
    if (i == inputs_n || i == SR_MAX_INPUTS) {
        inputs[inputs_n % SR_MAX_INPUTS].dev = st.st_dev;
        inputs[inputs_n % SR_MAX_INPUTS].ino = st.st_ino;
        inputs_n++;
    }
    pthread_mutex_unlock(&inputs_lock);
}

static int was_read(const struct stat *st)
{
    int yes = 0;
    pthread_mutex_lock(&inputs_lock);
    for (size_t i = 0; i < inputs_n && i < SR_MAX_INPUTS && !yes; i++)
        yes = inputs[i].dev == st->st_dev && inputs[i].ino == st->st_ino;
    pthread_mutex_unlock(&inputs_lock);
    return yes;
}

void sr_inputs_forget(void)
{
    pthread_mutex_lock(&inputs_lock);
    inputs_n = 0;
    pthread_mutex_unlock(&inputs_lock);
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
    /* one fstat for both the size and the note */
    struct stat st;
    int have_st = fstat(fileno(f), &st) == 0;
    if (!is_stdin) {
        setvbuf(f, NULL, _IONBF, 0);
        if (have_st)
            note_input(&st);
    }
    /* The buffer never holds more than one byte past the limit: that byte proves the file
     * too large. */
    size_t most = max_bytes < SIZE_MAX / 2 ? max_bytes + 1 : SIZE_MAX / 2;
    size_t cap = first_capacity(have_st ? &st : NULL, most), len = 0, n;
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
        if (feof(f)) /* asking again would cost another read() that returns 0 */
            break;
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

/* Writes all of data to fd; 0 or an errno value. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The descriptor a path names by itself (/dev/stdout, /dev/fd/N...), or -1: writing there
 * means writing to what the process already has open, not replacing a file. */
static int named_descriptor(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    const char *num = NULL;
    if (strncmp(path, "/dev/fd/", 8) == 0)
        num = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        num = path + 14;
    if (!num || *num < '0' || *num > '9')
        return -1;
    char *end;
    long fd = strtol(num, &end, 10);
    return *end == '\0' && fd >= 0 && fd < INT_MAX ? (int)fd : -1;
}

/* Writes to a device, a FIFO or a socket as it is: replacing it with a file would be wrong
 * (as root, `-o /dev/null` would replace /dev/null). */
static int write_special(const char *path, int fd, const char *data, size_t len, sr_error *err)
{
    char why[128];
    int own = fd < 0;
    if (own && (fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: %s",
                       errno_text(errno, why, sizeof why));
    int e = write_all(fd, data, len);
    if (own && close(fd) != 0 && e == 0)
        e = errno;
    if (e)
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: %s", errno_text(e, why, sizeof why));
    return SR_OK;
}

/* The folder path lies in ("." for a bare name), into out. */
static void folder_of(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, outlen, ".");
    else if (slash == path)
        snprintf(out, outlen, "/");
    else
        snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

/* Why a temporary file could not be made beside path, naming the folder. */
static int temp_failure(const char *path, int e, sr_error *err)
{
    char why[128], dir[PATH_MAX];
    folder_of(path, dir, sizeof dir);
    if (e == ENOENT)
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: folder '%s' does not exist", dir);
    if (e == ENOTDIR)
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: '%s' is not a folder", dir);
    return sr_fail(err, SR_EIO, path, 0, 0, "cannot write in folder '%s': %s", dir,
                   errno_text(e, why, sizeof why));
}

/* Signals that end the process by default: held back while the temporary file exists, so
 * that Ctrl-C during the final write cannot leave it behind (they are delivered once it has
 * been renamed or removed). */
static void hold_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

/* The mode a new output file gets: what fopen would give (0666 less the umask). */
static mode_t new_file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* Writes data to a new file beside path, created exclusively under an unpredictable name
 * (mkstemp: O_CREAT|O_EXCL, so a link planted at that name is never followed), then renames
 * it over path. */
static int replace_file(const char *path, const struct stat *old, const char *data,
                        size_t len, sr_error *err)
{
    char why[128];
    sr_buf tmp;
    sr_buf_init(&tmp);
    sr_buf_printf(&tmp, "%s.tmp.XXXXXX", path);
    if (tmp.oom)
        return sr_oom(err);
    sigset_t mask;
    hold_signals(&mask);
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        int rc = temp_failure(path, errno, err);
        pthread_sigmask(SIG_SETMASK, &mask, NULL);
        sr_buf_free(&tmp);
        return rc;
    }
    int e = fchmod(fd, old ? old->st_mode & 07777 : new_file_mode()) != 0 ? errno : 0;
    if (!e)
        e = write_all(fd, data, len);
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && atomic_load(&write_fail_before_rename))
        e = EIO;
    if (!e && rename(tmp.data, path) != 0)
        e = errno;
    int rc = SR_OK;
    if (e) {
        rc = sr_fail(err, SR_EIO, path, 0, 0, "cannot write: %s", errno_text(e, why, sizeof why));
        unlink(tmp.data);
    }
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    sr_buf_free(&tmp);
    return rc;
}

int sr_write_file_atomic(const char *path, const char *data, size_t len, sr_error *err)
{
    int fd = named_descriptor(path);
    if (fd >= 0)
        return write_special(path, fd, data, len, err);
    struct stat st, target;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            return temp_failure(path, errno, err);
        return replace_file(path, NULL, data, len, err);
    }
    /* A link is replaced, never written through, unless it leads to a device or a FIFO. */
    if (S_ISLNK(st.st_mode) && stat(path, &target) == 0 &&
        (S_ISCHR(target.st_mode) || S_ISFIFO(target.st_mode) || S_ISSOCK(target.st_mode)))
        return write_special(path, -1, data, len, err);
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
        return write_special(path, -1, data, len, err);
    if (S_ISDIR(st.st_mode))
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: it is a folder");
    if (S_ISBLK(st.st_mode))
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: it is a block device");
    if (S_ISREG(st.st_mode) && was_read(&st))
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: it is one of this run's inputs");
    return replace_file(path, S_ISREG(st.st_mode) ? &st : NULL, data, len, err);
}

/* Whether byte c of an output is a control character no output format writes raw: every
 * format escapes them itself (JSON, XML, YAML) or has no use for them, so one that is there
 * came from an input (an evidence text, a rule's word) and would drive the terminal. */
static int stray_control(unsigned char c)
{
    return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F;
}

/* The output with each stray control character written as \xNN; NULL (and *copy unset)
 * when it has none. */
static const char *without_controls(const sr_buf *b, sr_buf *copy)
{
    size_t i = 0;
    while (i < b->len && !stray_control((unsigned char)b->data[i]))
        i++;
    if (i == b->len)
        return NULL;
    sr_buf_init(copy);
    sr_buf_putn(copy, b->data, i);
    for (; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (stray_control(c))
            sr_buf_printf(copy, "\\x%02x", c);
        else
            sr_buf_putc(copy, (char)c);
    }
    return copy->data;
}

int sr_deliver(const sr_buf *b, const char *path, FILE *out, sr_error *err)
{
    if (b->oom)
        return sr_oom(err);
    sr_buf clean;
    if (without_controls(b, &clean)) {
        int rc = clean.oom ? sr_oom(err) : sr_deliver(&clean, path, out, err);
        sr_buf_free(&clean);
        return rc;
    }
    if (path) {
        if (named_descriptor(path) >= 0)
            fflush(NULL); /* what the process wrote to that descriptor comes first */
        return sr_write_file_atomic(path, b->data ? b->data : "", b->len, err);
    }
    if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
        return sr_fail(err, SR_EIO, "<stdout>", 0, 0, "cannot write the output");
    fflush(out);
    return SR_OK;
}

/* ---- streams ---------------------------------------------------------------------------- */

/* The temporary file of the open stream, for the signal handler: a run that is interrupted
 * while it streams (which may take minutes) removes it and then ends as the signal asks. */
static char stream_tmp[PATH_MAX + 16];
static volatile sig_atomic_t stream_tmp_set;
static const int stream_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
#define NSTREAM_SIGNALS (sizeof stream_signals / sizeof stream_signals[0])
static struct sigaction stream_old[NSTREAM_SIGNALS];

static void stream_on_signal(int sig)
{
    if (stream_tmp_set)
        unlink(stream_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void stream_handlers(int on)
{
    for (size_t i = 0; i < NSTREAM_SIGNALS; i++) {
        if (on) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = stream_on_signal;
            sigemptyset(&sa.sa_mask);
            sigaction(stream_signals[i], &sa, &stream_old[i]);
        } else {
            sigaction(stream_signals[i], &stream_old[i], NULL);
        }
    }
}

/* Where the output goes when path is not a regular file to replace: fd, or -1 for a file. */
static int stream_target(sr_stream *s, const char *path, sr_error *err)
{
    struct stat st, target;
    int fd = named_descriptor(path);
    if (fd >= 0) {
        fflush(NULL);
        s->fd = fd;
        return SR_OK;
    }
    s->mode = new_file_mode();
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? SR_OK : temp_failure(path, errno, err);
    int special = S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
                  (S_ISLNK(st.st_mode) && stat(path, &target) == 0 &&
                   (S_ISCHR(target.st_mode) || S_ISFIFO(target.st_mode) || S_ISSOCK(target.st_mode)));
    if (special) {
        char why[128];
        if ((s->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
            return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: %s",
                           errno_text(errno, why, sizeof why));
        s->own_fd = 1;
        return SR_OK;
    }
    if (S_ISDIR(st.st_mode))
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: it is a folder");
    if (S_ISBLK(st.st_mode))
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: it is a block device");
    if (S_ISREG(st.st_mode) && was_read(&st))
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: it is one of this run's inputs");
    if (S_ISREG(st.st_mode))
        s->mode = st.st_mode & 07777;
    return SR_OK;
}

int sr_stream_open(sr_stream *s, const char *path, FILE *out, sr_error *err)
{
    memset(s, 0, sizeof *s);
    s->path = path, s->out = out, s->fd = -1;
    if (!path)
        return SR_OK;
    int rc = stream_target(s, path, err);
    if (rc != SR_OK || s->fd >= 0)
        return rc;
    size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
    if (n > sizeof stream_tmp || stream_tmp_set)
        return sr_fail(err, SR_EIO, path, 0, 0, "cannot write: the name is too long");
    if (!(s->tmp = sr_malloc(n)))
        return sr_oom(err);
    snprintf(s->tmp, n, "%s.tmp.XXXXXX", path);
    sigset_t mask;
    hold_signals(&mask);
    int fd = mkstemp(s->tmp);
    int e = fd < 0 ? errno : fchmod(fd, s->mode) != 0 ? errno : 0;
    if (fd >= 0) {
        memcpy(stream_tmp, s->tmp, n);
        stream_tmp_set = 1;
        stream_handlers(1);
    }
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    s->fd = fd, s->own_fd = fd >= 0;
    if (fd < 0) { /* nothing was made: the template names no file of ours */
        sr_free(s->tmp);
        s->tmp = NULL;
    }
    if (e) {
        sr_stream_close(s, 0, err);
        return temp_failure(path, e, err);
    }
    return SR_OK;
}

int sr_stream_write(sr_stream *s, const char *data, size_t len, sr_error *err)
{
    sr_buf whole = {(char *)data, len, len, 0}, clean;
    if (without_controls(&whole, &clean)) {
        int rc = clean.oom ? sr_oom(err) : sr_stream_write(s, clean.data, clean.len, err);
        sr_buf_free(&clean);
        return rc;
    }
    if (!s->path) {
        if (len && fwrite(data, 1, len, s->out) != len)
            return sr_fail(err, SR_EIO, "<stdout>", 0, 0, "cannot write the output");
        return SR_OK;
    }
    char why[128];
    int e = write_all(s->fd, data, len);
    return e ? sr_fail(err, SR_EIO, s->path, 0, 0, "cannot write: %s", errno_text(e, why, sizeof why))
             : SR_OK;
}

int sr_stream_close(sr_stream *s, int keep, sr_error *err)
{
    char why[128];
    int e = 0;
    if (!s->path) {
        e = fflush(s->out) != 0 ? EIO : 0;
    } else if (s->fd >= 0 && s->own_fd) {
        if (s->tmp && keep && fsync(s->fd) != 0)
            e = errno;
        if (close(s->fd) != 0 && !e)
            e = errno;
    }
    if (s->tmp) {
        sigset_t mask;
        hold_signals(&mask);
        if (keep && !e && atomic_load(&write_fail_before_rename))
            e = EIO;
        /* An input read while the output streamed (a list names files as it goes) is still
         * never replaced. */
        struct stat st;
        if (keep && !e && lstat(s->path, &st) == 0 && S_ISREG(st.st_mode) && was_read(&st)) {
            unlink(s->tmp);
            pthread_sigmask(SIG_SETMASK, &mask, NULL);
            stream_tmp_set = 0;
            stream_handlers(0);
            sr_free(s->tmp);
            s->tmp = NULL;
            return sr_fail(err, SR_EIO, s->path, 0, 0, "cannot write: it is one of this run's inputs");
        }
        if (keep && !e && rename(s->tmp, s->path) != 0)
            e = errno;
        if (!keep || e)
            unlink(s->tmp);
        if (stream_tmp_set) {
            stream_tmp_set = 0;
            stream_handlers(0);
        }
        pthread_sigmask(SIG_SETMASK, &mask, NULL);
        sr_free(s->tmp);
        s->tmp = NULL;
    }
    s->fd = -1;
    if (e && keep)
        return sr_fail(err, SR_EIO, s->path ? s->path : "<stdout>", 0, 0, "cannot write: %s",
                       errno_text(e, why, sizeof why));
    return SR_OK;
}

void sr_format_number(double v, char *out, size_t outlen)
{
    /* the range first: casting a value outside long long's (or NaN) is undefined */
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
        snprintf(out, outlen, "%lld", (long long)v);
    else
        snprintf(out, outlen, "%.6g", v);
}

void sr_display_real(const char *real, const char *cwd, char *out, size_t outlen)
{
    size_t n = strlen(cwd);
    if (strncmp(real, cwd, n) == 0 && real[n] == '/')
        snprintf(out, outlen, "%s", real + n + 1);
    else
        snprintf(out, outlen, "%s", real);
}

void sr_display_path(const char *path, char *out, size_t outlen)
{
    char cwd[PATH_MAX], real[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) && realpath(path, real))
        sr_display_real(real, cwd, out, outlen);
    else
        snprintf(out, outlen, "%s", path);
}
