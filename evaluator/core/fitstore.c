/*
 * fitstore.c — the outcome of a fit kept on disk between runs (see fitstore.h).
 *
 * The file is text, one item a line, so that it can be read and checked by eye:
 *
 *     starrate-fit 1
 *     key <64 hex digits>
 *     tried <tries>
 *     cases <test cases>
 *     admitted <n>
 *     <try number>            (n lines, ascending)
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "fitstore.h"
#include "common.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FS_MAGIC "starrate-fit 1"

/* ---- the program's build id ------------------------------------------------------------ */

typedef struct id_search {
    char *out;
    size_t n;
    int found;
} id_search;

/* The NT_GNU_BUILD_ID note of the main program, the first object dl_iterate_phdr names. */
static int id_note(const ElfW(Nhdr) *nh, const char *end, id_search *s)
{
    const char *name = (const char *)(nh + 1);
    const unsigned char *desc = (const unsigned char *)name + ((nh->n_namesz + 3) & ~3u);
    if (nh->n_type != NT_GNU_BUILD_ID || nh->n_namesz != 4 || memcmp(name, "GNU", 4) != 0 ||
        (const char *)desc + nh->n_descsz > end || nh->n_descsz == 0 || nh->n_descsz * 2 >= s->n)
        return 0;
    for (size_t i = 0; i < nh->n_descsz; i++)
        snprintf(s->out + 2 * i, 3, "%02x", desc[i]);
    return 1;
}

static int id_phdr(struct dl_phdr_info *info, size_t size, void *ctx)
{
    (void)size;
    id_search *s = ctx;
    for (int i = 0; i < info->dlpi_phnum && !s->found; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (!s->found && p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            s->found = id_note(nh, end, s);
            p += sizeof *nh + ((nh->n_namesz + 3) & ~3u) + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 1; /* the main program only */
}

int fs_program_id(char *out, size_t n)
{
    id_search s = {out, n, 0};
    if (n == 0)
        return 0;
    out[0] = '\0';
    dl_iterate_phdr(id_phdr, &s);
    return s.found;
}

/* ---- where ------------------------------------------------------------------------------ */

static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            int rc = mkdir(path, 0700);
            *p = '/';
            if (rc != 0 && errno != EEXIST)
                return 0;
        }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

int fs_dir(char *out, size_t n)
{
    const char *env = getenv("STARRATE_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int w;
    if (env && strcmp(env, "off") == 0)
        return 0;
    if (env && *env)
        w = snprintf(out, n, "%s", env);
    else if (xdg && xdg[0] == '/') /* the XDG rule: a relative value is to be ignored */
        w = snprintf(out, n, "%s/starrate", xdg);
    else if (home && home[0] == '/')
        w = snprintf(out, n, "%s/.cache/starrate", home);
    else
        return 0;
    return w > 0 && (size_t)w < n;
}

static int file_for(const char *key, char *out, size_t n)
{
    char dir[4096];
    if (!fs_dir(dir, sizeof dir))
        return 0;
    int w = snprintf(out, n, "%s/fit-%s", dir, key);
    return w > 0 && (size_t)w < n;
}

/* ---- the file ----------------------------------------------------------------------------- */

void fs_fit_free(fs_fit *f)
{
    sr_free(f->admitted);
    memset(f, 0, sizeof *f);
}

/* The next line of data at *pos, without its newline; 0 at the end or on a line with no
 * newline (a file cut short). */
static int next_line(const char *data, size_t len, size_t *pos, char *line, size_t n)
{
    const char *nl = *pos < len ? memchr(data + *pos, '\n', len - *pos) : NULL;
    if (!nl)
        return 0;
    size_t k = (size_t)(nl - (data + *pos));
    if (k >= n)
        return 0;
    memcpy(line, data + *pos, k);
    line[k] = '\0';
    *pos += k + 1;
    return 1;
}

/* "<word> <whole number>" with the number in [lo, hi], nothing around it. */
static int word_number(const char *line, const char *word, long lo, long hi, long *v)
{
    size_t k = strlen(word);
    if (strncmp(line, word, k) != 0 || line[k] != ' ')
        return 0;
    const char *s = line + k + 1;
    if (*s < '0' || *s > '9')
        return 0;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || *end || x < lo || x > hi)
        return 0;
    *v = x;
    return 1;
}

static int parse_head(const char *data, size_t len, size_t *pos, const char *key, fs_fit *f,
                      long *n)
{
    char line[128];
    char want_key[80];
    snprintf(want_key, sizeof want_key, "key %s", key);
    return next_line(data, len, pos, line, sizeof line) && strcmp(line, FS_MAGIC) == 0 &&
           next_line(data, len, pos, line, sizeof line) && strcmp(line, want_key) == 0 &&
           next_line(data, len, pos, line, sizeof line) &&
           word_number(line, "tried", 1, (long)FS_MAX_ADMITTED * 1000, &f->tried) &&
           next_line(data, len, pos, line, sizeof line) &&
           word_number(line, "cases", 0, 1000000, &f->ncases) &&
           next_line(data, len, pos, line, sizeof line) &&
           word_number(line, "admitted", 1, FS_MAX_ADMITTED, n) && *n <= f->tried;
}

int fs_parse(const char *data, size_t len, const char *key, fs_fit *f)
{
    memset(f, 0, sizeof *f);
    size_t pos = 0;
    long n = 0;
    if (strlen(key) != 64 || !parse_head(data, len, &pos, key, f, &n))
        return 0;
    if (!(f->admitted = sr_calloc((size_t)n, sizeof *f->admitted)))
        return 0;
    char line[32];
    for (long i = 0; i < n; i++) {
        /* a try number is a line of digits alone, above the one before and below tried */
        char *end = line;
        long t = -1;
        errno = 0;
        if (next_line(data, len, &pos, line, sizeof line) && line[0] >= '0' && line[0] <= '9')
            t = strtol(line, &end, 10);
        if (t < 0 || errno || *end || t >= f->tried || (i > 0 && t <= f->admitted[i - 1])) {
            fs_fit_free(f);
            return 0;
        }
        f->admitted[f->n++] = t;
    }
    if (pos != len) { /* anything after the last try: not a file this program wrote */
        fs_fit_free(f);
        return 0;
    }
    return 1;
}

int fs_load(const char *key, fs_fit *f)
{
    memset(f, 0, sizeof *f);
    char path[4200];
    if (!file_for(key, path, sizeof path))
        return 0;
    /* Not sr_read_file: that would note the file as an input of the run, which
     * sr_write_file_atomic then refuses to replace when it turns out damaged. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    struct stat st;
    char *data = NULL;
    int hit = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size <= FS_MAX_FILE && (data = sr_malloc((size_t)st.st_size))) {
        size_t got = 0;
        ssize_t r = 1;
        while (got < (size_t)st.st_size && (r = read(fd, data + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)r;
        hit = got == (size_t)st.st_size && fs_parse(data, got, key, f);
    }
    sr_free(data);
    close(fd);
    return hit;
}

void fs_save(const char *key, const fs_fit *f)
{
    char path[4200], dir[4096];
    if (!fs_dir(dir, sizeof dir) || !file_for(key, path, sizeof path) || !make_dirs(dir))
        return;
    sr_buf b;
    sr_buf_init(&b);
    sr_buf_printf(&b, "%s\nkey %s\ntried %ld\ncases %ld\nadmitted %zu\n", FS_MAGIC, key, f->tried,
                  f->ncases, f->n);
    for (size_t i = 0; i < f->n; i++)
        sr_buf_printf(&b, "%ld\n", f->admitted[i]);
    sr_error ignored;
    sr_error_clear(&ignored);
    if (!b.oom)
        sr_write_file_atomic(path, b.data, b.len, &ignored);
    sr_buf_free(&b);
}
