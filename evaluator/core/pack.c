/*
 * pack.c — loading, converting and checking rule packs.
 *
 * Loading has two stages. First every file runs in the sandbox; the declaration functions of
 * the API only record their argument table (with the file and line of the call) in a list in
 * the registry. Then C converts that list into the rp_* structures, checking each field with
 * an error positioned at the declaration. Keeping the two apart means a rule author's typo is
 * reported once, at its own line, and that C never reads Lua tables while rules run.
 *
 * A pack that `extends` another loads the base first; a declaration whose id a base already
 * declared replaces it in place (star rows keep their order), while two declarations with the
 * same id in one pack are an error.
 */
#include "pack.h"
#include "hash.h"

#include <lauxlib.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EXTENDS 8
#define MAX_PACK_FILE (1024 * 1024)
/* Declarations in one pack with the packs it extends (the real ones have a few hundred):
 * checking them for duplicates and converting them are quadratic in the worst case, so a
 * loop of 100,000 declarations must end as an error, not after a minute. */
#define MAX_DECLARATIONS 10000

/* The declaration functions of the API and the fields each one's table may hold, in one
 * place: a field not listed here is an error at the declaration's file and line, so a typo
 * (`abvoe = 20`) cannot pass as a declaration without it. docs/rules.md lists the same. */
#define PROV_FIELDS "source", "reconstructed"
static const char *const pack_fields[] = {
    "name", "version", "round", "title", "extends", "files", NULL,
};
static const char *const service_fields[] = {
    "id", "name", "title", "headings", "id_prefix", PROV_FIELDS, NULL,
};
static const char *const scale_fields[] = {"id", "name", "words", PROV_FIELDS, NULL};
static const char *const rating_fields[] = {"min", "max", "unit", PROV_FIELDS, NULL};
static const char *const standard_fields[] = {
    "number", "name", "informs", "domain", "criteria", PROV_FIELDS, NULL,
};
static const char *const indicator_fields[] = {
    "code", "name", "service", "standard", "polarity", "unit", "bands", "plausible", "phrases",
    PROV_FIELDS, NULL,
};
static const char *const requirement_fields[] = {"id", "text", "services", PROV_FIELDS, NULL};
static const char *const cap_fields[] = {
    "id", "service", "judgement", "to", "sentence", "indicator", "above", "below",
    "requirement", PROV_FIELDS, NULL,
};
static const char *const star_rule_fields[] = {"id", "stars", "sentence", "when", PROV_FIELDS, NULL};
static const char *const rule_fields[] = {"id", "layer", "sentence", "fn", PROV_FIELDS, NULL};
/* retire names exactly one of the kinds it can remove (retire_kinds) */
static const char *const retire_fields[] = {
    "indicator", "cap", "requirement", "service", "star_rule", PROV_FIELDS, NULL,
};
/* a reconstructed number (uncert.h) and how an evidence file's unknowns are drawn */
static const char *const param_fields[] = {
    "id", "value", "lo", "hi", "dist", "each", PROV_FIELDS, NULL,
};
static const char *const gaps_fields[] = {"bands", "requirement_met", PROV_FIELDS, NULL};
/* how the round's review letters are laid out (import.h); the lists are rp_letter_list's */
static const char *const letter_fields[] = {
    "annex_heading", "improvement_headings", "area_headings", "capacity_headings",
    "sub_headings", "sub_heading_words", "improvement_heading_max", "capacity_heading_max",
    "annex_end", "annex_labels", "comparison_words", PROV_FIELDS, NULL,
};
static const char *const word_fields[] = {"id", "text", NULL};
static const char *const band_fields[] = {"band", "min", "max", NULL};
static const char *const phrase_fields[] = {"words", "near", NULL};

/* A field holding a list of tables, and the fields each of those tables may hold. */
typedef struct decl_list {
    const char *field;
    const char *const *item_fields;
} decl_list;

typedef struct decl_kind {
    const char *kind;
    const char *const *fields;
    decl_list lists[2];  /* unused entries have a NULL field */
} decl_kind;

static const decl_kind decl_kinds[] = {
    {"pack", pack_fields, {{NULL, NULL}}},
    {"service", service_fields, {{NULL, NULL}}},
    {"scale", scale_fields, {{"words", word_fields}}},
    {"rating", rating_fields, {{NULL, NULL}}},
    {"standard", standard_fields, {{NULL, NULL}}},
    {"indicator", indicator_fields, {{"bands", band_fields}, {"phrases", phrase_fields}}},
    {"requirement", requirement_fields, {{NULL, NULL}}},
    {"cap", cap_fields, {{NULL, NULL}}},
    {"star_rule", star_rule_fields, {{NULL, NULL}}},
    {"rule", rule_fields, {{NULL, NULL}}},
    {"retire", retire_fields, {{NULL, NULL}}},
    {"param", param_fields, {{NULL, NULL}}},
    {"gaps", gaps_fields, {{NULL, NULL}}},
    {"letter", letter_fields, {{NULL, NULL}}},
    {NULL, NULL, {{NULL, NULL}}},
};

/* The kinds a `retire` can remove (rp_retire_kind), in the order of its fields. */
const char *const rp_retire_words[RP_RETIRE_NKINDS + 1] = {
    "indicator", "cap", "requirement", "service", "star_rule", NULL,
};

/* Where a declaration was made, for its errors. file and kind point at strings C stamped into
 * the declaration table (stamp_position, api_declare), or at static text: the pack's list of
 * declarations keeps them alive while loading and nothing changes them. A copy made each
 * declaration 4 KB (PATH_MAX) of fresh memory, a page fault apiece at every start. */
typedef struct decl_pos {
    const char *file;
    int line;
    const char *kind;
    int index; /* position in the pack's list of declarations */
} decl_pos;

typedef struct loader {
    rp_pack *p;
    hs_sha256 *hash;
    int decls_ref;     /* registry: list of declaration tables in load order */
    int manifests_ref; /* registry: the manifest of each pack being loaded, by depth */
    int depth;         /* 1 for the pack asked for, 2 for the one it extends, ... */
    const char *current_pack; /* folder name of the pack whose files are running */
    /* For showing the rule files (show_pack_file): the working directory, read once a load,
     * and the real path of the folder a file was last shown from. realpath costs a readlink
     * per component of the path: resolving each file on its own was some seventy system
     * calls a load. Freed when the files have run (loader_forget_paths). */
    char *cwd;         /* NULL: unknown (cwd_read says whether it was asked for) */
    int cwd_read;
    char *view_dir;    /* the folder as given... */
    char *view_real;   /* ...and its real path (from realpath: free, not sr_free), or NULL */
} loader;

/* Every field name C reads from declarations. They are interned once, in protected mode, and
 * kept alive, so that reading a field later (outside protected mode) never allocates and so
 * can never raise a memory error. */
static const char *const field_names[] = {
    "_file", "_line", "_kind", "_pack", "id", "name", "title", "source", "reconstructed",
    "words", "text", "min", "max", "unit", "number", "informs", "criteria", "code", "service",
    "standard", "polarity", "bands", "band", "services", "judgement", "to", "indicator",
    "requirement", "above", "below", "sentence", "stars", "when", "layer", "fn", "round",
    "version", "extends", "files", "domain", "cap", "star_rule", "plausible", "value", "lo",
    "hi", "dist", "each", "requirement_met", "headings", "id_prefix", "phrases", "words",
    "near", "annex_heading", "improvement_headings", "area_headings", "capacity_headings",
    "sub_headings", "sub_heading_words", "capacity", "concern", "development", "improvement",
    "improvement_heading_max", "capacity_heading_max", "annex_end", "annex_labels",
    "comparison_words", NULL,
};

/* Pushes t[key] for the table at idx without metamethods: a rule file cannot make reading its
 * declarations run code. The key is one of field_names, so this does not allocate. */
static int rawfield(lua_State *L, int idx, const char *key)
{
    idx = lua_absindex(L, idx);
    lua_pushstring(L, key);
    return lua_rawget(L, idx);
}

/* ---- paths ---------------------------------------------------------------------------- */

/* A new string printed to; NULL when out of memory. Paths on the way to running the rule
 * files are made this way rather than in PATH_MAX arrays: those arrays made the stack of a
 * load some 75 KB deep, every 4 KB of it a page fault. */
static char *path_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *path_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = n < 0 ? NULL : sr_malloc((size_t)n + 1);
    if (out) {
        va_start(ap, fmt);
        vsnprintf(out, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return out;
}

static int is_pack_dir(const char *path)
{
    char probe[PATH_MAX + 16];
    if (strlen(path) >= PATH_MAX)
        return 0;
    snprintf(probe, sizeof probe, "%.4000s/pack.lua", path);
    return access(probe, R_OK) == 0;
}

/* The rules folder beside the program, found once a process: the program does not move while
 * it runs, and finding it costs a readlink and a realpath of up to three folders. */
static char beside_exe[PATH_MAX + 32];
static pthread_once_t beside_once = PTHREAD_ONCE_INIT;
static void find_beside_exe(void);

int rp_rules_root(char *out, size_t outlen)
{
    const char *env = getenv("STARRATE_RULES");
    if (env && *env) {
        snprintf(out, outlen, "%s", env);
        return SR_OK;
    }
    pthread_once(&beside_once, find_beside_exe);
    snprintf(out, outlen, "%s", beside_exe);
    return SR_OK;
}

/* The strings are allocated rather than PATH_MAX arrays (16 KB of stack, reached below the
 * frames of a whole council: page faults). Out of memory, the rules folder is the fallback. */
static void find_beside_exe(void)
{
    char *out = beside_exe;
    size_t outlen = sizeof beside_exe;
    char *exe = sr_malloc(PATH_MAX), *first = NULL;
    ssize_t n = exe ? readlink("/proc/self/exe", exe, PATH_MAX - 1) : -1;
    /* Never the working directory: without a rules folder beside the executable, the
     * first place it would be (which then holds no pack). */
    const char *fallback = "rules";
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        /* build/<flavour>/starrate in the tree; <prefix>/bin/starrate when installed */
        static const char *const rel[] = {"/../share/starrate/rules", "/../rules", "/../../rules"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char *cand = path_printf("%s%s", exe, rel[i]);
            /* cut where the array of PATH_MAX + 32 it once was cut it */
            if (cand && strlen(cand) > PATH_MAX + 31)
                cand[PATH_MAX + 31] = '\0';
            /* access first: a candidate that is not there fails it in one system call, where
             * realpath reads every component of the path before it fails */
            char *real = cand && access(cand, R_OK) == 0 ? realpath(cand, NULL) : NULL;
            int found = real && strlen(real) < PATH_MAX && access(real, R_OK) == 0;
            if (found)
                snprintf(out, outlen, "%s", real);
            free(real); /* realpath's, from malloc */
            if (found) {
                sr_free(cand);
                sr_free(first);
                sr_free(exe);
                return;
            }
            if (i == 0 && cand) {
                first = cand;
                fallback = first;
            } else {
                sr_free(cand);
            }
        }
    }
    snprintf(out, outlen, "%s", fallback);
    sr_free(first);
    sr_free(exe);
}

/* A round ("2003"): digits only. */
static int is_round_name(const char *name)
{
    if (!*name)
        return 0;
    for (const char *c = name; *c; c++)
        if (*c < '0' || *c > '9')
            return 0;
    return 1;
}

int rp_resolve(const char *name, char *out, size_t outlen, sr_error *err)
{
    /* A round is always the installed pack: a folder "2003" that happens to be in the
     * working directory must not replace it (name it ./2003 to use it). */
    if (!is_round_name(name) && is_pack_dir(name)) {
        snprintf(out, outlen, "%s", name);
        return SR_OK;
    }
    /* the rules root beside the output, not in an array of its own: a smaller frame */
    size_t used = 0;
    if (outlen) {
        rp_rules_root(out, outlen);
        used = strlen(out);
        snprintf(out + used, outlen - used, "/%s", name);
    }
    if (!is_pack_dir(out))
        return sr_fail(err, SR_ERULES, name, 0, 0,
                       "no rule pack '%s' (looked for %s/pack.lua)", name, out);
    return SR_OK;
}

int rp_rounds(int *rounds, int max)
{
    char root[PATH_MAX];
    rp_rules_root(root, sizeof root);
    int n = 0;
    /* Rounds are years: probing a generous range needs no directory listing and gives the
     * rounds in order, whatever the file system's order. */
    for (int year = 1990; year <= 2099 && n < max; year++) {
        char cand[PATH_MAX + 16];
        snprintf(cand, sizeof cand, "%.4000s/%d", root, year);
        if (is_pack_dir(cand))
            rounds[n++] = year;
    }
    return n;
}

int rp_round_dir(int round, char *out, size_t outlen)
{
    char root[PATH_MAX];
    rp_rules_root(root, sizeof root);
    return snprintf(out, outlen, "%.4000s/%d", root, round) < (int)outlen ? SR_OK : SR_ELIMIT;
}

int rp_latest(char *out, size_t outlen, sr_error *err)
{
    int rounds[110];
    int n = rp_rounds(rounds, 110);
    if (n == 0) {
        char root[PATH_MAX];
        rp_rules_root(root, sizeof root);
        return sr_fail(err, SR_ERULES, root, 0, 0, "no rule pack found in %s", root);
    }
    rp_round_dir(rounds[n - 1], out, outlen);
    return SR_OK;
}

/* ---- the declaration API -------------------------------------------------------------- */

/* Records the caller's file and line and the pack into the declaration table. */
static void stamp_position(lua_State *L, loader *ld)
{
    lua_Debug ar;
    const char *src = "?";
    int line = 0;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
        src = ar.source[0] == '@' ? ar.source + 1 : ar.short_src;
        line = ar.currentline;
    }
    lua_pushstring(L, src);
    lua_setfield(L, 1, "_file");
    lua_pushinteger(L, line);
    lua_setfield(L, 1, "_line");
    lua_pushstring(L, ld->current_pack ? ld->current_pack : "");
    lua_setfield(L, 1, "_pack");
}

static int api_declare(lua_State *L)
{
    loader *ld = lua_touserdata(L, lua_upvalueindex(1));
    const char *kind = lua_tostring(L, lua_upvalueindex(2));
    if (lua_gettop(L) != 1 || !lua_istable(L, 1))
        return luaL_error(L, "%s expects one table, as in %s { ... }", kind, kind);
    /* The argument is a fresh constructor table owned by the declaration: copy it so that a
     * rule file keeping a reference cannot change it after loading. */
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, 2);
    }
    lua_replace(L, 1);
    lua_settop(L, 1);
    stamp_position(L, ld);
    lua_pushstring(L, kind);
    lua_setfield(L, 1, "_kind");
    if (strcmp(kind, "pack") == 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, ld->manifests_ref);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, ld->depth);
        return 0;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ld->decls_ref);
    if (lua_rawlen(L, -1) >= MAX_DECLARATIONS)
        return luaL_error(L, "more than %d declarations in one pack", MAX_DECLARATIONS);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    return 0;
}

/* at_least(word, minimum): whether word is at least minimum on the scale holding both. */
static int api_at_least(lua_State *L)
{
    loader *ld = lua_touserdata(L, lua_upvalueindex(1));
    const char *w = luaL_checkstring(L, 1);
    const char *min = luaL_checkstring(L, 2);
    const rp_scale *scales[] = {&ld->p->serving, &ld->p->capacity, &ld->p->grade};
    for (size_t i = 0; i < 3; i++) {
        int a = rp_word_index(scales[i], w), b = rp_word_index(scales[i], min);
        if (a >= 0 && b >= 0) {
            lua_pushboolean(L, a >= b);
            return 1;
        }
    }
    return luaL_error(L, "at_least: '%s' and '%s' are not words of one scale", w, min);
}

/* rank(word): position of a judgement or grade word on its scale, 1 = worst. */
static int api_rank(lua_State *L)
{
    loader *ld = lua_touserdata(L, lua_upvalueindex(1));
    const char *w = luaL_checkstring(L, 1);
    const rp_scale *scales[] = {&ld->p->serving, &ld->p->capacity, &ld->p->grade};
    for (size_t i = 0; i < 3; i++) {
        int a = rp_word_index(scales[i], w);
        if (a >= 0) {
            lua_pushinteger(L, a + 1);
            return 1;
        }
    }
    return luaL_error(L, "rank: '%s' is not a word of any scale", w);
}

static int params_missing(lua_State *L)
{
    return luaL_error(L, "undefined parameter '%s' (declare it with param { id = ... })",
                      lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

static int params_readonly(lua_State *L)
{
    return luaL_error(L, "parameters are read-only");
}

/* Pushes `params`, the rules' read-only view of the parameters' values: an empty table whose
 * reads go to a table only C writes (rp_params_set), so a variant changes what the rules read
 * without reloading them. A name not declared raises; so does reading one while the files
 * load, before any value is set: a rule reads its parameters when it runs, never once. */
static void push_params(lua_State *L, loader *ld)
{
    lua_newtable(L);                      /* the values */
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, params_missing);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    ld->p->params_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);                      /* the view */
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, params_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "parameters");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

/* Pushes the API table; the loader lives as long as the pack, so the rules can call
 * at_least and rank at evaluation time. */
static void push_api(lua_State *L, loader *ld)
{
    lua_newtable(L);
    for (size_t i = 0; decl_kinds[i].kind; i++) {
        lua_pushlightuserdata(L, ld);
        lua_pushstring(L, decl_kinds[i].kind);
        lua_pushcclosure(L, api_declare, 2);
        lua_setfield(L, -2, decl_kinds[i].kind);
    }
    lua_pushlightuserdata(L, ld);
    lua_pushcclosure(L, api_at_least, 1);
    lua_setfield(L, -2, "at_least");
    lua_pushlightuserdata(L, ld);
    lua_pushcclosure(L, api_rank, 1);
    lua_setfield(L, -2, "rank");
    push_params(L, ld);
    lua_setfield(L, -2, "params");
}

/* ---- running files -------------------------------------------------------------------- */

/* A symbolic link must stay inside its pack's folder (see check_pack_file). */
static int check_pack_link(const char *path, const char *shown, sr_error *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? sr_strndup(path, (size_t)(slash - path)) : sr_strdup(".");
    if (!dir)
        return sr_oom(err);
    char *realdir = realpath(dir, NULL), *real = realdir ? realpath(path, NULL) : NULL;
    size_t n = realdir ? strlen(realdir) : 0;
    int inside = n && real && strncmp(real, realdir, n) == 0 && real[n] == '/';
    sr_free(dir);
    free(realdir); /* realpath's, from malloc */
    free(real);
    return inside ? SR_OK
                  : sr_fail(err, SR_ERULES, shown, 0, 0,
                            "a symbolic link that leads out of the pack's folder");
}

/* A rule file must be a regular file, and a symbolic link must stay inside its pack's folder:
 * a FIFO would block the load, and a link to a secret would have its first line quoted by the
 * syntax error. Checked before the file is opened; a missing file is left to sr_read_file.
 * lst is the file's lstat, NULL when it failed. */
static int check_pack_file(const char *path, const struct stat *lst, const char *shown,
                           sr_error *err)
{
    if (!lst)
        return SR_OK;
    struct stat st = *lst;
    if (S_ISLNK(st.st_mode)) {
        int rc = check_pack_link(path, shown, err);
        if (rc != SR_OK)
            return rc;
        if (stat(path, &st) != 0)
            return SR_OK;
    }
    if (!S_ISREG(st.st_mode))
        return sr_fail(err, SR_ERULES, shown, 0, 0, "not a regular file");
    return SR_OK;
}

/* The real path of the folder the file at path is in (its first dirlen bytes), kept for the
 * next file of the same folder; NULL when it has none, or when memory ran short (the caller
 * then resolves the file on its own). */
static const char *folder_real(loader *ld, const char *path, size_t dirlen)
{
    if (ld->view_dir && strlen(ld->view_dir) == dirlen && strncmp(ld->view_dir, path, dirlen) == 0)
        return ld->view_real;
    sr_free(ld->view_dir);
    free(ld->view_real);
    ld->view_real = NULL;
    if ((ld->view_dir = sr_strndup(path, dirlen)))
        ld->view_real = realpath(ld->view_dir, NULL);
    return ld->view_real;
}

static const char *working_dir(loader *ld)
{
    if (!ld->cwd_read) {
        ld->cwd_read = 1;
        ld->cwd = sr_malloc(PATH_MAX);
        if (ld->cwd && !getcwd(ld->cwd, PATH_MAX)) {
            sr_free(ld->cwd);
            ld->cwd = NULL;
        }
    }
    return ld->cwd;
}

static void loader_forget_paths(loader *ld)
{
    sr_free(ld->cwd);
    sr_free(ld->view_dir);
    free(ld->view_real);
    ld->cwd = ld->view_dir = ld->view_real = NULL;
    ld->cwd_read = 0;
}

/* How errors show a rule file: as sr_display_path shows it, except that a link is named as
 * itself (its folder, then its own name), not as what it leads to. lst is the file's lstat,
 * NULL when it failed. A file that is not a link is its folder's real path and its own name,
 * which is what realpath would give: the folder is resolved once for all its files. */
static int show_pack_file(loader *ld, const char *path, const struct stat *lst, char *out,
                          size_t outlen, sr_error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || !lst) {
        sr_display_path(path, out, outlen);
        return SR_OK;
    }
    if (!S_ISLNK(lst->st_mode)) {
        const char *real = slash != path ? folder_real(ld, path, (size_t)(slash - path)) : NULL;
        const char *cwd = real ? working_dir(ld) : NULL;
        char *file = cwd ? path_printf("%s%s", strcmp(real, "/") == 0 ? "" : real, slash) : NULL;
        if (file)
            sr_display_real(file, cwd, out, outlen);
        else
            sr_display_path(path, out, outlen);
        sr_free(file);
        return SR_OK;
    }
    char *dir = sr_strndup(path, slash == path ? 1 : (size_t)(slash - path));
    char *shown = sr_malloc(PATH_MAX);
    if (dir && shown) {
        sr_display_path(dir, shown, PATH_MAX);
        snprintf(out, outlen, "%s%s", strcmp(shown, "/") == 0 ? "" : shown, slash);
    }
    sr_free(dir);
    sr_free(shown);
    return dir && shown ? SR_OK : sr_oom(err);
}

/* The pack hash covers each file's name within its pack ("2002/stars.lua", with its NUL) and
 * content, in load order: where the rules folder lies, or where starrate runs from, must not
 * change it. */
static int hash_pack_file(loader *ld, const char *path, const char *src, size_t len,
                          sr_error *err)
{
    const char *pack = ld->current_pack ? ld->current_pack : "";
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int rc = hs_update(ld->hash, pack, strlen(pack), err);
    if (rc == SR_OK) rc = hs_update(ld->hash, "/", 1, err);
    if (rc == SR_OK) rc = hs_update(ld->hash, name, strlen(name) + 1, err);
    if (rc == SR_OK) rc = hs_update(ld->hash, src, len, err);
    return rc;
}

static int run_pack_file(loader *ld, int api_idx, const char *path, sr_error *err)
{
    struct stat st;
    const struct stat *lst = lstat(path, &st) == 0 ? &st : NULL;
    char *shown = sr_malloc(PATH_MAX);
    if (!shown)
        return sr_oom(err);
    char *src = NULL;
    size_t len = 0;
    int rc = show_pack_file(ld, path, lst, shown, PATH_MAX, err);
    if (rc == SR_OK)
        rc = check_pack_file(path, lst, shown, err);
    if (rc == SR_OK && (rc = sr_read_file(path, MAX_PACK_FILE, &src, &len, err)) != SR_OK) {
        snprintf(err->file, sizeof err->file, "%.500s", shown);
        rc = rc == SR_EIO || rc == SR_ELIMIT ? SR_ERULES : rc;
    }
    if (rc == SR_OK)
        rc = hash_pack_file(ld, path, src, len, err);
    char **files = rc == SR_OK ? sr_realloc(ld->p->files, (ld->p->nfiles + 1) * sizeof *files)
                               : NULL;
    if (rc == SR_OK && !files)
        rc = sr_oom(err);
    if (rc == SR_OK) {
        ld->p->files = files;
        files[ld->p->nfiles] = sr_strdup(shown);
        if (!files[ld->p->nfiles])
            rc = sr_oom(err);
        else
            ld->p->nfiles++;
    }
    if (rc == SR_OK) {
        lua_State *L = lh_state(ld->p->host);
        if ((rc = lh_push_env(ld->p->host, api_idx, err)) == SR_OK) {
            int env = lua_gettop(L);
            lh_budget_reset(ld->p->host);
            rc = lh_run_chunk(ld->p->host, shown, src, len, env, err);
            if (rc == SR_OK)
                lh_seal_env(ld->p->host, env);
            lua_settop(L, env - 1);
        }
    }
    sr_free(src);
    sr_free(shown);
    return rc;
}

static int field_string(lua_State *L, int idx, const char *key, char **out);
static void read_pos(lua_State *L, int idx, decl_pos *pos);
static int check_fields(lua_State *L, int idx, const decl_pos *pos, sr_error *err);

/* Pushes the manifest recorded by the pack.lua at the current depth (false when none). */
static void push_manifest(lua_State *L, loader *ld)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ld->manifests_ref);
    lua_rawgeti(L, -1, ld->depth);
    lua_remove(L, -2);
}

/* Reads the manifest table recorded by `pack { ... }` in pack.lua. */
static int read_manifest(loader *ld, const char *dir, char **extends, sr_error *err)
{
    lua_State *L = lh_state(ld->p->host);
    push_manifest(L, ld);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return sr_fail(err, SR_ERULES, dir, 0, 0, "pack.lua does not call pack { ... }");
    }
    *extends = NULL;
    decl_pos pos;
    read_pos(L, -1, &pos);
    int rc = check_fields(L, lua_gettop(L), &pos, err);
    if (rc == SR_OK && field_string(L, -1, "extends", extends) == SR_ENOMEM)
        rc = sr_oom(err);
    lua_pop(L, 1);
    return rc;
}

static int load_folder(loader *ld, int api_idx, const char *dir, int depth, sr_error *err);

/* Copies the manifest's file list into C first: running the files must not depend on the
 * manifest table staying where it was. */
static int manifest_files(lua_State *L, loader *ld, const char *dir, char ***out, size_t *n,
                          sr_error *err)
{
    push_manifest(L, ld);
    rawfield(L, -1, "files");
    int rc = SR_OK;
    *out = NULL;
    *n = 0;
    if (!lua_istable(L, -1)) {
        lua_pop(L, 2);
        return sr_fail(err, SR_ERULES, dir, 0, 0, "pack { ... } needs a list 'files'");
    }
    size_t len = lua_rawlen(L, -1);
    if (!(*out = sr_calloc(len ? len : 1, sizeof **out)))
        rc = sr_oom(err);
    for (size_t i = 0; rc == SR_OK && i < len; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        const char *f = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!f || !*f || strchr(f, '/') || f[0] == '.')
            rc = sr_fail(err, SR_ERULES, dir, 0, 0,
                         "files[%zu] must name a file in the pack's folder", i + 1);
        else if (!((*out)[i] = sr_malloc(strlen(dir) + strlen(f) + 2)))
            rc = sr_oom(err);
        else {
            sprintf((*out)[i], "%s/%s", dir, f);
            *n = i + 1;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return rc;
}

static int load_files(loader *ld, int api_idx, const char *dir, sr_error *err)
{
    char **files;
    size_t n;
    int rc = manifest_files(lh_state(ld->p->host), ld, dir, &files, &n, err);
    for (size_t i = 0; rc == SR_OK && i < n; i++)
        rc = run_pack_file(ld, api_idx, files[i], err);
    sr_free_strings(files, n);
    return rc;
}

static int load_folder(loader *ld, int api_idx, const char *dir, int depth, sr_error *err)
{
    if (depth > MAX_EXTENDS)
        return sr_fail(err, SR_ERULES, dir, 0, 0, "packs extend each other more than %d deep",
                       MAX_EXTENDS);
    char *path = path_printf("%.4000s/pack.lua", dir);
    if (!path)
        return sr_oom(err);
    const char *slash = strrchr(dir, '/');
    const char *prev_pack = ld->current_pack;
    ld->current_pack = slash ? slash + 1 : dir;
    ld->depth = depth + 1;
    int rc = run_pack_file(ld, api_idx, path, err);
    char *extends = NULL;
    if (rc == SR_OK)
        rc = read_manifest(ld, path, &extends, err);
    if (rc == SR_OK && extends) {
        char *base = path_printf("%.*s/%s", slash ? (int)(slash - dir) : 1, slash ? dir : ".",
                                 extends);
        /* cut where the array of PATH_MAX + 16 it once was cut it: the message is the same */
        if (base && strlen(base) > PATH_MAX + 15)
            base[PATH_MAX + 15] = '\0';
        if (!base)
            rc = sr_oom(err);
        else if (strchr(extends, '/') || !is_pack_dir(base))
            rc = sr_fail(err, SR_ERULES, path, 0, 0, "extends '%s': no pack at %s", extends, base);
        else
            rc = load_folder(ld, api_idx, base, depth + 1, err);
        sr_free(base);
        ld->current_pack = slash ? slash + 1 : dir;
        ld->depth = depth + 1;
    }
    sr_free(extends);
    sr_free(path);
    if (rc == SR_OK)
        rc = load_files(ld, api_idx, dir, err);
    ld->current_pack = prev_pack;
    return rc;
}

/* ---- converting declarations ---------------------------------------------------------- */

/* Field helpers work on the declaration table at idx. They return SR_OK, 1 when the field is
 * absent or of another type (the caller decides whether that is an error), or SR_ENOMEM. */
static int field_string(lua_State *L, int idx, const char *key, char **out)
{
    int t = rawfield(L, idx, key);
    int rc = 1;
    if (t == LUA_TSTRING) {
        *out = sr_strdup(lua_tostring(L, -1));
        rc = *out ? SR_OK : SR_ENOMEM;
    }
    lua_pop(L, 1);
    return rc;
}

static int field_number(lua_State *L, int idx, const char *key, double *out)
{
    int t = rawfield(L, idx, key);
    int rc = 1;
    if (t == LUA_TNUMBER) {
        *out = lua_tonumber(L, -1);
        rc = SR_OK;
    }
    lua_pop(L, 1);
    return rc;
}


/* The strings stay in the table at idx after the pops (see decl_pos). Only a string is read:
 * lua_tostring would convert a number in place, which allocates. */
static void read_pos(lua_State *L, int idx, decl_pos *pos)
{
    idx = lua_absindex(L, idx);
    pos->file = rawfield(L, idx, "_file") == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    rawfield(L, idx, "_line");
    pos->line = (int)lua_tointeger(L, -1);
    pos->kind = rawfield(L, idx, "_kind") == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    pos->index = 0;
    lua_pop(L, 3);
}

/* ---- fields --------------------------------------------------------------------------- */

/* What C stamps on every declaration (stamp_position, api_declare). */
static const char *const stamp_fields[] = {"_file", "_line", "_kind", "_pack", NULL};

static const decl_kind *kind_of(const char *kind)
{
    for (size_t i = 0; decl_kinds[i].kind; i++)
        if (strcmp(decl_kinds[i].kind, kind) == 0)
            return &decl_kinds[i];
    return NULL;
}

static int listed(const char *const *names, const char *name)
{
    /* the first byte first: every key of every declaration comes through here */
    for (size_t i = 0; names[i]; i++)
        if (names[i][0] == name[0] && strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* "id, name, title, source, reconstructed" */
static void join_names(const char *const *names, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; names[i] && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

/* Checks that every key of the table at idx is one of `fields` (or, when `stamped`, one of
 * the stamps C adds). Keys are read with lua_next and never converted, so this does not
 * allocate outside protected mode. The table is `what`, or with `list` item `item` of that
 * list in the `what`: the words are put together only for an error, not for every item. */
static int check_table_fields(lua_State *L, int idx, const decl_pos *pos, const char *what,
                              const char *list, size_t item, const char *const *fields,
                              int stamped, sr_error *err)
{
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        int t = lua_type(L, -1);
        const char *name = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (name && (listed(fields, name) || (stamped && listed(stamp_fields, name))))
            continue;
        char shown[96], names[512], in[96];
        if (list) {
            snprintf(in, sizeof in, "%s[%zu] of the %s", list, item, what);
            what = in;
        }
        if (name)
            snprintf(shown, sizeof shown, "'%.60s'", name);
        else if (t == LUA_TNUMBER)
            snprintf(shown, sizeof shown, "[%g] (a value without a name)", lua_tonumber(L, -1));
        else
            snprintf(shown, sizeof shown, "of type %s", lua_typename(L, t));
        lua_pop(L, 1);
        join_names(fields, names, sizeof names);
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "unknown field %s in %s (expected one of: %s)", shown, what, names);
    }
    return SR_OK;
}

/* The fields of each table in a declaration's list (a scale's words, an indicator's bands). */
static int check_item_fields(lua_State *L, int idx, const decl_pos *pos, const decl_kind *k,
                             const decl_list *list, sr_error *err)
{
    int rc = SR_OK;
    if (rawfield(L, idx, list->field) == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
            if (lua_rawgeti(L, -1, (lua_Integer)i + 1) == LUA_TTABLE)
                rc = check_table_fields(L, -1, pos, k->kind, list->field, i + 1,
                                        list->item_fields, 0, err);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return rc;
}

/* A retire names exactly one thing; returns its kind (one of rp_retire_words) or NULL. */
static const char *retire_target(lua_State *L, int idx)
{
    const char *found = NULL;
    for (size_t i = 0; rp_retire_words[i]; i++) {
        int t = rawfield(L, idx, rp_retire_words[i]);
        lua_pop(L, 1);
        if (t != LUA_TNIL) {
            if (found)
                return NULL;
            found = rp_retire_words[i];
        }
    }
    return found;
}

static int check_fields(lua_State *L, int idx, const decl_pos *pos, sr_error *err)
{
    const decl_kind *k = kind_of(pos->kind);
    if (!k)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "unknown declaration '%s'",
                       pos->kind);
    int rc = check_table_fields(L, idx, pos, k->kind, NULL, 0, k->fields, 1, err);
    for (size_t i = 0; rc == SR_OK && i < 2 && k->lists[i].field; i++)
        rc = check_item_fields(L, idx, pos, k, &k->lists[i], err);
    if (rc == SR_OK && strcmp(k->kind, "retire") == 0 && !retire_target(L, idx))
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "retire needs exactly one of 'indicator', 'cap', 'requirement', "
                     "'service' or 'star_rule'");
    return rc;
}

static int check_all_fields(lua_State *L, int list, sr_error *err)
{
    int rc = SR_OK;
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    for (lua_Integer i = 1; rc == SR_OK && i <= n; i++) {
        lua_rawgeti(L, list, i);
        decl_pos pos;
        read_pos(L, -1, &pos);
        rc = check_fields(L, lua_gettop(L), &pos, err);
        lua_pop(L, 1);
    }
    return rc;
}

static int need_string(lua_State *L, int idx, const decl_pos *pos, const char *key, char **out,
                       sr_error *err)
{
    int rc = field_string(L, idx, key, out);
    if (rc == SR_ENOMEM)
        return sr_oom(err);
    if (rc != SR_OK || !**out) {
        sr_free(*out);
        *out = NULL;
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "%s needs a text field '%s'",
                       pos->kind, key);
    }
    return SR_OK;
}

static int need_int(lua_State *L, int idx, const decl_pos *pos, const char *key, int min, int max,
                    int *out, sr_error *err)
{
    double d;
    /* the range first (NaN fails both): casting a value outside int's is undefined */
    if (field_number(L, idx, key, &d) != SR_OK || !(d >= min && d <= max) || d != (double)(int)d)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "%s needs a whole number '%s' from %d to %d", pos->kind, key, min, max);
    *out = (int)d;
    return SR_OK;
}

static int read_prov(lua_State *L, int idx, const decl_pos *pos, rp_prov *prov, sr_error *err)
{
    char *src = NULL, *rec = NULL;
    int a = field_string(L, idx, "source", &src);
    int b = field_string(L, idx, "reconstructed", &rec);
    if (a == SR_ENOMEM || b == SR_ENOMEM) {
        sr_free(src);
        sr_free(rec);
        return sr_oom(err);
    }
    if ((a == SR_OK) == (b == SR_OK)) {
        sr_free(src);
        sr_free(rec);
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "%s needs exactly one of 'source' (documented fact) or 'reconstructed' "
                       "(this project's assumption)", pos->kind);
    }
    prov->reconstructed = b == SR_OK;
    prov->text = a == SR_OK ? src : rec;
    prov->file = sr_strdup(pos->file);
    prov->line = pos->line;
    return prov->file ? SR_OK : sr_oom(err);
}

static void free_prov(rp_prov *p)
{
    sr_free(p->text);
    sr_free(p->file);
}

/* ---- retired declarations ------------------------------------------------------------- */

const rp_retired *rp_retired_find(const rp_pack *p, rp_retire_kind kind, const char *id)
{
    for (size_t i = p->nretired; i-- > 0;)
        if (p->retired[i].kind == kind && strcmp(p->retired[i].id, id) == 0)
            return &p->retired[i];
    return NULL;
}

/* A reference to something the pack does not hold: "PREFIXunknown KIND 'ID'", or, when a
 * retire removed it, where that happened. */
static int fail_unknown(sr_error *err, const decl_pos *pos, const rp_pack *p, rp_retire_kind kind,
                        const char *prefix, const char *id)
{
    const rp_retired *r = rp_retired_find(p, kind, id);
    if (r)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "%s%s '%s' was retired at %s:%d", prefix, rp_retire_words[kind], id,
                       r->prov.file, r->prov.line);
    return sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "%sunknown %s '%s'", prefix,
                   rp_retire_words[kind], id);
}

static int read_service_ref(lua_State *L, int idx, const decl_pos *pos, const rp_pack *p,
                            int *out, sr_error *err)
{
    char *s = NULL;
    int rc = need_string(L, idx, pos, "service", &s, err);
    if (rc != SR_OK)
        return rc;
    *out = rp_service_index(p, s);
    if (*out < 0)
        rc = fail_unknown(err, pos, p, RP_RETIRE_SERVICE, "", s);
    sr_free(s);
    return rc;
}

static void free_service(rp_service *s)
{
    sr_free(s->id), sr_free(s->name), sr_free(s->title), sr_free(s->id_prefix);
    sr_free_strings(s->headings, s->nheadings);
    free_prov(&s->prov);
}

static int read_string_list_as(lua_State *L, int idx, const decl_pos *pos, const char *key,
                               const char *shown, char ***out, size_t *nout, sr_error *err);

/* An optional list of phrases a letter is read with (headings, the words naming an
 * indicator): absent is an empty list; each entry non-empty text short enough to be a
 * heading (import compares headings of at most 120 bytes). The list is t[key] of the table
 * at idx, named `shown` in errors ("sub_heading_words.concern"). */
static int read_phrase_list_as(lua_State *L, int idx, const decl_pos *pos, const char *key,
                               const char *shown, char ***out, size_t *nout, sr_error *err)
{
    *out = NULL, *nout = 0;
    int t = rawfield(L, idx, key);
    lua_pop(L, 1);
    if (t == LUA_TNIL)
        return SR_OK;
    int rc = read_string_list_as(L, idx, pos, key, shown, out, nout, err);
    for (size_t i = 0; rc == SR_OK && i < *nout; i++) {
        size_t n = strlen((*out)[i]);
        if (n == 0 || n > 120)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "%s: %s[%zu] must be text of 1 to 120 bytes", pos->kind, shown, i + 1);
    }
    return rc;
}

static int read_phrase_list(lua_State *L, int idx, const decl_pos *pos, const char *key,
                            char ***out, size_t *nout, sr_error *err)
{
    return read_phrase_list_as(L, idx, pos, key, key, out, nout, err);
}

/* A finding id is PREFIX-SECTION-N, written unquoted in the evidence: letters, digits and
 * '_' only. */
static int read_id_prefix(lua_State *L, int idx, const decl_pos *pos, rp_service *s,
                          sr_error *err)
{
    int t = rawfield(L, idx, "id_prefix");
    lua_pop(L, 1);
    if (t == LUA_TNIL)
        return SR_OK;
    int rc = field_string(L, idx, "id_prefix", &s->id_prefix);
    if (rc == SR_ENOMEM)
        return sr_oom(err);
    size_t n = rc == SR_OK ? strlen(s->id_prefix) : 0;
    int ok = n > 0 && n <= 16;
    for (size_t i = 0; ok && i < n; i++) {
        char c = s->id_prefix[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (!ok)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "service %s: id_prefix must be text of 1 to 16 letters, digits or '_'",
                       s->id);
    return SR_OK;
}

/* Two services giving their findings one prefix would give two findings one id. */
static int check_prefix_unique(const rp_pack *p, const rp_service *s, int at,
                               const decl_pos *pos, sr_error *err)
{
    const char *mine = s->id_prefix ? s->id_prefix : s->id;
    for (size_t i = 0; i < p->nservices; i++) {
        const rp_service *o = &p->services[i];
        if ((int)i != at && strcmp(o->id_prefix ? o->id_prefix : o->id, mine) == 0)
            return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                           "service %s: id_prefix '%s' is the findings' prefix of service %s "
                           "(%s:%d) too", s->id, mine, o->id, o->prov.file, o->prov.line);
    }
    return SR_OK;
}

static int conv_service(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_service s = {0};
    int rc = need_string(L, idx, pos, "id", &s.id, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "name", &s.name, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "title", &s.title, err);
    if (rc == SR_OK)
        rc = read_phrase_list(L, idx, pos, "headings", &s.headings, &s.nheadings, err);
    if (rc == SR_OK) rc = read_id_prefix(L, idx, pos, &s, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &s.prov, err);
    int at = rc == SR_OK ? rp_service_index(p, s.id) : -1;
    if (rc == SR_OK && at < 0 && p->nservices == RP_MAX_SERVICES)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "more than %d services",
                     RP_MAX_SERVICES);
    if (rc == SR_OK) rc = check_prefix_unique(p, &s, at, pos, err);
    if (rc != SR_OK) {
        free_service(&s);
        return rc;
    }
    if (at < 0) {
        p->services[p->nservices++] = s;
    } else {
        free_service(&p->services[at]);
        p->services[at] = s;
    }
    return SR_OK;
}

static void free_scale(rp_scale *s)
{
    for (size_t i = 0; i < s->nwords; i++) {
        sr_free(s->words[i].id);
        sr_free(s->words[i].text);
    }
    sr_free(s->words);
    sr_free(s->id);
    sr_free(s->name);
    free_prov(&s->prov);
    memset(s, 0, sizeof *s);
}

static int conv_scale(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_scale s = {0};
    int rc = need_string(L, idx, pos, "id", &s.id, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "name", &s.name, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &s.prov, err);
    if (rc == SR_OK) {
        rawfield(L, idx, "words");
        size_t n = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
        if (n < 2 || n > 16)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "scale needs a list 'words' of 2 to 16 { id = ..., text = ... }");
        else if (!(s.words = sr_calloc(n, sizeof *s.words)))
            rc = sr_oom(err);
        else
            s.nwords = n; /* so free_scale frees what was read when a later word fails */
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            if (!lua_istable(L, -1))
                rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                             "words[%zu] must be { id = ..., text = ... }", i + 1);
            if (rc == SR_OK) rc = need_string(L, lua_gettop(L), pos, "id", &s.words[i].id, err);
            if (rc == SR_OK) rc = need_string(L, lua_gettop(L), pos, "text", &s.words[i].text, err);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    rp_scale *slot = NULL;
    if (rc == SR_OK) {
        if (strcmp(s.id, "serving") == 0) slot = &p->serving;
        else if (strcmp(s.id, "capacity") == 0) slot = &p->capacity;
        else if (strcmp(s.id, "grade") == 0) slot = &p->grade;
        else
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "unknown scale '%s' (expected serving, capacity or grade)", s.id);
    }
    if (rc == SR_OK && slot == &p->grade && s.nwords != 4)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "the grade scale needs 4 words");
    if (rc != SR_OK) {
        free_scale(&s);
        return rc;
    }
    free_scale(slot);
    *slot = s;
    return SR_OK;
}

static int conv_rating(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    int mn, mx;
    char *unit = NULL;
    rp_prov prov = {0};
    int rc = need_int(L, idx, pos, "min", 0, 100, &mn, err);
    if (rc == SR_OK) rc = need_int(L, idx, pos, "max", mn, 100, &mx, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "unit", &unit, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &prov, err);
    if (rc != SR_OK) {
        sr_free(unit);
        free_prov(&prov);
        return rc;
    }
    sr_free(p->rating_unit);
    free_prov(&p->rating_prov);
    p->rating_min = mn, p->rating_max = mx, p->rating_unit = unit, p->rating_prov = prov;
    return SR_OK;
}

static void free_standard(rp_standard *s)
{
    sr_free(s->name);
    sr_free(s->domain);
    sr_free_strings(s->criteria, s->ncriteria);
    free_prov(&s->prov);
    memset(s, 0, sizeof *s);
}

/* The list t[key] of the table at idx, named `shown` in errors. */
static int read_string_list_as(lua_State *L, int idx, const decl_pos *pos, const char *key,
                               const char *shown, char ***out, size_t *nout, sr_error *err)
{
    rawfield(L, idx, key);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "%s needs a list '%s'",
                       pos->kind, shown);
    }
    size_t n = lua_rawlen(L, -1);
    int rc = SR_OK;
    *out = sr_calloc(n ? n : 1, sizeof **out);
    *nout = 0;
    if (!*out)
        rc = sr_oom(err);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        /* the type first: lua_tostring would turn a number into text in place */
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!s)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "%s[%zu] must be text", shown,
                         i + 1);
        else if (!((*out)[i] = sr_strdup(s)))
            rc = sr_oom(err);
        else
            *nout = i + 1;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}

static int read_string_list(lua_State *L, int idx, const decl_pos *pos, const char *key,
                            char ***out, size_t *nout, sr_error *err)
{
    return read_string_list_as(L, idx, pos, key, key, out, nout, err);
}

static int conv_standard(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_standard s = {0};
    char *informs = NULL;
    int rc = need_int(L, idx, pos, "number", 1, RP_STANDARDS, &s.number, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "name", &s.name, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "informs", &informs, err);
    if (rc == SR_OK)
        s.informs = strcmp(informs, "serving") == 0    ? RP_INFORMS_SERVING
                  : strcmp(informs, "capacity") == 0   ? RP_INFORMS_CAPACITY
                                                       : RP_INFORMS_NONE;
    sr_free(informs);
    if (rc == SR_OK && s.informs == RP_INFORMS_NONE)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "standard 'informs' must be \"serving\" or \"capacity\"");
    if (rc == SR_OK && field_string(L, idx, "domain", &s.domain) == SR_ENOMEM)
        rc = sr_oom(err);
    if (rc == SR_OK) rc = read_string_list(L, idx, pos, "criteria", &s.criteria, &s.ncriteria, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &s.prov, err);
    if (rc != SR_OK) {
        free_standard(&s);
        return rc;
    }
    free_standard(&p->standards[s.number - 1]);
    p->standards[s.number - 1] = s;
    return SR_OK;
}

static void free_indicator(rp_indicator *d)
{
    sr_free(d->code), sr_free(d->name), sr_free(d->unit);
    for (size_t i = 0; i < d->nphrases; i++)
        sr_free(d->phrases[i].words), sr_free(d->phrases[i].near);
    sr_free(d->phrases);
    free_prov(&d->prov);
}

/* One entry of `phrases`: "words", or { words = "...", near = "..." } with near optional. */
static int read_phrase(lua_State *L, int t, const decl_pos *pos, rp_indicator *d, size_t i,
                       sr_error *err)
{
    rp_phrase *ph = &d->phrases[i];
    int a = 1, b = 1;
    if (lua_type(L, t) == LUA_TSTRING)
        a = (ph->words = sr_strdup(lua_tostring(L, t))) ? SR_OK : SR_ENOMEM;
    else if (lua_istable(L, t) && (a = field_string(L, t, "words", &ph->words)) == SR_OK)
        b = field_string(L, t, "near", &ph->near);
    if (a == SR_ENOMEM || b == SR_ENOMEM)
        return sr_oom(err);
    if (a != SR_OK || !*ph->words || strlen(ph->words) > 120)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "indicator %s: phrases[%zu] must be text of 1 to 120 bytes, or "
                       "{ words = \"...\", near = \"...\" } with near optional", d->code, i + 1);
    int near_bad = b == SR_OK && !*ph->near;
    if (b != SR_OK && lua_istable(L, t)) {
        near_bad = rawfield(L, t, "near") != LUA_TNIL; /* there, but not text */
        lua_pop(L, 1);
    }
    if (near_bad)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "indicator %s: phrases[%zu].near must be a word", d->code, i + 1);
    return SR_OK;
}

/* `phrases`, optional: how review letters name the indicator in running text (import.h). */
static int read_phrases(lua_State *L, int idx, const decl_pos *pos, rp_indicator *d,
                        sr_error *err)
{
    int t = rawfield(L, idx, "phrases");
    int rc = SR_OK;
    size_t n = t == LUA_TTABLE ? lua_rawlen(L, -1) : 0;
    if (t != LUA_TNIL && (t != LUA_TTABLE || n == 0))
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "indicator %s: 'phrases' must be a list of text or { words, near }",
                     d->code);
    else if (n && !(d->phrases = sr_calloc(n, sizeof *d->phrases)))
        rc = sr_oom(err);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        d->nphrases = i + 1; /* so free_indicator frees what was read when this one fails */
        rc = read_phrase(L, lua_gettop(L), pos, d, i, err);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}

static int read_bands(lua_State *L, int idx, const decl_pos *pos, rp_indicator *d, sr_error *err)
{
    rawfield(L, idx, "bands");
    size_t n = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
    int rc = SR_OK;
    if (n < 1 || n > 4)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "indicator %s needs a list 'bands' of 1 to 4 limits (bands 5 to 2)", d->code);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        int t = lua_gettop(L);
        rp_band *b = &d->bands[i];
        double v;
        b->has_min = field_number(L, t, "min", &b->min) == SR_OK;
        b->has_max = field_number(L, t, "max", &b->max) == SR_OK;
        if (field_number(L, t, "band", &v) != SR_OK || v != (double)(5 - (int)i))
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "indicator %s: bands[%zu] must be band %d", d->code, i + 1, 5 - (int)i);
        else if (!b->has_min && !b->has_max)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "indicator %s: band %d needs 'min' or 'max'", d->code, 5 - (int)i);
        b->band = 5 - (int)i;
        lua_pop(L, 1);
        if (rc == SR_OK)
            d->nbands = i + 1;
    }
    lua_pop(L, 1);
    return rc;
}

/* `plausible = { LOW, HIGH }`, optional: the values an evidence file can give without a
 * warning. */
static int read_plausible(lua_State *L, int idx, const decl_pos *pos, rp_indicator *d,
                          sr_error *err)
{
    rawfield(L, idx, "plausible");
    int rc = SR_OK;
    if (!lua_isnil(L, -1)) {
        int ok = lua_istable(L, -1) && lua_rawlen(L, -1) == 2;
        for (int i = 1; ok && i <= 2; i++) {
            lua_rawgeti(L, -1, i);
            double v = lua_tonumber(L, -1);
            ok = lua_type(L, -1) == LUA_TNUMBER && v == v;
            *(i == 1 ? &d->plausible_min : &d->plausible_max) = v;
            lua_pop(L, 1);
        }
        if (!ok || d->plausible_min > d->plausible_max)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "indicator %s: 'plausible' must be a list of two numbers, the lower "
                         "first", d->code);
        d->has_plausible = ok;
    }
    lua_pop(L, 1);
    return rc;
}

static int read_polarity(lua_State *L, int idx, const decl_pos *pos, rp_indicator *d,
                         sr_error *err)
{
    char *pol = NULL;
    int rc = need_string(L, idx, pos, "polarity", &pol, err);
    if (rc != SR_OK)
        return rc;
    if (strcmp(pol, "higher") == 0) d->polarity = RP_HIGHER;
    else if (strcmp(pol, "lower") == 0) d->polarity = RP_LOWER;
    else if (strcmp(pol, "range") == 0) d->polarity = RP_RANGE;
    else
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "indicator %s: polarity must be higher, lower or range", d->code);
    sr_free(pol);
    return rc;
}

/* The index of the indicator declared with this code, or -1. */
static int find_by_code(const rp_pack *p, const char *code)
{
    /* First byte before strcmp: evidence loading looks up every indicator it names. */
    for (size_t i = 0; i < p->nindicators; i++)
        if (p->indicators[i].code[0] == code[0] && strcmp(p->indicators[i].code, code) == 0)
            return (int)i;
    return -1;
}

static int conv_indicator(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_indicator d = {0};
    int rc = need_string(L, idx, pos, "code", &d.code, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "name", &d.name, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "unit", &d.unit, err);
    if (rc == SR_OK) rc = read_service_ref(L, idx, pos, p, &d.service, err);
    if (rc == SR_OK) rc = need_int(L, idx, pos, "standard", 1, RP_STANDARDS, &d.standard, err);
    if (rc == SR_OK && !rp_informs_serving(p, d.standard))
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "indicator %s: standard %d is not a standard that informs serving", d.code,
                     d.standard);
    if (rc == SR_OK) rc = read_polarity(L, idx, pos, &d, err);
    if (rc == SR_OK) rc = read_bands(L, idx, pos, &d, err);
    if (rc == SR_OK) rc = read_plausible(L, idx, pos, &d, err);
    if (rc == SR_OK) rc = read_phrases(L, idx, pos, &d, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &d.prov, err);
    if (rc != SR_OK) {
        free_indicator(&d);
        return rc;
    }
    int at = find_by_code(p, d.code);
    if (at >= 0) {
        free_indicator(&p->indicators[at]);
        p->indicators[at] = d;
        return SR_OK;
    }
    rp_indicator *grown = sr_realloc(p->indicators, (p->nindicators + 1) * sizeof *grown);
    if (!grown) {
        free_indicator(&d);
        return sr_oom(err);
    }
    p->indicators = grown;
    p->indicators[p->nindicators++] = d;
    return SR_OK;
}

static void free_requirement(rp_requirement *r)
{
    sr_free(r->id), sr_free(r->text);
    free_prov(&r->prov);
}

static int conv_requirement(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_requirement r = {0};
    char **svc = NULL;
    size_t nsvc = 0;
    int rc = need_string(L, idx, pos, "id", &r.id, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "text", &r.text, err);
    if (rc == SR_OK) rc = read_string_list(L, idx, pos, "services", &svc, &nsvc, err);
    for (size_t i = 0; rc == SR_OK && i < nsvc; i++) {
        int s = rp_service_index(p, svc[i]);
        if (s < 0)
            rc = fail_unknown(err, pos, p, RP_RETIRE_SERVICE, "", svc[i]);
        else
            r.services[s] = 1;
    }
    sr_free_strings(svc, nsvc);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &r.prov, err);
    if (rc != SR_OK) {
        free_requirement(&r);
        return rc;
    }
    for (size_t i = 0; i < p->nrequirements; i++)
        if (strcmp(p->requirements[i].id, r.id) == 0) {
            free_requirement(&p->requirements[i]);
            p->requirements[i] = r;
            return SR_OK;
        }
    rp_requirement *grown = sr_realloc(p->requirements, (p->nrequirements + 1) * sizeof *grown);
    if (!grown) {
        free_requirement(&r);
        return sr_oom(err);
    }
    p->requirements = grown;
    p->requirements[p->nrequirements++] = r;
    return SR_OK;
}

static void free_cap(rp_cap *c)
{
    sr_free(c->id), sr_free(c->sentence), sr_free(c->indicator), sr_free(c->requirement);
    free_prov(&c->prov);
}

static int read_cap_target(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, rp_cap *c,
                           sr_error *err)
{
    char *j = NULL, *to = NULL;
    int rc = need_string(L, idx, pos, "judgement", &j, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "to", &to, err);
    if (rc == SR_OK) {
        const rp_scale *s = strcmp(j, "serving") == 0 ? &p->serving
                          : strcmp(j, "capacity") == 0 ? &p->capacity : NULL;
        c->judgement = s == &p->capacity;
        c->to = s ? rp_word_index(s, to) : -1;
        if (!s)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "cap %s: judgement must be serving or capacity", c->id);
        else if (c->to < 0)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "cap %s: '%s' is not a word of the %s scale", c->id, to, j);
    }
    sr_free(j);
    sr_free(to);
    return rc;
}

/* A reconstructed threshold names its parameter: `below = "D38_equipment_below"`. */
static int read_threshold_param(lua_State *L, int idx, const decl_pos *pos, const rp_pack *p,
                                rp_cap *c, sr_error *err)
{
    char *name = NULL;
    int above = 1;
    int rc = field_string(L, idx, "above", &name);
    if (rc == 1) {
        above = 0;
        rc = field_string(L, idx, "below", &name);
    }
    if (rc == SR_ENOMEM)
        return sr_oom(err);
    if (rc != SR_OK)
        return SR_OK;
    int i = rp_param_index(p, name);
    if (i < 0)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "cap %s: unknown parameter '%s'",
                     c->id, name);
    else {
        c->threshold_param = i + 1;
        if (above)
            c->has_above = 1, c->above = p->params[i].value;
        else
            c->has_below = 1, c->below = p->params[i].value;
    }
    sr_free(name);
    return rc;
}

static int read_cap_condition(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, rp_cap *c,
                              sr_error *err)
{
    int a = field_string(L, idx, "indicator", &c->indicator);
    int b = field_string(L, idx, "requirement", &c->requirement);
    if (a == SR_ENOMEM || b == SR_ENOMEM)
        return sr_oom(err);
    c->has_above = field_number(L, idx, "above", &c->above) == SR_OK;
    c->has_below = field_number(L, idx, "below", &c->below) == SR_OK;
    if (!c->has_above && !c->has_below) {
        int rc = read_threshold_param(L, idx, pos, p, c, err);
        if (rc != SR_OK)
            return rc;
    }
    if ((a == SR_OK) == (b == SR_OK))
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "cap %s needs exactly one of 'indicator' or 'requirement'", c->id);
    if (c->indicator) {
        char prefix[160];
        snprintf(prefix, sizeof prefix, "cap %.120s: ", c->id);
        const rp_indicator *d = rp_indicator_find(p, c->indicator);
        if (!d)
            return fail_unknown(err, pos, p, RP_RETIRE_INDICATOR, prefix, c->indicator);
        if (c->has_above == c->has_below)
            return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                           "cap %s needs exactly one of 'above' or 'below'", c->id);
        if (d->service != c->service)
            return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                           "cap %s: indicator %s belongs to another service", c->id, c->indicator);
    } else {
        char prefix[160];
        snprintf(prefix, sizeof prefix, "cap %.120s: ", c->id);
        const rp_requirement *r = rp_requirement_find(p, c->requirement);
        if (!r)
            return fail_unknown(err, pos, p, RP_RETIRE_REQUIREMENT, prefix, c->requirement);
        if (!r->services[c->service])
            return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                           "cap %s: requirement %s does not apply to this service", c->id,
                           c->requirement);
    }
    return SR_OK;
}

static int conv_cap(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_cap c = {0};
    int rc = need_string(L, idx, pos, "id", &c.id, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "sentence", &c.sentence, err);
    if (rc == SR_OK) rc = read_service_ref(L, idx, pos, p, &c.service, err);
    if (rc == SR_OK) rc = read_cap_target(L, idx, pos, p, &c, err);
    if (rc == SR_OK) rc = read_cap_condition(L, idx, pos, p, &c, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &c.prov, err);
    if (rc != SR_OK) {
        free_cap(&c);
        return rc;
    }
    for (size_t i = 0; i < p->ncaps; i++)
        if (strcmp(p->caps[i].id, c.id) == 0) {
            free_cap(&p->caps[i]);
            p->caps[i] = c;
            return SR_OK;
        }
    rp_cap *grown = sr_realloc(p->caps, (p->ncaps + 1) * sizeof *grown);
    if (!grown) {
        free_cap(&c);
        return sr_oom(err);
    }
    p->caps = grown;
    p->caps[p->ncaps++] = c;
    return SR_OK;
}

/* Checks that field `key` is a function and remembers where it is: declaration number
 * pos->index of the pack's list (see rp_push_function). */
static int read_function(lua_State *L, int idx, const decl_pos *pos, const char *key, int *ref,
                         sr_error *err)
{
    int t = rawfield(L, idx, key);
    lua_pop(L, 1);
    if (t != LUA_TFUNCTION)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0, "%s needs a function '%s'",
                       pos->kind, key);
    *ref = pos->index; /* the function stays in its declaration, which the pack keeps */
    return SR_OK;
}

static void free_star_rule(lua_State *L, rp_star_rule *r)
{
    (void)L;
    sr_free(r->id), sr_free(r->sentence);
    free_prov(&r->prov);
}

static int conv_star_rule(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_star_rule r = {0};
    int rc = need_string(L, idx, pos, "id", &r.id, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "sentence", &r.sentence, err);
    if (rc == SR_OK)
        rc = need_int(L, idx, pos, "stars", p->rating_min, p->rating_max, &r.stars, err);
    if (rc == SR_OK) rc = read_function(L, idx, pos, "when", &r.fnref, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &r.prov, err);
    if (rc != SR_OK) {
        free_star_rule(L, &r);
        return rc;
    }
    for (size_t i = 0; i < p->nstar_rules; i++)
        if (strcmp(p->star_rules[i].id, r.id) == 0) {
            free_star_rule(L, &p->star_rules[i]);
            p->star_rules[i] = r;
            return SR_OK;
        }
    rp_star_rule *grown = sr_realloc(p->star_rules, (p->nstar_rules + 1) * sizeof *grown);
    if (!grown) {
        free_star_rule(L, &r);
        return sr_oom(err);
    }
    p->star_rules = grown;
    p->star_rules[p->nstar_rules++] = r;
    return SR_OK;
}

static void free_rule(lua_State *L, rp_rule *r)
{
    (void)L;
    sr_free(r->id), sr_free(r->layer), sr_free(r->sentence);
    free_prov(&r->prov);
}

static const char *const rule_layers[] = {"grade", "serving", "capacity_grade", "capacity", NULL};

static int conv_rule(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_rule r = {0};
    int rc = need_string(L, idx, pos, "id", &r.id, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "layer", &r.layer, err);
    if (rc == SR_OK) rc = need_string(L, idx, pos, "sentence", &r.sentence, err);
    if (rc == SR_OK) rc = read_function(L, idx, pos, "fn", &r.fnref, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &r.prov, err);
    int known = 0;
    for (size_t i = 0; rc == SR_OK && rule_layers[i]; i++)
        known |= strcmp(rule_layers[i], r.layer) == 0;
    if (rc == SR_OK && !known)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "rule %s: layer must be grade, serving, capacity_grade or capacity", r.id);
    if (rc != SR_OK) {
        free_rule(L, &r);
        return rc;
    }
    /* One rule per layer: a later pack's rule for a layer replaces the base's. */
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].layer, r.layer) == 0) {
            free_rule(L, &p->rules[i]);
            p->rules[i] = r;
            return SR_OK;
        }
    rp_rule *grown = sr_realloc(p->rules, (p->nrules + 1) * sizeof *grown);
    if (!grown) {
        free_rule(L, &r);
        return sr_oom(err);
    }
    p->rules = grown;
    p->rules[p->nrules++] = r;
    return SR_OK;
}

/* retire { indicator = "CODE", reconstructed = "..." }: the declaration it names is never
 * converted (see retired_later); this records the retirement, in the pass of the kind it
 * retires and in load order, so that a later use of the retired thing says where it went. */
static int conv_retire(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    const char *target = retire_target(L, idx);
    rp_retired r = {0};
    while (rp_retire_words[r.kind] && strcmp(rp_retire_words[r.kind], target) != 0)
        r.kind++;
    int rc = need_string(L, idx, pos, target, &r.id, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &r.prov, err);
    rp_retired *grown = rc == SR_OK ? sr_realloc(p->retired, (p->nretired + 1) * sizeof *grown)
                                    : NULL;
    if (rc == SR_OK && !grown)
        rc = sr_oom(err);
    if (rc != SR_OK) {
        sr_free(r.id);
        free_prov(&r.prov);
        return rc;
    }
    p->retired = grown;
    p->retired[p->nretired++] = r;
    return SR_OK;
}

/* Two declarations of one kind and id in the same pack are a mistake; across packs the later
 * one replaces the earlier. Checked over the raw list so the message names both places.
 * The strings point into the declaration tables, as in decl_pos. */
typedef struct decl_key {
    decl_pos pos;     /* for a retire, pos.kind is "retire KIND" (retire_kinds) */
    const char *id;   /* "" when the declaration has none */
    const char *pack;
    char number[32];  /* a numeric id, formatted: id points here */
} decl_key;

/* "retire KIND" for each of rp_retire_words, in its order: a retire's key kind. */
static const char *const retire_kinds[RP_RETIRE_NKINDS] = {
    "retire indicator", "retire cap", "retire requirement", "retire service", "retire star_rule",
};

/* The ids were once copied into 128 bytes and errors quoted the copy: quoted the same way. */
#define KEY_ID "%.127s"

static void read_key(lua_State *L, int idx, decl_key *k)
{
    idx = lua_absindex(L, idx);
    read_pos(L, idx, &k->pos);
    /* a retire's key is what it retires: retiring one thing twice in a pack is a mistake */
    const char *target = strcmp(k->pos.kind, "retire") == 0 ? retire_target(L, idx) : NULL;
    for (size_t i = 0; target && i < RP_RETIRE_NKINDS; i++)
        if (target == rp_retire_words[i])
            k->pos.kind = retire_kinds[i];
    const char *idkey = target                                  ? target
                      : strcmp(k->pos.kind, "indicator") == 0  ? "code"
                      : strcmp(k->pos.kind, "standard") == 0   ? "number"
                      : strcmp(k->pos.kind, "rule") == 0       ? "layer"
                                                                : "id";
    int t = rawfield(L, idx, idkey);
    /* lua_tostring would convert a number in place, which allocates: format it here. */
    if (t == LUA_TSTRING) {
        k->id = lua_tostring(L, -1);
    } else if (t == LUA_TNUMBER) {
        snprintf(k->number, sizeof k->number, "%g", lua_tonumber(L, -1));
        k->id = k->number;
    } else {
        k->id = "";
    }
    k->pack = rawfield(L, idx, "_pack") == LUA_TSTRING ? lua_tostring(L, -1) : "";
    lua_pop(L, 2);
}

static int same_key(const decl_key *a, const decl_key *b)
{
    return strcmp(a->pos.kind, b->pos.kind) == 0 && strcmp(a->id, b->id) == 0 &&
           strcmp(a->pack, b->pack) == 0;
}

static int check_duplicates(lua_State *L, int list, decl_key *keys, size_t n, sr_error *err)
{
    int rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        read_key(L, lua_gettop(L), &keys[i]);
        lua_pop(L, 1);
        if (strcmp(keys[i].pos.kind, "rating") == 0)
            continue;
        for (size_t k = 0; k < i; k++)
            if (same_key(&keys[k], &keys[i])) {
                rc = sr_fail(err, SR_ERULES, keys[i].pos.file, keys[i].pos.line, 0,
                             "%s '" KEY_ID "' is declared twice in one pack (first at %s:%d)",
                             keys[i].pos.kind, keys[i].id,
                             keys[k].pos.file, keys[k].pos.line);
                break;
            }
    }
    return rc;
}

/* Whether key i is a retire of what key k declares. */
static int retires(const decl_key *keys, size_t i, size_t k)
{
    return strncmp(keys[i].pos.kind, "retire ", 7) == 0 &&
           strcmp(keys[i].pos.kind + 7, keys[k].pos.kind) == 0 && strcmp(keys[i].id, keys[k].id) == 0;
}

/* Whether a retire later in load order removes declaration k: then it is never converted, so
 * that nothing it refers to (an indicator the same round retires, say) has to exist. A
 * declaration after the retire brings the thing back. */
static int retired_later(const decl_key *keys, size_t n, size_t k)
{
    for (size_t i = k + 1; i < n; i++)
        if (retires(keys, i, k))
            return 1;
    return 0;
}

/* A retire must follow a declaration of what it names, with no retire of it in between. */
static int check_retire(const decl_key *keys, size_t i, sr_error *err)
{
    const decl_key *r = &keys[i];
    for (size_t k = i; k-- > 0;) {
        if (strcmp(keys[k].pos.kind, r->pos.kind) == 0 && strcmp(keys[k].id, r->id) == 0)
            return sr_fail(err, SR_ERULES, r->pos.file, r->pos.line, 0,
                           "retire: %s '" KEY_ID "' is already retired (at %s:%d)",
                           r->pos.kind + 7, r->id, keys[k].pos.file, keys[k].pos.line);
        if (strcmp(keys[k].pos.kind, r->pos.kind + 7) == 0 && strcmp(keys[k].id, r->id) == 0)
            return SR_OK;
    }
    return sr_fail(err, SR_ERULES, r->pos.file, r->pos.line, 0,
                   "retire: there is no %s '" KEY_ID "' to retire", r->pos.kind + 7, r->id);
}

/* ---- parameters and gaps ------------------------------------------------------------- */

static void free_param(rp_param *q)
{
    sr_free(q->id);
    free_prov(&q->prov);
}

static int read_param_options(lua_State *L, int idx, const decl_pos *pos, rp_param *q,
                              sr_error *err)
{
    char *dist = NULL, *each = NULL;
    int a = field_string(L, idx, "dist", &dist);
    int b = field_string(L, idx, "each", &each);
    int rc = a == SR_ENOMEM || b == SR_ENOMEM ? sr_oom(err) : SR_OK;
    if (rc == SR_OK && dist) {
        if (strcmp(dist, "triangular") == 0)
            q->dist = RP_DIST_TRIANGULAR;
        else if (strcmp(dist, "uniform") != 0)
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "param %s: dist must be uniform or triangular", q->id);
    }
    if (rc == SR_OK && each) {
        if (strcmp(each, "indicator") == 0)
            q->each_indicator = 1;
        else
            rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                         "param %s: each must be indicator", q->id);
    }
    sr_free(dist);
    sr_free(each);
    return rc;
}

static int conv_param(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_param q = {0};
    int rc = need_string(L, idx, pos, "id", &q.id, err);
    if (rc == SR_OK && (field_number(L, idx, "value", &q.value) != SR_OK ||
                        field_number(L, idx, "lo", &q.lo) != SR_OK ||
                        field_number(L, idx, "hi", &q.hi) != SR_OK))
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "param %s needs numbers 'value', 'lo' and 'hi'", q.id);
    if (rc == SR_OK && !(q.lo <= q.value && q.value <= q.hi))
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "param %s: value %g is not within lo %g and hi %g", q.id, q.value, q.lo, q.hi);
    if (rc == SR_OK) rc = read_param_options(L, idx, pos, &q, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &q.prov, err);
    if (rc == SR_OK && !q.prov.reconstructed)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "param %s: a documented number is fixed; a parameter is 'reconstructed'", q.id);
    if (rc != SR_OK) {
        free_param(&q);
        return rc;
    }
    int at = rp_param_index(p, q.id);
    if (at >= 0) {
        free_param(&p->params[at]);
        p->params[at] = q;
        return SR_OK;
    }
    rp_param *grown = sr_realloc(p->params, (p->nparams + 1) * sizeof *grown);
    if (!grown) {
        free_param(&q);
        return sr_oom(err);
    }
    p->params = grown;
    p->params[p->nparams++] = q;
    return SR_OK;
}

static int conv_gaps(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_gaps g = {0};
    double sum = 0;
    rawfield(L, idx, "bands");
    int ok = lua_istable(L, -1) && lua_rawlen(L, -1) == 5;
    for (int b = 0; ok && b < 5; b++) {
        ok = lua_rawgeti(L, -1, b + 1) == LUA_TNUMBER && lua_tonumber(L, -1) >= 0;
        g.band[b] = ok ? lua_tonumber(L, -1) : 0;
        sum += g.band[b];
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (!ok || !(sum > 0))
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "gaps needs 'bands', five chances (band 1 first) that are not all zero");
    if (field_number(L, idx, "requirement_met", &g.requirement_met) != SR_OK ||
        g.requirement_met < 0 || g.requirement_met > 1)
        return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                       "gaps needs 'requirement_met', a chance from 0 to 1");
    for (int b = 0; b < 5; b++)
        g.band[b] /= sum;
    int rc = read_prov(L, idx, pos, &g.prov, err);
    if (rc != SR_OK) {
        free_prov(&g.prov); /* the reference may have been copied before the file failed */
        return rc;
    }
    free_prov(&p->gaps.prov);
    g.declared = 1;
    p->gaps = g;
    return SR_OK;
}

static void free_letter(rp_letter *l)
{
    sr_free(l->annex_heading);
    for (int k = 0; k < RP_LETTER_NLISTS; k++)
        sr_free_strings(l->lists[k], l->nlists[k]);
    for (int k = 0; k < RP_WORDS_N; k++)
        sr_free_strings(l->words[k], l->nwords[k]);
    free_prov(&l->prov);
    memset(l, 0, sizeof *l);
}

/* The fields of rp_letter_list's lists, in its order. */
static const char *const letter_lists[RP_LETTER_NLISTS] = {
    "improvement_headings", "area_headings", "capacity_headings", "sub_headings",
};

/* The fields of rp_letter_words' lists, in its order: the first RP_WORDS_NSUB inside
 * sub_heading_words (NULL-terminated there for check_table_fields), the others the
 * letter's own. */
static const char *const sub_word_fields[RP_WORDS_NSUB + 1] = {
    "capacity", "concern", "development", "improvement", NULL,
};
static const char *const letter_words[RP_WORDS_N - RP_WORDS_NSUB] = {
    "annex_end", "annex_labels", "comparison_words",
};

/* sub_heading_words = { capacity = {...}, concern = {...}, development = {...},
 * improvement = {...} }, optional, as each of its lists. */
static int read_sub_words(lua_State *L, int idx, const decl_pos *pos, rp_letter *l, sr_error *err)
{
    int t = rawfield(L, idx, "sub_heading_words");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return SR_OK;
    }
    int rc = SR_OK;
    if (t != LUA_TTABLE)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "letter: sub_heading_words must be a table of lists of text (capacity, "
                     "concern, development, improvement)");
    int sub = lua_gettop(L);
    if (rc == SR_OK)
        rc = check_table_fields(L, sub, pos, "sub_heading_words of the letter", NULL, 0,
                                sub_word_fields, 0, err);
    for (int k = 0; rc == SR_OK && k < RP_WORDS_NSUB; k++) {
        char shown[64];
        snprintf(shown, sizeof shown, "sub_heading_words.%s", sub_word_fields[k]);
        rc = read_phrase_list_as(L, sub, pos, sub_word_fields[k], shown, &l->words[k],
                                 &l->nwords[k], err);
    }
    lua_pop(L, 1);
    return rc;
}

/* An optional whole number from 1 to 120 (a heading's length); absent is 0. */
static int opt_heading_max(lua_State *L, int idx, const decl_pos *pos, const char *key, int *out,
                           sr_error *err)
{
    *out = 0;
    int t = rawfield(L, idx, key);
    lua_pop(L, 1);
    return t == LUA_TNIL ? SR_OK : need_int(L, idx, pos, key, 1, 120, out, err);
}

/* comparison_words are compared with one word of the letter at a time (its punctuation
 * stripped, at most 31 bytes: import.c's token_blocks), so each must be one such word. */
static int check_comparison_words(const decl_pos *pos, const rp_letter *l, sr_error *err)
{
    for (size_t i = 0; i < l->nwords[RP_WORDS_COMPARISON]; i++) {
        const char *w = l->words[RP_WORDS_COMPARISON][i];
        if (strlen(w) > 31 || strchr(w, ' '))
            return sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                           "letter: comparison_words[%zu] must be one word (no spaces) of 1 to "
                           "31 bytes", i + 1);
    }
    return SR_OK;
}

/* letter { annex_heading, ... }: one per pack; a later round's replaces it whole. */
static int conv_letter(lua_State *L, int idx, const decl_pos *pos, rp_pack *p, sr_error *err)
{
    rp_letter l = {0};
    int rc = need_string(L, idx, pos, "annex_heading", &l.annex_heading, err);
    if (rc == SR_OK && strlen(l.annex_heading) > 120)
        rc = sr_fail(err, SR_ERULES, pos->file, pos->line, 0,
                     "letter: annex_heading must be text of 1 to 120 bytes");
    for (int k = 0; rc == SR_OK && k < RP_LETTER_NLISTS; k++)
        rc = read_phrase_list(L, idx, pos, letter_lists[k], &l.lists[k], &l.nlists[k], err);
    if (rc == SR_OK)
        rc = read_sub_words(L, idx, pos, &l, err);
    for (int k = RP_WORDS_NSUB; rc == SR_OK && k < RP_WORDS_N; k++)
        rc = read_phrase_list(L, idx, pos, letter_words[k - RP_WORDS_NSUB], &l.words[k],
                              &l.nwords[k], err);
    if (rc == SR_OK)
        rc = check_comparison_words(pos, &l, err);
    if (rc == SR_OK)
        rc = opt_heading_max(L, idx, pos, "improvement_heading_max", &l.improvement_heading_max,
                             err);
    if (rc == SR_OK)
        rc = opt_heading_max(L, idx, pos, "capacity_heading_max", &l.capacity_heading_max, err);
    if (rc == SR_OK) rc = read_prov(L, idx, pos, &l.prov, err);
    if (rc != SR_OK) {
        free_letter(&l);
        return rc;
    }
    free_letter(&p->letter);
    l.declared = 1;
    p->letter = l;
    return SR_OK;
}

int rp_param_index(const rp_pack *p, const char *id)
{
    for (size_t i = 0; i < p->nparams; i++)
        if (strcmp(p->params[i].id, id) == 0)
            return (int)i;
    return -1;
}

typedef struct params_call {
    rp_pack *p;
    const double *values;
} params_call;

static int params_protected(lua_State *L)
{
    params_call *pc = lua_touserdata(L, 1);
    rp_pack *p = pc->p;
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->params_ref);
    for (size_t i = 0; i < p->nparams; i++) {
        lua_pushnumber(L, pc->values ? pc->values[i] : p->params[i].value);
        lua_setfield(L, -2, p->params[i].id); /* the table has __index only: a raw set */
    }
    return 0;
}

int rp_params_set(rp_pack *p, const double *values, sr_error *err)
{
    params_call pc = {p, values};
    int rc = lh_protect(p->host, params_protected, &pc, 0, err);
    if (rc != SR_OK)
        return rc;
    for (size_t i = 0; i < p->ncaps; i++) {
        rp_cap *c = &p->caps[i];
        if (!c->threshold_param)
            continue;
        size_t k = (size_t)c->threshold_param - 1;
        double v = values ? values[k] : p->params[k].value;
        if (c->has_above)
            c->above = v;
        else
            c->below = v;
    }
    /* The star rows keep their memo: they are the table, not a reconstructed number, and
     * must not read parameters (docs/rules.md). */
    p->param_gen++;
    return SR_OK;
}

typedef int (*conv_fn)(lua_State *, int, const decl_pos *, rp_pack *, sr_error *);

static int convert_all(loader *ld, sr_error *err)
{
    /* Order matters: services and scales before what refers to them, requirements and
     * indicators before caps, the rating before star rows. */
    static const struct { const char *kind; conv_fn fn; } passes[] = {
        {"service", conv_service},     {"scale", conv_scale},
        {"rating", conv_rating},       {"standard", conv_standard},
        {"indicator", conv_indicator}, {"requirement", conv_requirement},
        {"param", conv_param},         {"gaps", conv_gaps},
        {"cap", conv_cap},             {"star_rule", conv_star_rule},
        {"rule", conv_rule},           {"letter", conv_letter},
    };
    lua_State *L = lh_state(ld->p->host);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ld->decls_ref);
    int list = lua_gettop(L);
    size_t n = lua_rawlen(L, list);
    decl_key *keys = sr_calloc(n ? n : 1, sizeof *keys);
    int rc = keys ? check_all_fields(L, list, err) : sr_oom(err);
    if (rc == SR_OK)
        rc = check_duplicates(L, list, keys, n, err);
    for (size_t pass = 0; rc == SR_OK && pass < sizeof passes / sizeof passes[0]; pass++) {
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
            const char *kind = keys[i].pos.kind;
            int retire = strncmp(kind, "retire ", 7) == 0;
            if (strcmp(retire ? kind + 7 : kind, passes[pass].kind) != 0 ||
                (!retire && retired_later(keys, n, i)))
                continue;
            lua_rawgeti(L, list, (lua_Integer)i + 1);
            decl_pos pos;
            read_pos(L, -1, &pos);
            pos.index = (int)i + 1;
            if (retire && (rc = check_retire(keys, i, err)) == SR_OK)
                rc = conv_retire(L, lua_gettop(L), &pos, ld->p, err);
            else if (!retire)
                rc = passes[pass].fn(L, lua_gettop(L), &pos, ld->p, err);
            lua_pop(L, 1);
        }
    }
    sr_free(keys);
    lua_settop(L, list - 1);
    return rc;
}

/* The standards are numbered from 1 without a gap, and one at most informs capacity: the
 * capacity rule sees one grade. */
static int settle_standards(rp_pack *p, sr_error *err)
{
    for (int n = 1; n <= RP_STANDARDS; n++) {
        const rp_standard *st = &p->standards[n - 1];
        if (st->informs == RP_INFORMS_NONE)
            continue;
        if (n > p->nstandards + 1)
            return sr_fail(err, SR_ERULES, st->prov.file, st->prov.line, 0,
                           "standard %d is declared but standard %d is not: number the "
                           "standards from 1", n, p->nstandards + 1);
        p->nstandards = n;
        if (st->informs == RP_INFORMS_SERVING) {
            p->serving_standards |= 1u << (n - 1);
        } else if (p->capacity_standard) {
            const rp_standard *first = &p->standards[p->capacity_standard - 1];
            return sr_fail(err, SR_ERULES, st->prov.file, st->prov.line, 0,
                           "standard %d informs capacity, and so does standard %d (%s:%d): "
                           "the capacity rule sees one grade", n, first->number,
                           first->prov.file, first->prov.line);
        } else {
            p->capacity_standard = n;
        }
    }
    return SR_OK;
}

static rp_rule *rule_for(rp_pack *p, const char *layer)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].layer, layer) == 0)
            return &p->rules[i];
    return NULL;
}

static int read_identity(loader *ld, const char *dir, sr_error *err)
{
    lua_State *L = lh_state(ld->p->host);
    ld->depth = 1;
    push_manifest(L, ld);
    int m = lua_gettop(L);
    decl_pos pos;
    read_pos(L, m, &pos);
    int rc = need_string(L, m, &pos, "name", &ld->p->name, err);
    if (rc == SR_OK) rc = need_string(L, m, &pos, "version", &ld->p->version, err);
    if (rc == SR_OK) rc = need_string(L, m, &pos, "title", &ld->p->title, err);
    if (rc == SR_OK) rc = need_int(L, m, &pos, "round", 1990, 2099, &ld->p->round, err);
    lua_settop(L, m - 1);
    if (rc == SR_OK && !(ld->p->dir = sr_strdup(dir)))
        rc = sr_oom(err);
    return rc;
}

/* Creates, in protected mode, what loading needs inside the state: the loader (a full
 * userdata, so it lives exactly as long as the state: at_least and rank use it while rules
 * run), the list of declarations, the manifests by depth, the interned field names, and the
 * API table, which it returns. */
static int setup(lua_State *L)
{
    struct { rp_pack *p; loader *ld; } *s = lua_touserdata(L, 1);
    loader *ld = lua_newuserdatauv(L, sizeof *ld, 0);
    memset(ld, 0, sizeof *ld);
    ld->p = s->p;
    s->ld = ld;
    luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    ld->decls_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, MAX_EXTENDS + 2, 0);
    for (int i = 1; i <= MAX_EXTENDS + 2; i++) {
        lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i);
    }
    ld->manifests_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    for (int i = 0; field_names[i]; i++) {
        lua_pushstring(L, field_names[i]);
        lua_rawseti(L, -2, i + 1);
    }
    luaL_ref(L, LUA_REGISTRYINDEX);
    s->p->decls_ref = ld->decls_ref;
    push_api(L, ld);
    return 1;
}

static int rp_load_dir(const char *dir, const lh_limits *lim, rp_pack **out, sr_error *err);

int rp_load(const char *dir_given, const lh_limits *lim, rp_pack **out, sr_error *err)
{
    *out = NULL;
    /* "rules/2003/" and "rules/2003" are the same pack: the base is found beside it. */
    char *dir = path_printf("%.4000s", dir_given);
    if (!dir)
        return sr_oom(err);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
        dir[n - 1] = '\0';
    int rc = rp_load_dir(dir, lim, out, err);
    sr_free(dir);
    return rc;
}

/* rp_load with the folder's name tidied up (allocated, not an array on the stack: every
 * frame here lies above the whole load). */
static int rp_load_dir(const char *dir, const lh_limits *lim, rp_pack **out, sr_error *err)
{
    rp_pack *p = sr_calloc(1, sizeof *p);
    if (!p)
        return sr_oom(err);
    static atomic_ulong serials;
    p->serial = atomic_fetch_add(&serials, 1) + 1;
    int rc = lh_open(lim ? lim : &lh_default_limits, &p->host, err);
    if (rc != SR_OK) {
        sr_free(p);
        return rc;
    }
    lua_State *L = lh_state(p->host);
    struct { rp_pack *p; loader *ld; } s = {p, NULL};
    if ((rc = lh_protect(p->host, setup, &s, 1, err)) != SR_OK) {
        rp_free(p);
        return rc;
    }
    loader *ld = s.ld;
    int api = lua_gettop(L);
    if ((rc = hs_begin(&ld->hash, err)) == SR_OK) {
        rc = load_folder(ld, api, dir, 0, err);
        char hex[65];
        /* after a failure the hash is only dropped (no sr_error of 1.5 KB in this frame,
         * which lies above the whole load) */
        if (rc == SR_OK && (rc = hs_finish(ld->hash, hex, err)) == SR_OK)
            memcpy(p->sha256, hex, sizeof hex);
        else if (rc != SR_OK && ld->hash)
            hs_abort(ld->hash);
        ld->hash = NULL;
    }
    loader_forget_paths(ld);
    lua_settop(L, api - 1);
    if (rc == SR_OK) rc = read_identity(ld, dir, err);
    if (rc == SR_OK) rc = convert_all(ld, err);
    if (rc == SR_OK) rc = settle_standards(p, err);
    if (rc != SR_OK) {
        rp_free(p);
        return rc;
    }
    p->grade_rule = rule_for(p, "grade");
    p->serving_rule = rule_for(p, "serving");
    p->capacity_grade_rule = rule_for(p, "capacity_grade");
    p->capacity_rule = rule_for(p, "capacity");
    if ((rc = rp_params_set(p, NULL, err)) != SR_OK) {
        rp_free(p);
        return rc;
    }
    *out = p;
    return SR_OK;
}

void rp_free(rp_pack *p)
{
    if (!p)
        return;
    lua_State *L = NULL; /* references die with the state; no need to unref one by one */
    for (size_t i = 0; i < p->nservices; i++)
        free_service(&p->services[i]);
    for (size_t i = 0; i < p->nretired; i++) {
        sr_free(p->retired[i].id);
        free_prov(&p->retired[i].prov);
    }
    sr_free(p->retired);
    free_scale(&p->serving), free_scale(&p->capacity), free_scale(&p->grade);
    sr_free(p->rating_unit);
    free_prov(&p->rating_prov);
    for (size_t i = 0; i < RP_STANDARDS; i++)
        free_standard(&p->standards[i]);
    for (size_t i = 0; i < p->nindicators; i++)
        free_indicator(&p->indicators[i]);
    sr_free(p->indicators);
    for (size_t i = 0; i < p->nrequirements; i++)
        free_requirement(&p->requirements[i]);
    sr_free(p->requirements);
    for (size_t i = 0; i < p->ncaps; i++)
        free_cap(&p->caps[i]);
    sr_free(p->caps);
    for (size_t i = 0; i < p->nstar_rules; i++)
        free_star_rule(L, &p->star_rules[i]);
    sr_free(p->star_rules);
    for (size_t i = 0; i < p->nrules; i++)
        free_rule(L, &p->rules[i]);
    sr_free(p->rules);
    for (size_t i = 0; i < p->nparams; i++)
        free_param(&p->params[i]);
    sr_free(p->params);
    free_prov(&p->gaps.prov);
    free_letter(&p->letter);
    sr_free_strings(p->files, p->nfiles);
    sr_free(p->name), sr_free(p->version), sr_free(p->title), sr_free(p->dir);
    lh_close(p->host);
    sr_free(p);
}

/* ---- lookups -------------------------------------------------------------------------- */

int rp_service_index(const rp_pack *p, const char *id)
{
    for (size_t i = 0; i < p->nservices; i++)
        if (strcmp(p->services[i].id, id) == 0)
            return (int)i;
    return -1;
}

int rp_word_index(const rp_scale *s, const char *id)
{
    for (size_t i = 0; i < s->nwords; i++)
        if (strcmp(s->words[i].id, id) == 0)
            return (int)i;
    return -1;
}

const rp_indicator *rp_indicator_find(const rp_pack *p, const char *code)
{
    int i = find_by_code(p, code);
    return i < 0 ? NULL : &p->indicators[i];
}

int rp_informs_serving(const rp_pack *p, int n)
{
    return n >= 1 && n <= RP_STANDARDS && p->standards[n - 1].informs == RP_INFORMS_SERVING;
}

void rp_serving_span(const rp_pack *p, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int n = 1; n <= RP_STANDARDS && used < len; n++) {
        if (!rp_informs_serving(p, n) || rp_informs_serving(p, n - 1))
            continue;
        int last = n;
        while (rp_informs_serving(p, last + 1))
            last++;
        used += (size_t)(last > n ? snprintf(out + used, len - used, "%s%d-%d", used ? ", " : "", n, last)
                                  : snprintf(out + used, len - used, "%s%d", used ? ", " : "", n));
    }
}

const rp_requirement *rp_requirement_find(const rp_pack *p, const char *id)
{
    for (size_t i = 0; i < p->nrequirements; i++)
        if (strcmp(p->requirements[i].id, id) == 0)
            return &p->requirements[i];
    return NULL;
}

/* ---- the star table ------------------------------------------------------------------- */

int rp_push_function(rp_pack *p, int fnref, const char *field)
{
    lua_State *L = lh_state(p->host);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->decls_ref);
    lua_rawgeti(L, -1, fnref);
    int t = rawfield(L, -1, field);
    lua_replace(L, -3);
    lua_pop(L, 1);
    return t;
}

typedef struct stars_call {
    rp_pack *p;
    const int *serving, *capacity;
    int row;
    int rc;
    sr_error *err;
} stars_call;

/* In protected mode: builds { <service> = { serving = word, capacity = word }, ... }, makes
 * it read-only and tries the rows in order. Errors of a row come back in sc->rc. */
static int stars_protected(lua_State *L)
{
    stars_call *sc = lua_touserdata(L, 1);
    rp_pack *p = sc->p;
    lua_createtable(L, 0, (int)p->nservices);
    for (size_t s = 0; s < p->nservices; s++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, p->serving.words[sc->serving[s]].id);
        lua_setfield(L, -2, "serving");
        lua_pushstring(L, p->capacity.words[sc->capacity[s]].id);
        lua_setfield(L, -2, "capacity");
        lua_setfield(L, -2, p->services[s].id);
    }
    if ((sc->rc = lh_make_readonly(p->host, sc->err)) != SR_OK)
        return 0;
    int j = lua_gettop(L);
    for (size_t i = 0; i < p->nstar_rules; i++) {
        rp_push_function(p, p->star_rules[i].fnref, "when");
        lua_pushvalue(L, j);
        if ((sc->rc = lh_pcall(p->host, 1, 1, sc->err)) != SR_OK)
            return 0;
        int hit = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (hit) {
            sc->row = (int)i;
            break;
        }
    }
    return 0;
}

/* Where a combination of judgements is remembered in p->star_memo: the word indexes read as
 * the digits of one number. -1, and nothing is remembered, when the pack's scales give more
 * combinations than fit or a word index is off its scale. */
static int star_memo_slot(const rp_pack *p, const int *serving, const int *capacity)
{
    size_t slot = 0, span = 1;
    for (size_t s = 0; s < p->nservices; s++) {
        if (serving[s] < 0 || (size_t)serving[s] >= p->serving.nwords || capacity[s] < 0 ||
            (size_t)capacity[s] >= p->capacity.nwords)
            return -1;
        slot = slot * p->serving.nwords + (size_t)serving[s];
        slot = slot * p->capacity.nwords + (size_t)capacity[s];
        span *= p->serving.nwords * p->capacity.nwords;
        if (span == 0 || span > RP_STAR_MEMO)
            return -1;
    }
    return p->nstar_rules + 2 <= SHRT_MAX ? (int)slot : -1;
}

/* The rows are tried in Lua once per combination and the answer remembered: a row is a
 * function of the judgement words alone, since its input is read-only and the sandbox
 * seals every global once the pack has loaded (no evaluation can leave state for the next).
 * An error is not remembered, so it is raised again the next time. */
int rp_stars(rp_pack *p, const int *serving, const int *capacity, int *row, sr_error *err)
{
    int slot = star_memo_slot(p, serving, capacity);
    if (slot >= 0 && p->star_memo[slot]) {
        *row = p->star_memo[slot] - 2;
        return SR_OK;
    }
    stars_call sc = {p, serving, capacity, -1, SR_OK, err};
    int rc = lh_protect(p->host, stars_protected, &sc, 0, err);
    *row = sc.row;
    if (rc == SR_OK)
        rc = sc.rc;
    if (rc == SR_OK && slot >= 0)
        p->star_memo[slot] = (short)(sc.row + 2);
    return rc;
}

/* ---- check ---------------------------------------------------------------------------- */

static void report(sr_buf *out, int *count, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void report(sr_buf *out, int *count, const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sr_buf_printf(out, "%s:%d: error: %s\n", file, line, msg);
    (*count)++;
}

static void check_declarations(rp_pack *p, sr_buf *out, int *count)
{
    if (p->nservices == 0)
        report(out, count, p->dir, 0, "the pack declares no service");
    const rp_scale *scales[] = {&p->serving, &p->capacity, &p->grade};
    const char *names[] = {"serving", "capacity", "grade"};
    for (size_t i = 0; i < 3; i++)
        if (scales[i]->nwords == 0)
            report(out, count, p->dir, 0, "the pack declares no '%s' scale", names[i]);
    if (p->nstandards == 0)
        report(out, count, p->dir, 0, "the pack declares no standard");
    else if (!p->serving_standards)
        report(out, count, p->dir, 0, "no standard informs serving");
    if (!p->rating_unit)
        report(out, count, p->dir, 0, "the pack declares no rating scale");
    if (p->nstar_rules == 0)
        report(out, count, p->dir, 0, "the pack declares no star rule");
}

int rp_next_completion(int *const *slots, const int *sizes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (++*slots[i] < sizes[i])
            return 1;
        *slots[i] = 0;
    }
    return 0;
}

static int check_star_table(rp_pack *p, sr_buf *out, int *count, sr_error *err)
{
    int serving[RP_MAX_SERVICES] = {0}, capacity[RP_MAX_SERVICES] = {0};
    int *slots[2 * RP_MAX_SERVICES], sizes[2 * RP_MAX_SERVICES];
    for (size_t s = 0; s < p->nservices; s++) {
        slots[2 * s] = &serving[s], sizes[2 * s] = (int)p->serving.nwords;
        slots[2 * s + 1] = &capacity[s], sizes[2 * s + 1] = (int)p->capacity.nwords;
    }
    int *first = sr_calloc(p->nstar_rules ? p->nstar_rules : 1, sizeof *first);
    if (!first)
        return sr_oom(err);
    int rc = SR_OK;
    long unmatched = 0;
    do {
        int row;
        lh_budget_reset(p->host);
        if ((rc = rp_stars(p, serving, capacity, &row, err)) != SR_OK)
            break;
        if (row < 0) {
            if (unmatched++ < 5) {
                char combo[256] = "";
                for (size_t s = 0; s < p->nservices; s++)
                    snprintf(combo + strlen(combo), sizeof combo - strlen(combo), "%s%s %s/%s",
                             s ? ", " : "", p->services[s].id, p->serving.words[serving[s]].id,
                             p->capacity.words[capacity[s]].id);
                report(out, count, p->dir, 0, "no star rule matches %s", combo);
            }
        } else {
            first[row]++;
        }
    } while (rp_next_completion(slots, sizes, 2 * p->nservices));
    if (unmatched > 5)
        report(out, count, p->dir, 0, "... and %ld more combinations match no star rule",
               unmatched - 5);
    for (size_t i = 0; rc == SR_OK && i < p->nstar_rules; i++)
        if (first[i] == 0)
            report(out, count, p->star_rules[i].prov.file, p->star_rules[i].prov.line,
                   "star rule '%s' is never the first match: rows above it cover every case",
                   p->star_rules[i].id);
    sr_free(first);
    return rc;
}

int rp_check(rp_pack *p, sr_buf *out, sr_error *err)
{
    int count = 0;
    check_declarations(p, out, &count);
    if (count == 0 || (p->nservices && p->serving.nwords && p->capacity.nwords)) {
        int rc = check_star_table(p, out, &count, err);
        if (rc != SR_OK)
            return -rc;
    }
    return count;
}

const char *rp_unit(const rp_pack *p, int n)
{
    return n == 1 && strcmp(p->rating_unit, "stars") == 0 ? "star" : p->rating_unit;
}

void rp_stars_phrase(sr_buf *b, const rp_pack *p, int stars)
{
    if (stars < 0)
        sr_buf_puts(b, "not settled");
    else
        sr_buf_printf(b, "%d %s", stars, rp_unit(p, stars));
}

const char *rp_word_id(const rp_scale *sc, int w, const char *none) { return w >= 0 ? sc->words[w].id : none; }

const char *rp_prov_text(int reconstructed) { return reconstructed ? "reconstructed" : "documented"; }

const char *rp_prov_json(int reconstructed) { return reconstructed ? "reconstructed" : "source"; }
