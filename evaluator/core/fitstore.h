/*
 * fitstore.h — the outcome of a fit kept on disk between runs (module prefix fs_).
 *
 * A fit (uncert.c) evaluates every test of a rule pack under thousands of drawn variants: nine
 * tenths of a plain `rate` of one council, and most of `rate --uncertainty`. Its outcome is
 * fixed by its inputs (the pack's files, the test files and the evidence they name, the
 * seed, the number of variants wanted, the council left out, and the program evaluating
 * them), so it is kept under a key hashed from all of them (uncert.c builds the key; the
 * program is told by its build id), and a run with the same inputs takes it instead of
 * fitting again.
 *
 * What is kept is the numbers of the admitted tries, not their values: the values of try t
 * are drawn again from t and the declared ranges, so a damaged or forged file can name tries
 * but never put a value outside its declared range. A file that does not parse exactly, or
 * was kept under another key, is a miss; a miss fits again and replaces it. Nothing here is
 * ever an error of the run: a store that cannot be read or written only costs the fit.
 *
 * Where: $STARRATE_CACHE (a folder; "off" keeps nothing), else $XDG_CACHE_HOME/starrate,
 * else $HOME/.cache/starrate; folders made with mode 0700.
 */
#ifndef SR_FITSTORE_H
#define SR_FITSTORE_H

#include <stddef.h>

#define FS_MAX_ADMITTED 100000    /* = UN_MAX_VARIANTS */
#define FS_MAX_FILE (4u << 20)

typedef struct fs_fit {
    long tried;          /* tries made */
    long ncases;         /* test cases each admitted try passed */
    size_t n;            /* admitted tries */
    long *admitted;      /* their numbers, ascending, each below tried */
} fs_fit;

/* The running program's build id as hex (at most 64 digits); 0 when it has none, and then
 * nothing is kept: a fit of another build of the engine may not be this one's. */
int fs_program_id(char *out, size_t n);
/* The folder of the store; 0 when keeping is off or no folder can be named. */
int fs_dir(char *out, size_t n);
/* Parses a kept file for key (64 hex digits); 1 and f filled (free with fs_fit_free), or 0. */
int fs_parse(const char *data, size_t len, const char *key, fs_fit *f);
/* Reads the file kept for key; 1 on a hit. */
int fs_load(const char *key, fs_fit *f);
/* Keeps f under key, atomically (a temporary file renamed); failures are ignored. */
void fs_save(const char *key, const fs_fit *f);
void fs_fit_free(fs_fit *f);

#endif
