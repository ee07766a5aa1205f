/*
 * common.h — result codes, the positioned error record, the checked allocator and a
 * growable string buffer shared by every module of the starrate core.
 *
 * Errors flow back as an int result code plus an sr_error filled by the callee. The error
 * record uses fixed buffers on purpose: reporting "out of memory" must never allocate.
 */
#ifndef SR_COMMON_H
#define SR_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The version of the program and of its output formats' "engine" (starrate.h repeats it). */
#define SR_VERSION "0.1.0"

enum {
    SR_OK = 0,
    SR_EINPUT = 1,  /* evidence, scenario, letter or CSV rejected */
    SR_ERULES = 2,  /* rule pack rejected or a rule failed at run time */
    SR_ENOMEM = 3,  /* allocation failed (or was made to fail) */
    SR_EIO = 4,     /* file could not be read or written */
    SR_ELIMIT = 5,  /* a size, depth, budget or memory limit was exceeded */
    SR_EUSAGE = 6   /* bad command line */
};

typedef struct sr_error {
    int code;        /* one of the SR_E* codes, SR_OK when clear */
    char file[512];  /* file the error is about ("" when none) */
    int line;        /* 1-based; 0 when unknown */
    int col;         /* 1-based; 0 when unknown */
    char msg[1024];
} sr_error;

void sr_error_clear(sr_error *err);
/* Fills err and returns code, so callers can write `return sr_fail(err, ...)`. */
int sr_fail(sr_error *err, int code, const char *file, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
int sr_vfail(sr_error *err, int code, const char *file, int line, int col, const char *fmt,
             va_list ap);
int sr_oom(sr_error *err);
/* "FILE:LINE:COL: error: MSG" (parts that are unknown are left out). */
void sr_error_format(const sr_error *err, char *out, size_t outlen);
/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 when the byte there starts none. */
size_t sr_utf8_seq(const unsigned char *p);
/* s with every control character (C0, DEL, C1) and every byte of invalid UTF-8 escaped
 * (\n, \t, \r, \xNN, \u00NN), and each character of `also` preceded by a backslash, into
 * out (cut at whole characters to fit). Returns the length written. */
size_t sr_escape_text(char *out, size_t outlen, const char *s, const char *also);


/* Prints the error as sr_error_format does, with a newline, to f. */
void sr_error_print(FILE *f, const sr_error *err);

/*
 * Allocator. Every allocation in the core goes through these so that tests can make the
 * Nth allocation fail (SQLite's approach) and prove each error path is clean.
 */
void *sr_malloc(size_t n);
void *sr_calloc(size_t count, size_t size);
void *sr_realloc(void *p, size_t n);
void sr_free(void *p);
char *sr_strdup(const char *s);
/* Frees n strings and the array holding them. */
void sr_free_strings(char **v, size_t n);
/* A deep copy of n strings into *out (NULL when n is 0); 0 when out of memory, leaving what
 * was copied for sr_free_strings(*out, n). */
int sr_strings_copy(char *const *from, size_t n, char ***out);
char *sr_strndup(const char *s, size_t n);
/* For allocators built on top of these (pool.c): counts one allocation that does not reach
 * sr_malloc and says whether the injected fault fires for it, so fault walks still reach
 * every allocation the program makes. */
int sr_alloc_fault(void);
/* Fail the allocation numbered `n` (1-based) and every one after it; 0 disables. Allocations
 * are counted only from the first call of this or of sr_alloc_reset_count (tests' hooks). */
void sr_alloc_fail_at(long n);
/* Number of allocations made since the counter was last reset. */
long sr_alloc_count(void);
void sr_alloc_reset_count(void);

/* Growable NUL-terminated buffer. On allocation failure `oom` is set and later appends are
 * ignored, so a writer can check once at the end. */
typedef struct sr_buf {
    char *data;
    size_t len;
    size_t cap;
    int oom;
} sr_buf;

void sr_buf_init(sr_buf *b);
void sr_buf_free(sr_buf *b);
void sr_buf_putn(sr_buf *b, const char *s, size_t n);
void sr_buf_puts(sr_buf *b, const char *s);
void sr_buf_putc(sr_buf *b, char c);
void sr_buf_printf(sr_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Takes the buffer's storage (caller frees with sr_free); the buffer is left empty. */
char *sr_buf_take(sr_buf *b);
/* sr_escape_text appended to a buffer. */
void sr_buf_put_escaped(sr_buf *b, const char *s, const char *also);

/* Reads a whole file ("-" is standard input) refusing files larger than max_bytes. The file is
 * noted as an input of the run, which sr_write_file_atomic will not replace. */
int sr_read_file(const char *path, size_t max_bytes, char **out, size_t *outlen, sr_error *err);
/* Writes data to path atomically: a temporary file in the same directory (made exclusively
 * under an unpredictable name, PATH.tmp.XXXXXX, with termination signals held until it is
 * renamed or removed), fsync, rename; an existing file keeps its mode. A device, FIFO or
 * socket (or /dev/stdout, /dev/fd/N) is written as it is; a folder, a block device and a file
 * this run has read (sr_read_file) are refused. On any failure the previous file is left as
 * it was and the temporary file is removed. */
int sr_write_file_atomic(const char *path, const char *data, size_t len, sr_error *err);
/* Delivers a command's whole output: to path atomically when path is not NULL, else to out.
 * A buffer that ran out of memory is never delivered (SR_ENOMEM). */
int sr_deliver(const sr_buf *b, const char *path, FILE *out, sr_error *err);
/* An output written piece by piece, for a command whose output is too large to hold: to
 * `out` as it comes, or to path as sr_write_file_atomic would write it (a device or FIFO as
 * it is; a regular file through a temporary file beside it that replaces path only at
 * sr_stream_close with keep, and that a termination signal removes). Stray control
 * characters are escaped as sr_deliver escapes them. One stream to a file at a time. */
typedef struct sr_stream {
    const char *path;   /* NULL: out */
    FILE *out;
    int fd;             /* -1: none */
    int own_fd;
    char *tmp;          /* the temporary file, NULL when writing in place */
    mode_t mode;
} sr_stream;

int sr_stream_open(sr_stream *s, const char *path, FILE *out, sr_error *err);
int sr_stream_write(sr_stream *s, const char *data, size_t len, sr_error *err);
/* With keep, path gets what was written; without, path is left as it was. */
int sr_stream_close(sr_stream *s, int keep, sr_error *err);

/* Forgets the inputs noted so far (a new command starts). */
void sr_inputs_forget(void);
/* Test hook: make sr_write_file_atomic fail between write and rename. */
void sr_write_fail_before_rename(int on);

/* Shows a file relative to the working directory when it lies below it, so messages and
 * traces read "rules/2002/stars.lua" rather than an absolute path. */
void sr_display_path(const char *path, char *out, size_t outlen);
/* The same for a path already resolved (realpath) and a working directory already known
 * (getcwd), so that a caller showing many files resolves their folder once. */
void sr_display_real(const char *real, const char *cwd, char *out, size_t outlen);

/* Formats a number the way the outputs show it: integers without a fraction, otherwise up to
 * 6 significant digits, always with '.' whatever the locale. */
void sr_format_number(double v, char *out, size_t outlen);

#endif
