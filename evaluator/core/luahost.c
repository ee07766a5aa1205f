/*
 * luahost.c — the sandboxed Lua 5.4 host for rule packs.
 *
 * Rule code is data we do not trust: it must not touch the file system, the clock, the
 * process or the host's memory, and it must not be able to hang or crash an evaluation. The
 * policy below is an allow-list (modelled on Redis' script_lua.c): a name that is not listed
 * is simply absent from the environment rule code runs in. Everything else in this file is
 * the machinery that keeps that environment closed:
 *
 *   - a custom allocator that routes through sr_realloc/sr_free (so tests can inject
 *     failures) and refuses to let the state grow past the memory cap;
 *   - a count hook that stops rule code after the instruction budget;
 *   - guards around the library functions that do unmetered work in C, and a pattern
 *     matcher of our own (luapattern.c) whose steps count against the budget;
 *   - environments whose reads fall back to the API and the base and whose writes are
 *     refused once loading is over;
 *   - read-only proxies for the libraries and for whatever evidence the evaluator hands in;
 *   - one C message handler for every call into Lua, turning errors into "FILE:LINE: MSG".
 *
 * Every API function that can allocate runs inside lua_pcall: an unprotected Lua error would
 * end in the panic handler, i.e. abort().
 */
/* timer_create's SIGEV_THREAD_ID (a per-thread CPU-time alarm, see "CPU time") is Linux's. */
#define _GNU_SOURCE
#include "luahost.h"
#include "luapattern.h"
#include "pool.h"

#include <lauxlib.h>
#include <limits.h>
#include <lualib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- sandbox policy ------------------------------------------------------------------
 *
 * Base functions rule code may use. Deliberately absent: print (output belongs to the
 * evaluator), load/loadfile/dofile/require (new code from outside the pack), collectgarbage
 * (GC control), rawset/rawget/rawlen (they would bypass the read-only proxies and the
 * environment guards), and the io, os, package, debug and coroutine libraries altogether.
 * `setmetatable` and `xpcall` are not the stock ones (see sandbox_setmetatable and
 * sandbox_xpcall): both stock versions let rule code run Lua with hooks disabled, i.e.
 * outside the instruction budget.
 */
static const char *const base_allow[] = {
    "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber", "tostring",
    "type", "getmetatable", "rawequal", "_VERSION", NULL,
};

/* string without `dump` (it produces bytecode). rep is listed under string_guarded and
 * find, match, gmatch and gsub under string_patterns instead: they are replaced by guards,
 * see "guards" and "the pattern matcher's budget" below. */
static const char *const string_allow[] = {
    "byte", "char", "format", "len", "lower", "pack", "packsize", "reverse", "sub", "unpack",
    "upper", NULL,
};

/* table: insert, remove, move, sort, concat and unpack are guarded (see table_guarded). */
static const char *const table_allow[] = {"pack", NULL};

/* math without random and randomseed: an evaluation must be deterministic. */
static const char *const math_allow[] = {
    "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge", "log",
    "max", "maxinteger", "min", "mininteger", "modf", "pi", "rad", "sin", "sqrt", "tan",
    "tointeger", "type", "ult", NULL,
};

static const char *const utf8_allow[] = {
    "char", "charpattern", "codepoint", "codes", "len", "offset", NULL,
};

/* Guards (below) wrap these; each keeps the original function as its upvalue 1. */
typedef struct guarded_fn {
    const char *name;
    lua_CFunction guard;
} guarded_fn;

static int guard_find(lua_State *L);
static int guard_match(lua_State *L);
static int guard_gmatch(lua_State *L);
static int guard_gsub(lua_State *L);
static int guard_rep(lua_State *L);
static int guard_length(lua_State *L);
static int guard_sort(lua_State *L);
static int guard_concat(lua_State *L);
static int guard_move(lua_State *L);
static int guard_unpack(lua_State *L);

static const guarded_fn string_guarded[] = {
    {"rep", guard_rep},
    {NULL, NULL},
};

static const guarded_fn table_guarded[] = {
    {"insert", guard_length}, {"remove", guard_length}, {"sort", guard_sort},
    {"concat", guard_concat}, {"move", guard_move},     {"unpack", guard_unpack},
    {NULL, NULL},
};

/* Lua's matcher backtracks in C, where the count hook never fires: the sandbox's pattern
 * functions are luapattern.c's copy of it, which counts its steps, behind a guard on the
 * subject. Their upvalue 1 is the host's meter rather than an original function. */
static const guarded_fn string_patterns[] = {
    {"find", guard_find}, {"match", guard_match}, {"gmatch", guard_gmatch},
    {"gsub", guard_gsub}, {NULL, NULL},
};

typedef struct lib_policy {
    const char *name;
    lua_CFunction open;
    const char *const *allow;
    const guarded_fn *guarded;
    int charged; /* the allowed functions are wrapped by guard_charged */
} lib_policy;

static const lib_policy libs[] = {
    {LUA_STRLIBNAME, luaopen_string, string_allow, string_guarded, 1},
    {LUA_TABLIBNAME, luaopen_table, table_allow, table_guarded, 0},
    {LUA_MATHLIBNAME, luaopen_math, math_allow, NULL, 0},
    {LUA_UTF8LIBNAME, luaopen_utf8, utf8_allow, NULL, 1},
};

/* Base functions that scan a string argument in C (tonumber) or may return it (tostring). */
static const char *const base_charged[] = {"tonumber", "tostring", "select", NULL};

/* ---- limits ---------------------------------------------------------------------------- */

const lh_limits lh_default_limits = {64u * 1024 * 1024, 20000000};

/* The count hook fires every LH_HOOK_STEP VM instructions. */
#define LH_HOOK_STEP 1000
/* Work done in C (bytes allocated, bytes scanned by a pattern) is charged to the instruction
 * budget at one instruction per LH_BYTES_PER_INSTR bytes. Without it `s .. "x"` on a 32 MiB
 * string is a single VM instruction, and a loop of them could run for hours within budget. */
#define LH_BYTES_PER_INSTR 64
/* Bytes a string or utf8 function, tonumber or tostring may scan for one instruction: they
 * decode byte by byte, so a byte costs more than one a memcpy moves (see guard_charged). */
#define LH_SCAN_BYTES_PER_INSTR 4
/* The longest string rule code can make (see lh_alloc), so also the longest subject of the
 * pattern functions and result of string.rep. Far below the memory cap, so that a copy, a
 * scan or a comparison of one string stays cheap. */
#define LH_MAX_STRING (1024 * 1024)
#define LH_MAX_SUBJECT LH_MAX_STRING
/* Room for the header of a string object (TString) when Lua asks for a string's block. */
#define LH_STRING_HEADER 64
/* CPU time one evaluation may take, in seconds: the backstop for work no charge sees (a
 * comparison of two long strings is one VM instruction). See "CPU time". The sanitizer build
 * runs several times slower, and must still reach the instruction budget first. */
#ifdef __SANITIZE_ADDRESS__
#define LH_CPU_SECONDS 15
#else
#define LH_CPU_SECONDS 3
#endif
/* Elements table.insert/remove/sort/concat/move may walk in one call; see guard_length. */
#define LH_MAX_TABLE_WALK (1024 * 1024)
/* Largest rule file lh_run_file reads. */
#define LH_MAX_FILE (8u * 1024 * 1024)

#define BASE_KEY "starrate.luahost.base"
#define ENV_METATABLE_NAME "environment"
#define RO_METATABLE_NAME "read-only"
#define STRING_METATABLE_NAME "string"

struct lh_host {
    lua_State *L;
    lh_limits lim;
    size_t mem_used;   /* bytes the state holds */
    int cap_hit;       /* the allocator refused because of the cap (since the last call) */
    int str_hit;       /* the allocator refused a string longer than LH_MAX_STRING */
    size_t pool_used;  /* of mem_used, bytes in pool blocks (the pool holds pl_held bytes) */
    volatile sig_atomic_t cpu_hit; /* the CPU-time alarm rang during this evaluation */
    int cpu_over;      /* the evaluation was stopped for its CPU time */
    int oom_hit;       /* sr_realloc itself failed (injected or real) */
    long instr_used;   /* charged to the budget since lh_budget_reset */
    size_t work_bytes; /* C work not yet converted into instructions */
    int tripped;       /* the hook was switched to every instruction to settle work_bytes */
    int budget_hit;    /* budget exhausted: every further instruction raises */
    int depth;         /* nesting of lh_pcall: work is charged only while rule code runs */
    char mem_file[512]; /* where rule code was when an allocation was last refused */
    int mem_line;       /* 0: not known */
    lp_meter meter;     /* the pattern functions' step budget (see metered_matcher) */
    pl_pool pool;       /* small blocks (see block_resize) */
};

/* The host travels with the state in its extra space so hooks and guards can find it. */
static lh_host *host_of(lua_State *L) { return *(lh_host **)lua_getextraspace(L); }

/* ---- allocator ------------------------------------------------------------------------- */

static void budget_hook(lua_State *L, lua_Debug *ar);

static long add_saturating(long a, size_t b)
{
    return b > (size_t)(LONG_MAX - a) ? LONG_MAX : a + (long)b;
}

/* Charges C work. The count hook only fires between VM instructions, so once the charge
 * alone exceeds the budget the hook is made to fire at the very next instruction. */
static void charge_work(lh_host *h, size_t bytes)
{
    if (h->depth == 0 || !h->L)
        return;
    h->work_bytes += bytes;
    if (h->budget_hit || h->tripped)
        return;
    if (add_saturating(h->instr_used, h->work_bytes / LH_BYTES_PER_INSTR) > h->lim.instr_budget) {
        h->tripped = 1;
        /* lua_sethook only stores fields (lua.c calls it from a signal handler). */
        lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, 1);
    }
}

static void note_refusal(lh_host *h);

/* Small blocks come from the host's pool (pool.h), larger ones from sr_realloc. Under
 * AddressSanitizer every block goes to the system allocator, so that the sanitizer still
 * sees each Lua object as a block of its own. */
#ifdef __SANITIZE_ADDRESS__
#define LH_POOLED 0
#else
#define LH_POOLED 1
#endif

static int pooled(size_t size) { return LH_POOLED && pl_fits(size); }

static void block_free(lh_host *h, void *ptr, size_t size)
{
    if (!ptr)
        return;
    if (pooled(size))
        pl_free(&h->pool, ptr, size);
    else
        sr_free(ptr);
}

/* A block of nsize bytes holding the first bytes of ptr (old bytes, 0 for none), which is
 * released on success. NULL when no memory could be had; ptr is then untouched. */
static void *block_resize(lh_host *h, void *ptr, size_t old, size_t nsize)
{
    int was_pooled = ptr && pooled(old);
    if (!pooled(nsize) && !was_pooled)
        return sr_realloc(ptr, nsize);
    if (was_pooled && pooled(nsize) && pl_same_class(old, nsize))
        return ptr;
    void *b = pooled(nsize) ? pl_alloc(&h->pool, nsize) : sr_malloc(nsize);
    if (!b)
        return NULL;
    if (ptr) {
        memcpy(b, ptr, old < nsize ? old : nsize);
        block_free(h, ptr, old);
    }
    return b;
}

/* What the host holds: the blocks Lua has outside the pool, and the pool's chunks whole
 * (a block Lua freed stays in the pool, for its size class only). */
static size_t held_bytes(const lh_host *h)
{
    return h->mem_used - h->pool_used + pl_held(&h->pool);
}

/* How much more the host would hold after resizing a block of old bytes to nsize. */
static size_t growth(const lh_host *h, void *ptr, size_t old, size_t nsize)
{
    int was_pooled = ptr && pooled(old);
    if (was_pooled && pooled(nsize) && pl_same_class(old, nsize))
        return 0;
    size_t add = pooled(nsize) ? (pl_needs_chunk(&h->pool, nsize) ? PL_CHUNK : 0) : nsize;
    size_t drop = ptr && !was_pooled ? old : 0;
    return add > drop ? add - drop : 0;
}

/* A refused request: Lua collects all garbage and asks once more before it raises, so a
 * refusal costs work in proportion to what the state holds. Charging it keeps a loop of
 * caught memory errors within the instruction budget. */
static void *refuse(lh_host *h, int *flag)
{
    *flag = 1;
    note_refusal(h);
    charge_work(h, h->mem_used);
    return NULL;
}

/* lua_Alloc. Growth past mem_limit is refused; Lua then collects garbage, retries once and
 * raises LUA_ERRMEM. A failed shrink keeps the old, larger block, which serves the smaller
 * size as well, except when a system block would have to become a pool block: Lua would
 * later hand it to the pool, so that shrink fails instead (Lua 5.4 allows the allocator to
 * fail any request, and copes). A new string (osize is then the tag LUA_TSTRING) longer than
 * LH_MAX_STRING is refused too, whatever makes it: concatenation, string.format,
 * table.concat, gsub... */
static void *lh_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lh_host *h = ud;
    size_t old = ptr ? osize : 0; /* for new objects osize is a type tag, not a size */
    if (nsize == 0) {
        block_free(h, ptr, old);
        h->mem_used -= old;
        if (ptr && pooled(old))
            h->pool_used -= old;
        return NULL;
    }
    if (!ptr && osize == LUA_TSTRING && nsize > LH_MAX_STRING + LH_STRING_HEADER)
        return refuse(h, &h->str_hit);
    void *p = NULL;
    if (nsize > old) {
        size_t held = held_bytes(h), more = growth(h, ptr, old, nsize);
        if (held > h->lim.mem_limit || more > h->lim.mem_limit - held) {
            /* At the cap a small block may still be had from a free block of a larger class:
             * the pool holds it already. */
            p = pooled(nsize) ? pl_alloc_spare(&h->pool, nsize) : NULL;
            if (!p)
                return refuse(h, &h->cap_hit);
            if (ptr) {
                memcpy(p, ptr, old);
                block_free(h, ptr, old);
            }
        }
    }
    if (!p)
        p = block_resize(h, ptr, old, nsize);
    if (!p) {
        if (nsize <= old && pooled(old) == pooled(nsize)) {
            h->mem_used -= old - nsize;
            if (pooled(old))
                h->pool_used -= old - nsize;
            return ptr;
        }
        return refuse(h, &h->oom_hit);
    }
    h->mem_used = h->mem_used - old + nsize;
    if (ptr && pooled(old))
        h->pool_used -= old;
    if (pooled(nsize))
        h->pool_used += nsize;
    if (nsize > old)
        charge_work(h, nsize - old);
    return p;
}

/* ---- positions ------------------------------------------------------------------------- */

/* The file a frame belongs to: the full chunk name without '@' (short_src is cut at
 * LUA_IDSIZE characters). */
static const char *frame_file(const lua_Debug *ar)
{
    return ar->source && ar->source[0] == '@' ? ar->source + 1 : ar->short_src;
}

typedef struct msg_pos {
    size_t file_len;  /* the file is the first file_len bytes of the message */
    int line;
    const char *rest; /* the message after "FILE:LINE: " */
} msg_pos;

/* Recognises the "FILE:LINE:" prefix Lua puts on positioned messages: the first ':' that is
 * followed by digits and another ':', before any newline. */
static int split_position(const char *s, msg_pos *out)
{
    for (const char *p = s; *p && *p != '\n'; p++) {
        if (*p != ':' || p == s || p[1] < '0' || p[1] > '9')
            continue;
        const char *d = p + 1;
        long line = 0;
        for (; *d >= '0' && *d <= '9'; d++)
            if (line < INT_MAX / 10)
                line = line * 10 + (*d - '0');
        if (*d != ':')
            continue;
        out->file_len = (size_t)(p - s);
        out->line = (int)line;
        out->rest = d[1] == ' ' ? d + 2 : d + 1;
        return 1;
    }
    return 0;
}

/* Lua shortens long chunk names to "...tail"; give back the full name when it is known. */
static void fix_truncated(char *file, size_t filesz, const char *known)
{
    size_t fl = strlen(file), kl = known ? strlen(known) : 0;
    if (fl < 3 || strncmp(file, "...", 3) != 0 || kl < fl - 3)
        return;
    if (strcmp(known + kl - (fl - 3), file + 3) == 0)
        snprintf(file, filesz, "%s", known);
}

/* Lua does not call the message handler for memory errors, so the allocator notes where
 * rule code was when it refused: the innermost Lua frame with a line. Reading the stack here
 * is what luaG_runerror does from the same allocation sites (luaM_toobig), and since the
 * count hook is always set the VM saves the pc before every instruction. The frames are
 * consistent at every allocation: a new CallInfo or stack is allocated before it is used. */
static void note_refusal(lh_host *h)
{
    lua_Debug ar;
    if (!h->L || h->depth == 0)
        return;
    for (int level = 0; lua_getstack(h->L, level, &ar); level++) {
        if (lua_getinfo(h->L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(h->mem_file, sizeof h->mem_file, "%s", frame_file(&ar));
            h->mem_line = ar.currentline;
            return;
        }
    }
}

/* The function being called by lh_pcall: memory errors are reported at it when the
 * allocator did not see a Lua line (see note_refusal). */
typedef struct call_pos {
    char file[512];
    int line;
} call_pos;

static void record_call_pos(lua_State *L, int fn, call_pos *pos)
{
    lua_Debug ar;
    pos->file[0] = '\0';
    pos->line = 0;
    if (!lua_isfunction(L, fn))
        return;
    lua_pushvalue(L, fn);
    if (lua_getinfo(L, ">S", &ar) && strcmp(ar.what, "C") != 0) {
        snprintf(pos->file, sizeof pos->file, "%s", frame_file(&ar));
        pos->line = ar.linedefined;
    }
}

/* ---- message handler and error reports ------------------------------------------------- */

/* The message handler of every call into Lua. It never calls metamethods of the error value
 * (a __tostring written by a rule could loop or raise), and it adds the position of the
 * innermost Lua frame to messages that have none (error("x", 0), errors raised from C). */
static int msg_handler(lua_State *L)
{
    int t = lua_type(L, 1);
    if (t == LUA_TNUMBER)
        lua_tostring(L, 1); /* converts in place */
    else if (t != LUA_TSTRING) {
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        lua_replace(L, 1);
    }
    const char *msg = lua_tostring(L, 1);
    msg_pos mp;
    lua_Debug ar;
    if (split_position(msg, &mp)) {
        if (mp.file_len < 3 || strncmp(msg, "...", 3) != 0)
            return 1;
        /* Lua cut a long file name: find the frame it came from and use its full name. */
        for (int level = 1; lua_getstack(L, level, &ar); level++) {
            lua_getinfo(L, "S", &ar);
            if (strlen(ar.short_src) == mp.file_len &&
                strncmp(ar.short_src, msg, mp.file_len) == 0) {
                lua_pushfstring(L, "%s:%d: %s", frame_file(&ar), mp.line, mp.rest);
                return 1;
            }
        }
        return 1;
    }
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: %s", frame_file(&ar), ar.currentline, msg);
            return 1;
        }
    }
    return 1;
}

/* A refusal by the cap is a limit; a failure of sr_realloc itself is out of memory. */
static int memory_error_at(const lh_host *h, const char *file, int line, sr_error *err)
{
    if (h->str_hit && !h->cap_hit && !h->oom_hit)
        return sr_fail(err, SR_ELIMIT, file, line, 0, "string longer than %d bytes",
                       LH_MAX_STRING);
    if (h->oom_hit && !h->cap_hit)
        return sr_fail(err, SR_ENOMEM, file, line, 0, "out of memory");
    return sr_fail(err, SR_ELIMIT, file, line, 0, "memory cap of %zu bytes exceeded",
                   h->lim.mem_limit);
}

static int memory_error(const lh_host *h, const call_pos *pos, sr_error *err)
{
    if (h->mem_line > 0)
        return memory_error_at(h, h->mem_file, h->mem_line, err);
    return memory_error_at(h, pos->file, pos->line, err);
}

/* Fills err from a failed call whose error value is on top of the stack (left there).
 * `in_rules` says rule code ran, so an exhausted budget explains the failure; `known` is the
 * full chunk name when the caller knows it. */
static int report_error(const lh_host *h, int status, int in_rules, const call_pos *pos,
                        const char *known, sr_error *err)
{
    lua_State *L = h->L;
    int mem = h->cap_hit || h->oom_hit || h->str_hit;
    /* The message handler is not called for memory errors; if it failed for lack of memory
     * itself the result is LUA_ERRERR. */
    if (status == LUA_ERRMEM || (status == LUA_ERRERR && mem))
        return memory_error(h, pos, err);
    int code = in_rules && h->budget_hit ? SR_ELIMIT : SR_ERULES;
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!msg)
        return sr_fail(err, code, pos->file, pos->line, 0, "(error object is a %s value)",
                       luaL_typename(L, -1));
    msg_pos mp;
    if (!split_position(msg, &mp))
        return sr_fail(err, code, pos->file, pos->line, 0, "%s", msg);
    char file[512];
    snprintf(file, sizeof file, "%.*s", (int)(mp.file_len < 511 ? mp.file_len : 511), msg);
    fix_truncated(file, sizeof file, known);
    /* A rule that caught a memory error with pcall and raised it again. */
    if (mem && strcmp(mp.rest, "not enough memory") == 0)
        return memory_error_at(h, file, mp.line, err);
    return sr_fail(err, code, file, mp.line, 0, "%s", mp.rest);
}

/* Flags describe the current outermost call only. */
static void begin_call(lh_host *h)
{
    if (h->depth == 0) {
        h->cap_hit = h->oom_hit = h->str_hit = 0;
        h->mem_line = 0;
    }
}

/* After a memory error the state holds the garbage of the failed call right up to the cap;
 * a full collection makes room for the next evaluation. */
static void after_error(lh_host *h, int status)
{
    if (status == LUA_ERRMEM || h->cap_hit || h->oom_hit || h->str_hit)
        lua_gc(h->L, LUA_GCCOLLECT);
}

/* Runs host-side setup (a C function and its arguments on the stack) in protected mode. */
static int protected_call(lh_host *h, int nargs, int nresults, sr_error *err)
{
    lua_State *L = h->L;
    call_pos pos = {"", 0};
    begin_call(h);
    int status = lua_pcall(L, nargs, nresults, 0);
    if (status == LUA_OK)
        return SR_OK;
    int rc = report_error(h, status, 0, &pos, NULL, err);
    lua_pop(L, 1);
    after_error(h, status);
    return rc;
}

int lh_pcall(lh_host *h, int nargs, int nresults, sr_error *err)
{
    lua_State *L = h->L;
    int fn = lua_gettop(L) - nargs;
    if (!lua_checkstack(L, 3)) {
        lua_settop(L, fn - 1);
        return sr_oom(err);
    }
    /* Below the call: the function again, whose position a failure is reported at (looked up
     * only then: it costs more than many a rule), and the message handler. */
    lua_pushvalue(L, fn);
    lua_pushcfunction(L, msg_handler);
    lua_rotate(L, fn, 2);
    begin_call(h);
    h->depth++;
    int status = lua_pcall(L, nargs, nresults, fn + 1);
    h->depth--;
    if (status == LUA_OK) {
        lua_rotate(L, fn, -2);
        lua_pop(L, 2);
        return SR_OK;
    }
    call_pos pos;
    record_call_pos(L, fn, &pos); /* leaves the error value on top */
    int rc = report_error(h, status, 1, &pos, NULL, err);
    lua_settop(L, fn - 1);
    after_error(h, status);
    return rc;
}

/* ---- instruction budget ---------------------------------------------------------------- */

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    lh_host *h = host_of(L);
    if (h->cpu_hit && !h->budget_hit) {
        h->budget_hit = h->cpu_over = 1;
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    }
    if (!h->budget_hit) {
        if (!h->tripped)
            h->instr_used = add_saturating(h->instr_used, LH_HOOK_STEP);
        h->instr_used = add_saturating(h->instr_used, h->work_bytes / LH_BYTES_PER_INSTR);
        h->work_bytes %= LH_BYTES_PER_INSTR;
        if (h->instr_used <= h->lim.instr_budget) {
            if (h->tripped) {
                h->tripped = 0;
                lua_sethook(L, budget_hook, LUA_MASKCOUNT, LH_HOOK_STEP);
            }
            return;
        }
        /* From now on every instruction raises, so a rule that catches the error with pcall
         * cannot carry on: each frame that tries is stopped at its next instruction. */
        h->budget_hit = 1;
        if (!h->tripped)
            lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    }
    lua_getinfo(L, "Sl", ar);
    if (h->cpu_over)
        lua_pushfstring(L, "%s:%d: CPU time limit exceeded", frame_file(ar), ar->currentline);
    else
        lua_pushfstring(L, "%s:%d: instruction budget of %I exceeded", frame_file(ar),
                        ar->currentline, (lua_Integer)h->lim.instr_budget);
    lua_error(L);
}

/* ---- CPU time ---------------------------------------------------------------------------
 *
 * The budget counts VM instructions and the work C functions do for rule code, but some
 * single instructions cost time no charge sees: comparing two distinct 1 MiB strings is one
 * instruction, and so is copying a million values passed as `...`. Each evaluation is
 * therefore also given LH_CPU_SECONDS of its thread's CPU time: a timer on the thread's CPU
 * clock raises a signal in that thread, whose handler does what lua.c does on Ctrl-C: it sets
 * the count hook to fire at the next instruction, where budget_hook ends the evaluation. No
 * honest evaluation comes near the limit (they take milliseconds), so results stay the same
 * on every machine; only a hostile pack can meet it, and its error names where it was.
 */
#define LH_CPU_SIGNAL SIGVTALRM

static _Thread_local lh_host *running_host; /* the host this thread last started evaluating */
static _Thread_local int cpu_timer_state;   /* 0 not made yet, 1 made, -1 unavailable */
static _Thread_local timer_t cpu_timer;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static pthread_key_t cpu_key;
static int cpu_ready;

/* Acts only while rule code runs (depth > 0): an alarm that rings after the evaluation, while
 * the thread does other work, must not stop a later call into Lua. */
static void cpu_alarm(int sig)
{
    (void)sig;
    lh_host *h = running_host;
    if (h && h->L && h->depth > 0) {
        h->cpu_hit = 1;
        lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, 1);
    }
}

/* A thread's timer goes with the thread. */
static void cpu_timer_drop(void *timer)
{
    timer_t *t = timer;
    timer_delete(*t);
}

static void cpu_setup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cpu_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    cpu_ready = sigaction(LH_CPU_SIGNAL, &sa, NULL) == 0 &&
                pthread_key_create(&cpu_key, cpu_timer_drop) == 0;
}

/* Starts the CPU-time countdown of an evaluation on this thread. Without a timer (another
 * system) the budget still stops everything it can see. */
static void cpu_arm(lh_host *h)
{
    running_host = h;
    h->cpu_hit = 0;
    h->cpu_over = 0;
    if (cpu_timer_state == 0) {
        pthread_once(&cpu_once, cpu_setup);
        struct sigevent ev;
        memset(&ev, 0, sizeof ev);
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = LH_CPU_SIGNAL;
        ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
        cpu_timer_state = cpu_ready && timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &cpu_timer) == 0
                              ? 1 : -1;
        if (cpu_timer_state == 1)
            pthread_setspecific(cpu_key, &cpu_timer);
    }
    if (cpu_timer_state == 1) {
        struct itimerspec its;
        memset(&its, 0, sizeof its);
        its.it_value.tv_sec = LH_CPU_SECONDS;
        timer_settime(cpu_timer, 0, &its, NULL);
    }
}

/* The host is going away: the alarm must not find it. */
static void cpu_forget(lh_host *h)
{
    if (running_host != h)
        return;
    running_host = NULL;
    if (cpu_timer_state == 1) {
        struct itimerspec off;
        memset(&off, 0, sizeof off);
        timer_settime(cpu_timer, 0, &off, NULL);
    }
}

int lh_protect(lh_host *h, lua_CFunction fn, void *ud, int nresults, sr_error *err)
{
    lua_State *L = h->L;
    if (!lua_checkstack(L, 2 + (nresults > 0 ? nresults : 0)))
        return sr_oom(err);
    lua_pushcfunction(L, fn);
    lua_pushlightuserdata(L, ud);
    return lh_pcall(h, 1, nresults, err);
}

void lh_budget_reset(lh_host *h)
{
    h->instr_used = 0;
    h->work_bytes = 0;
    h->tripped = 0;
    h->budget_hit = 0;
    cpu_arm(h);
    /* Also restarts the hook's countdown, so every evaluation counts the same way. */
    lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, LH_HOOK_STEP);
}

long lh_budget_used(const lh_host *h)
{
    return add_saturating(h->instr_used, h->work_bytes / LH_BYTES_PER_INSTR);
}

/* ---- guards ---------------------------------------------------------------------------
 *
 * The count hook only fires while Lua code runs. A library function written in C runs to
 * completion unmetered, so those whose running time is not bounded by the size of something
 * already paid for are guarded here.
 */

/* Calls the guarded original (upvalue 1) with this call's arguments. */
static int call_original(lua_State *L)
{
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* The subject of string.find/match/gmatch/gsub. Capping it at LH_MAX_SUBJECT keeps every
 * result and capture a valid subject again, and its length is charged to the budget like
 * any other scan. */
static void check_subject(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TSTRING) {
        size_t len = lua_rawlen(L, 1);
        if (len > LH_MAX_SUBJECT)
            luaL_error(L, "string subject longer than %d bytes", LH_MAX_SUBJECT);
        charge_work(host_of(L), len);
    }
}

/* The guards call the matcher directly (not through lua_call): it then runs as the guard's
 * own frame, finds the meter in the guard's upvalue 1, and Lua's argument errors read as
 * they do for the stock functions ("bad argument #2 to 'find'"). */
static int guard_find(lua_State *L)
{
    check_subject(L);
    return lp_find(L);
}

static int guard_match(lua_State *L)
{
    check_subject(L);
    return lp_match(L);
}

static int guard_gmatch(lua_State *L)
{
    check_subject(L);
    return lp_gmatch(L);
}

static int guard_gsub(lua_State *L)
{
    check_subject(L);
    return lp_gsub(L);
}

/* ---- the pattern matcher's budget ------------------------------------------------------
 *
 * Lua's matcher backtracks in C, where the count hook cannot stop it: a pattern with k lazy
 * or greedy items costs up to the (k+1)th power of the subject length, so
 * ("a"):rep(2^15):find(".-b") took seconds and four ".-" on 300 bytes took minutes. The
 * sandbox's pattern functions are therefore luapattern.c's copy of the matcher, which counts
 * its steps and charges each to the instruction budget as one instruction. A call stops with
 * "pattern matching budget of N steps exceeded" (N the budget) when it alone takes more steps
 * than the budget, or when the evaluation's budget runs out while it runs: the hook cannot
 * stop a pattern function called from C, say as gsub's replacement, so the matcher checks
 * the budget itself. A gsub callback written in Lua is counted by the hook as usual.
 */

/* Charges the steps; the budget is exhausted once the charge alone exceeds it (the hook is
 * then tripped for the next instruction, see charge_work) or an earlier error spent it. */
static int meter_charge(lua_State *L, void *ud, long steps)
{
    lh_host *h = ud;
    (void)L;
    if (steps > 0)
        charge_work(h, (size_t)steps * LH_BYTES_PER_INSTR);
    return h->depth > 0 &&
           (h->budget_hit || h->cpu_hit || lh_budget_used(h) > h->lim.instr_budget);
}

/* The matcher is about to raise "pattern matching budget of N steps exceeded". Like an
 * exhausted instruction budget this ends the evaluation (an SR_ELIMIT error): from here on
 * every instruction raises, so rule code that catches the error with pcall cannot carry on. */
static void meter_exceeded(lua_State *L, void *ud)
{
    lh_host *h = ud;
    h->budget_hit = 1;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
}

static void metered_matcher(lh_host *h)
{
    h->meter.limit = h->lim.instr_budget;
    h->meter.charge = meter_charge;
    h->meter.exceeded = meter_exceeded;
    h->meter.ud = h;
}

/* Puts the guarded, metered matcher into the sandbox's copy of the string library, and
 * into the real one in place of the stock functions (which rule code cannot reach) so that
 * Lua's messages still name them: luaL_argerror looks names up in the loaded libraries
 * ("bad argument #1 to 'string.find'"). */
static void install_matcher(lua_State *L, int real, int copy)
{
    lh_host *h = host_of(L);
    for (size_t i = 0; string_patterns[i].name; i++) {
        lp_push(L, string_patterns[i].guard, &h->meter);
        lua_pushvalue(L, -1);
        lua_setfield(L, real, string_patterns[i].name);
        lua_setfield(L, copy, string_patterns[i].name);
    }
}

/* string.rep: one call could otherwise build a string as large as the memory cap in a single
 * memcpy loop; results are capped at LH_MAX_SUBJECT so they also stay valid subjects. An
 * empty result is made here: Lua would loop n times to build it (n may be maxinteger). */
static int guard_rep(lua_State *L)
{
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || (l == 0 && (lsep == 0 || n == 1))) {
        lua_pushliteral(L, "");
        return 1;
    }
    /* n*l + (n-1)*lsep <= MAX  <=>  n <= (MAX + lsep) / (l + lsep) */
    if ((lua_Unsigned)n > (LH_MAX_SUBJECT + lsep) / (l + lsep))
        return luaL_error(L, "string.rep result longer than %d bytes", LH_MAX_SUBJECT);
    return call_original(L);
}

/* Charges `count` elements walked or values moved in C, one instruction each. */
static void charge_elements(lua_State *L, lua_Integer count)
{
    if (count > 0)
        charge_work(host_of(L), (size_t)count * LH_BYTES_PER_INSTR);
}

/* string, utf8, tonumber, tostring, select: every string argument is scanned or copied at
 * most once per call, and every value passed or returned is moved once, so a call is charged
 * for those bytes and values. The original (upvalue 1, a C function without upvalues of its
 * own) runs as this very frame, so its argument errors read as the stock ones do. */
static int guard_charged(lua_State *L)
{
    int n = lua_gettop(L);
    size_t bytes = 0;
    for (int i = 1; i <= n; i++)
        if (lua_type(L, i) == LUA_TSTRING)
            bytes += lua_rawlen(L, i);
    charge_work(host_of(L), bytes * (LH_BYTES_PER_INSTR / LH_SCAN_BYTES_PER_INSTR));
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    int results = original(L);
    charge_elements(L, (lua_Integer)n + results);
    return results;
}

/* Refuses to walk more than LH_MAX_TABLE_WALK elements: with a __len that lies and C
 * functions as __index/__newindex (say tostring and rawequal) a table of no size at all
 * makes table.insert, remove or sort loop in C for as long as __len says. Below that bound
 * the walk is charged, one instruction an element, so a loop of table.insert(t, 1, x) on a
 * long table pays for the elements each call moves. */
static int check_walk(lua_State *L, lua_Integer count)
{
    if (count > LH_MAX_TABLE_WALK)
        return luaL_error(L, "table operation over more than %d elements", LH_MAX_TABLE_WALK);
    charge_elements(L, count);
    return 0;
}

static int guard_length(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE)
        check_walk(L, luaL_len(L, 1));
    return call_original(L);
}

/* table.sort compares about n log2 n times; each comparison is charged as an element. */
static int guard_sort(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, 1);
        check_walk(L, n);
        lua_Integer lg = 1;
        for (lua_Integer m = n; m > 1; m /= 2)
            lg++;
        charge_elements(L, n * lg);
    }
    return call_original(L);
}

/* Number of elements from..to (to >= from), saturating. */
static lua_Integer span(lua_Integer from, lua_Integer to)
{
    lua_Unsigned d = (lua_Unsigned)to - (lua_Unsigned)from;
    return d >= (lua_Unsigned)LUA_MAXINTEGER ? LUA_MAXINTEGER : (lua_Integer)d + 1;
}

/* table.concat(t, sep, i, j) walks i..j (default 1..#t). */
static int guard_concat(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_Integer i = luaL_optinteger(L, 3, 1);
        lua_Integer j = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
        if (j >= i)
            check_walk(L, span(i, j));
    }
    return call_original(L);
}

/* table.move(a1, f, e, t [,a2]) walks f..e. */
static int guard_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    if (e >= f)
        check_walk(L, span(f, e));
    return call_original(L);
}

/* table.unpack(t, i, j) pushes i..j (default 1..#t). */
static int guard_unpack(lua_State *L)
{
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer j = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    if (j >= i)
        check_walk(L, span(i, j));
    return call_original(L);
}

/* Wraps the C functions named in `names` of the table at idx with guard_charged. */
static void charge_functions(lua_State *L, int idx, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        /* only a C function without upvalues can run as the guard's own frame */
        if (lua_getfield(L, idx, names[i]) != LUA_TFUNCTION || !lua_iscfunction(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        if (lua_getupvalue(L, -1, 1) != NULL) {
            lua_pop(L, 2);
            continue;
        }
        lua_pushcclosure(L, guard_charged, 1);
        lua_setfield(L, idx, names[i]);
    }
}

/* setmetatable as in lbaselib.c, minus __gc: Lua runs finalizers with hooks off and at
 * arbitrary points, so a finalizer would escape the budget. __gc must be present when the
 * metatable is set for it to take effect, so checking here is enough. */
static int sandbox_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* xpcall, except that the message handler runs after the stack has unwound instead of at the
 * point of the error. When the error is the budget hook's, that point is inside the hook,
 * where Lua has turned hooks off: a handler that loops would never be stopped. Without the
 * debug library a handler cannot inspect the stack, so the difference is not observable
 * otherwise. As in Lua, memory errors skip the handler; an error in the handler becomes the
 * second result. */
static int sandbox_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 1); /* f, handler, f, args... */
    int status = lua_pcall(L, n - 2, LUA_MULTRET, 0);
    if (status == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_replace(L, 1);
        lua_remove(L, 2); /* true, results... */
        return lua_gettop(L);
    }
    if (status != LUA_ERRMEM) {
        lua_pushvalue(L, 2);
        lua_insert(L, -2);
        lua_pcall(L, 1, 1, 0);
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* ---- read-only proxies ----------------------------------------------------------------
 *
 * A proxy is an empty table; its metatable is shared by every proxy made by one
 * lh_make_readonly call (a "family"). The metamethods have two upvalues: map (original ->
 * proxy) and rev (proxy -> original). Nested tables get their proxy on the way out, once
 * (so t.a == t.a and cycles end at the proxy already made). Originals are read raw: their
 * own metatables are ignored. Writes go to __newindex because the proxy stays empty.
 */
#define RO_MAP lua_upvalueindex(1)
#define RO_REV lua_upvalueindex(2)

static int ro_newindex(lua_State *L)
{
    return luaL_error(L, "attempt to modify read-only table");
}

/* Whether the value at idx is a proxy of any family. */
static int is_readonly(lua_State *L, int idx)
{
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
        return 0;
    lua_pushliteral(L, "__newindex");
    lua_rawget(L, -2);
    int yes = lua_tocfunction(L, -1) == ro_newindex;
    lua_pop(L, 2);
    return yes;
}

/* Replaces the original table on top with a new proxy of it. */
static void ro_new_proxy(lua_State *L, int map, int rev, int mt)
{
    lua_newtable(L);
    lua_pushvalue(L, mt);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, map);
    lua_pushvalue(L, -1);
    lua_pushvalue(L, -3);
    lua_rawset(L, rev);
    lua_remove(L, -2);
}

/* Replaces the value on top with what rule code may see: tables by their proxy. */
static void ro_wrap(lua_State *L, int mt)
{
    if (!lua_istable(L, -1))
        return;
    lua_pushvalue(L, -1);
    if (lua_rawget(L, RO_MAP) != LUA_TNIL) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    if (is_readonly(L, -1)) { /* already read-only: remember it as its own view */
        lua_pushvalue(L, -1);
        lua_pushvalue(L, -1);
        lua_rawset(L, RO_MAP);
        return;
    }
    ro_new_proxy(L, RO_MAP, RO_REV, mt);
}

/* Pushes the original behind the proxy at idx (nil if idx is not one of this family). */
static void ro_original(lua_State *L, int idx)
{
    lua_pushvalue(L, idx);
    lua_rawget(L, RO_REV);
}

/* Pushes the key at idx as the original knows it (keys handed out were proxied too). */
static void ro_key(lua_State *L, int idx)
{
    lua_pushvalue(L, idx);
    if (!lua_istable(L, -1))
        return;
    lua_rawget(L, RO_REV);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, idx);
    }
}

static int ro_index(lua_State *L)
{
    lua_settop(L, 2);
    lua_getmetatable(L, 1); /* 3: the family's metatable */
    ro_original(L, 1);      /* 4 */
    if (!lua_istable(L, 4))
        return 0;
    ro_key(L, 2);
    lua_rawget(L, 4);
    ro_wrap(L, 3);
    return 1;
}

static int ro_len(lua_State *L)
{
    ro_original(L, 1);
    lua_pushinteger(L, lua_istable(L, -1) ? (lua_Integer)lua_rawlen(L, -1) : 0);
    return 1;
}

/* The iterator __pairs hands out: next() over the original, proxying keys and values. */
static int ro_next(lua_State *L)
{
    lua_settop(L, 2);
    lua_getmetatable(L, 1); /* 3 */
    ro_original(L, 1);      /* 4 */
    if (!lua_istable(L, 4))
        return 0;
    ro_key(L, 2); /* 5 */
    if (!lua_next(L, 4)) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushvalue(L, 5);
    ro_wrap(L, 3);
    lua_pushvalue(L, 6);
    ro_wrap(L, 3);
    return 2;
}

static int ro_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1)); /* ro_next of this family */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Pushes a closure of fn over the family's map (idx) and rev (idx + 1). */
static void ro_push_method(lua_State *L, lua_CFunction fn, int map)
{
    lua_pushvalue(L, map);
    lua_pushvalue(L, map + 1);
    lua_pushcclosure(L, fn, 2);
}

/* lua_CFunction: arg 1 a table; returns its read-only proxy (arg 1 itself if it is one). */
static int ro_make(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (is_readonly(L, 1))
        return 1;
    lua_newtable(L);          /* 2: map */
    lua_newtable(L);          /* 3: rev */
    lua_createtable(L, 0, 5); /* 4: the family's metatable */
    ro_push_method(L, ro_index, 2);
    lua_setfield(L, 4, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, 4, "__newindex");
    ro_push_method(L, ro_len, 2);
    lua_setfield(L, 4, "__len");
    ro_push_method(L, ro_next, 2);
    lua_pushcclosure(L, ro_pairs, 1);
    lua_setfield(L, 4, "__pairs");
    lua_pushliteral(L, RO_METATABLE_NAME);
    lua_setfield(L, 4, "__metatable");
    lua_pushvalue(L, 1);
    ro_new_proxy(L, 2, 3, 4);
    return 1;
}

int lh_make_readonly(lh_host *h, sr_error *err)
{
    lua_State *L = h->L;
    if (!lua_istable(L, -1))
        return sr_fail(err, SR_EUSAGE, NULL, 0, 0, "lh_make_readonly: expected a table, got %s",
                       luaL_typename(L, -1));
    if (!lua_checkstack(L, 2))
        return sr_oom(err);
    lua_pushcfunction(L, ro_make);
    lua_pushvalue(L, -2);
    int rc = protected_call(h, 1, 1, err);
    if (rc == SR_OK)
        lua_replace(L, -2);
    return rc;
}

/* ---- environments ----------------------------------------------------------------------
 *
 * An environment is an empty table E whose metatable (protected) has
 *   __index    = G, the table of the file's own globals,
 *   __newindex = G while loading, env_sealed afterwards.
 * G's metatable has __index = env_lookup (upvalues: API table or nil, sandbox base).
 * Because E stays empty every assignment reaches __newindex, so sealing also stops rules
 * from overwriting globals that loading defined; and since __newindex is already a key of
 * the metatable, sealing is a store into an existing slot, which cannot fail.
 */

/* A printable name for the global key at idx. */
static const char *key_name(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING)
        return lua_tostring(L, idx);
    return lua_pushfstring(L, "(%s)", luaL_typename(L, idx));
}

/* Keeps a name found in the API or the base in G (arg 1), so that the next read of it is a
 * plain table read rather than a call of this function: rules read `params`, `ipairs` and
 * the like on every call. Neither the API table nor the base changes once the pack is
 * loaded, G's own names shadow the copy exactly as they shadowed the original, and G is
 * reachable only through the environment's __index (rule code cannot list it), so the copy
 * is not observable. */
static int env_found(lua_State *L)
{
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

static int env_lookup(lua_State *L)
{
    if (!lua_isnil(L, lua_upvalueindex(1))) {
        lua_pushvalue(L, 2);
        if (lua_gettable(L, lua_upvalueindex(1)) != LUA_TNIL)
            return env_found(L);
        lua_pop(L, 1);
    }
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL)
        return env_found(L);
    /* Level 1 of luaL_error is the Lua function that read the name: its file and line. */
    return luaL_error(L, "undefined global '%s'", key_name(L, 2));
}

static int env_sealed(lua_State *L)
{
    return luaL_error(L, "assignment to global '%s' outside loading", key_name(L, 2));
}

/* lua_CFunction: arg 1 the API table or nil; returns a new environment. */
static int env_new(lua_State *L)
{
    lua_settop(L, 1);
    lua_newtable(L); /* 2: E */
    lua_newtable(L); /* 3: G */
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, BASE_KEY);
    lua_pushcclosure(L, env_lookup, 2);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, 3);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, ENV_METATABLE_NAME);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, 2);
    lua_settop(L, 2);
    return 1;
}

int lh_push_env(lh_host *h, int api_idx, sr_error *err)
{
    lua_State *L = h->L;
    if (api_idx != 0)
        api_idx = lua_absindex(L, api_idx);
    if (!lua_checkstack(L, 2))
        return sr_oom(err);
    lua_pushcfunction(L, env_new);
    if (api_idx != 0)
        lua_pushvalue(L, api_idx);
    else
        lua_pushnil(L);
    return protected_call(h, 1, 1, err);
}

void lh_seal_env(lh_host *h, int idx)
{
    lua_State *L = h->L;
    idx = lua_absindex(L, idx);
    /* Needs two stack slots; without them (a stack of LUAI_MAXSTACK values) nothing
     * could be pushed anyway. Neither call below allocates or raises. */
    if (!lua_checkstack(L, 2) || !lua_getmetatable(L, idx))
        return;
    lua_pushcfunction(L, env_sealed);
    lua_setfield(L, -2, "__newindex");
    lua_pop(L, 1);
}

/* ---- chunks ---------------------------------------------------------------------------- */

int lh_run_chunk(lh_host *h, const char *name, const char *src, size_t len, int env_idx,
                 sr_error *err)
{
    lua_State *L = h->L;
    env_idx = lua_absindex(L, env_idx);
    /* lua_load would refuse too (mode "t"), but with a message about modes. */
    if (len > 0 && src[0] == LUA_SIGNATURE[0])
        return sr_fail(err, SR_ERULES, name, 0, 0, "bytecode is not allowed");
    if (!lua_checkstack(L, 3))
        return sr_oom(err);
    size_t nlen = strlen(name);
    char *chunkname = sr_malloc(nlen + 2);
    if (!chunkname)
        return sr_oom(err);
    chunkname[0] = '@'; /* "@name": Lua prints the name itself, not "[string ...]" */
    memcpy(chunkname + 1, name, nlen + 1);
    begin_call(h);
    int status = luaL_loadbufferx(L, src, len, chunkname, "t");
    sr_free(chunkname);
    if (status != LUA_OK) {
        call_pos pos;
        snprintf(pos.file, sizeof pos.file, "%s", name);
        pos.line = 0;
        int rc = report_error(h, status, 0, &pos, name, err);
        lua_pop(L, 1);
        after_error(h, status);
        return rc;
    }
    lua_pushvalue(L, env_idx);
    if (!lua_setupvalue(L, -2, 1)) /* a main chunk's first upvalue is always _ENV */
        lua_pop(L, 1);
    int rc = lh_pcall(h, 0, 0, err);
    if (rc != SR_OK)
        fix_truncated(err->file, sizeof err->file, name);
    return rc;
}

int lh_run_file(lh_host *h, const char *path, const char *name, int env_idx, sr_error *err)
{
    char *src = NULL;
    size_t len = 0;
    int rc = sr_read_file(path, LH_MAX_FILE, &src, &len, err);
    if (rc != SR_OK)
        return rc;
    rc = lh_run_chunk(h, name ? name : path, src, len, env_idx, err);
    sr_free(src);
    return rc;
}

/* ---- opening the state ----------------------------------------------------------------- */

/* Copies t[name] for each allow-listed name from the table at src to the table at dst. */
static void copy_allowed(lua_State *L, int src, int dst, const char *lib,
                         const char *const *allow)
{
    for (size_t i = 0; allow[i]; i++) {
        if (lua_getfield(L, src, allow[i]) == LUA_TNIL)
            luaL_error(L, "sandbox: %s.%s is missing from this Lua", lib, allow[i]);
        lua_setfield(L, dst, allow[i]);
    }
}

static void copy_guarded(lua_State *L, int src, int dst, const char *lib,
                         const guarded_fn *guarded)
{
    for (size_t i = 0; guarded && guarded[i].name; i++) {
        if (lua_getfield(L, src, guarded[i].name) != LUA_TFUNCTION)
            luaL_error(L, "sandbox: %s.%s is missing from this Lua", lib, guarded[i].name);
        lua_pushcclosure(L, guarded[i].guard, 1);
        lua_setfield(L, dst, guarded[i].name);
    }
}

/* Strings index the sandbox copy of `string` (so ("x"):rep is guarded too), and the
 * metatable is protected so getmetatable("") gives a string and cannot reach either. */
static void protect_string_metatable(lua_State *L, int copy)
{
    lua_pushliteral(L, "");
    if (!lua_getmetatable(L, -1))
        luaL_error(L, "sandbox: strings have no metatable");
    lua_pushvalue(L, copy);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, STRING_METATABLE_NAME);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
}

/* Opens one library and stores a read-only copy of its allowed part in base[name]. The
 * copy holds only functions and numbers, so the proxy can index it directly (no C call). */
static void open_lib(lua_State *L, int base, const lib_policy *lib)
{
    luaL_requiref(L, lib->name, lib->open, 0);
    int real = lua_gettop(L);
    lua_newtable(L);
    int copy = lua_gettop(L);
    copy_allowed(L, real, copy, lib->name, lib->allow);
    if (lib->charged)
        charge_functions(L, copy, lib->allow);
    if (lib->open == luaopen_string)
        install_matcher(L, real, copy);
    copy_guarded(L, real, copy, lib->name, lib->guarded);
    if (lib->open == luaopen_string)
        protect_string_metatable(L, copy);
    lua_pushcfunction(L, ro_make);
    lua_pushvalue(L, copy);
    lua_call(L, 1, 1);
    lua_getmetatable(L, -1);
    lua_pushvalue(L, copy);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_setfield(L, base, lib->name);
    lua_settop(L, real - 1);
}

/* The global table keeps only what luaopen_base put there; rule code never sees it (every
 * chunk gets its own environment) but it is emptied anyway, so a mistake elsewhere cannot
 * expose the unsandboxed functions. */
static void clear_globals(lua_State *L)
{
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
}

/* lua_CFunction: builds the sandbox base and stores it in the registry. */
static int open_sandbox(lua_State *L)
{
    lua_newtable(L);
    int base = lua_gettop(L);
    luaL_requiref(L, "_G", luaopen_base, 0);
    copy_allowed(L, base + 1, base, "_G", base_allow);
    charge_functions(L, base, base_charged);
    lua_pop(L, 1);
    lua_pushcfunction(L, sandbox_setmetatable);
    lua_setfield(L, base, "setmetatable");
    lua_pushcfunction(L, sandbox_xpcall);
    lua_setfield(L, base, "xpcall");
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
        open_lib(L, base, &libs[i]);
    clear_globals(L);
    lua_setfield(L, LUA_REGISTRYINDEX, BASE_KEY);
    return 0;
}

int lh_open(const lh_limits *lim, lh_host **out, sr_error *err)
{
    *out = NULL;
    if (!lim)
        lim = &lh_default_limits;
    if (lim->mem_limit == 0 || lim->instr_budget <= 0)
        return sr_fail(err, SR_EUSAGE, NULL, 0, 0, "invalid Lua limits");
    lh_host *h = sr_calloc(1, sizeof *h);
    if (!h)
        return sr_oom(err);
    h->lim = *lim;
    pl_init(&h->pool);
    metered_matcher(h);
    h->L = lua_newstate(lh_alloc, h);
    if (!h->L) {
        call_pos none = {"", 0};
        int rc = memory_error(h, &none, err);
        pl_destroy(&h->pool);
        sr_free(h);
        return rc;
    }
    *(lh_host **)lua_getextraspace(h->L) = h;
    lua_pushcfunction(h->L, open_sandbox);
    int rc = protected_call(h, 0, 0, err);
    if (rc != SR_OK) {
        lh_close(h);
        return rc;
    }
    lh_budget_reset(h);
    *out = h;
    return SR_OK;
}

void lh_close(lh_host *h)
{
    if (!h)
        return;
    cpu_forget(h);
    if (h->L)
        lua_close(h->L);
    pl_destroy(&h->pool);
    sr_free(h);
}

lua_State *lh_state(lh_host *h) { return h->L; }

size_t lh_memory_used(const lh_host *h) { return h->mem_used; }



size_t lh_memory_held(const lh_host *h) { return held_bytes(h); }
