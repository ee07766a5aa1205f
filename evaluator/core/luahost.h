/*
 * luahost.h — the sandboxed Lua 5.4 host for rule packs (module prefix lh_).
 *
 * One long-lived lua_State per rule pack. Rule files are loaded as text only (bytecode is
 * refused), each with an environment table of its own whose reads fall back to an API table
 * and then to the sandbox base; reading an undefined global is an error. The base holds the
 * allow-listed parts of Lua (see the tables at the top of luahost.c): no io, os, package,
 * debug, dofile, loadfile, load, require, string.dump, rawset, print, collectgarbage.
 *
 * Every call into Lua runs under an instruction budget (counted from lh_budget_reset) and the
 * whole state under a memory cap; exceeding either is a clean error naming the rule file and
 * line, never a hang or a crash, and the state stays usable for the next evaluation.
 *
 * Every function here that can allocate runs in protected mode. Callers that use the raw
 * lua_* API on lh_state() between them must keep to calls that cannot raise, or protect
 * them: an unprotected Lua error (including running out of memory) ends in abort().
 */
#ifndef SR_LUAHOST_H
#define SR_LUAHOST_H

#include "common.h"

#include <lua.h>
#include <stddef.h>

typedef struct lh_limits {
    size_t mem_limit;   /* bytes the whole state may hold */
    long instr_budget;  /* VM instructions per evaluation (between lh_budget_reset calls) */
} lh_limits;

/* The defaults documented in docs/limits.md. */
extern const lh_limits lh_default_limits;

typedef struct lh_host lh_host;

/* Opens a sandboxed state (lim NULL: lh_default_limits). SR_EUSAGE for a zero memory limit
 * or a budget <= 0; SR_ELIMIT if the memory cap cannot even hold the base state. */
int lh_open(const lh_limits *lim, lh_host **out, sr_error *err);
void lh_close(lh_host *h);
lua_State *lh_state(lh_host *h);

/* Pushes a new environment table for one rule file. Reads that miss it fall back to the
 * table at api_idx (0 for none) and then to the sandbox base; a name found nowhere raises
 * "undefined global 'NAME'". Assignments are kept until sealed.
 * The environment table itself always stays empty (the file's globals live behind its
 * __index), so that after sealing every assignment reaches __newindex: read globals with
 * lua_getfield, not lua_rawget or lua_next, and remember that reading an undefined name
 * raises. Its metatable is protected (getmetatable gives "environment"). */
int lh_push_env(lh_host *h, int api_idx, sr_error *err);
/* After loading: any assignment to a global of the environment at idx raises
 * "assignment to global 'NAME' outside loading" (also for names loading defined), so no
 * evaluation can leave state behind in globals. Tables reachable from globals and upvalues of
 * rule functions stay mutable. Does not allocate, so it cannot fail (given 2 free stack
 * slots). */
void lh_seal_env(lh_host *h, int idx);

/* Loads src as a text chunk named `name` (shown in errors as "name:LINE:"), sets its _ENV to
 * the table at env_idx and runs it under the budget (it does not reset the budget). Bytecode
 * is refused with "bytecode is not allowed". */
int lh_run_chunk(lh_host *h, const char *name, const char *src, size_t len, int env_idx,
                 sr_error *err);
/* Reads path and runs it as lh_run_chunk with the given display name. */
int lh_run_file(lh_host *h, const char *path, const char *name, int env_idx, sr_error *err);

/* Starts a new evaluation: the instruction budget counts from zero again. Once a budget is
 * exhausted every further Lua instruction raises until the next reset (so rule code cannot
 * catch the error with pcall and carry on). */
void lh_budget_reset(lh_host *h);
/* Instructions counted since the last reset (in steps of the hook granularity), plus work done
 * in C while rule code runs: one instruction per 64 bytes allocated, and one per step of the
 * pattern matcher (luapattern.c), so neither huge string copies nor backtracking patterns can
 * run for hours inside the budget. */
long lh_budget_used(const lh_host *h);

/* Like lua_pcall (function and nargs arguments on the stack) with the host's message handler.
 * On error the function and arguments are popped, nothing is pushed, and err holds the rule
 * file and line of the failure ("undefined global", budget, memory cap, runtime error).
 * Codes: SR_ELIMIT for "instruction budget of N exceeded" and "memory cap of N bytes
 * exceeded", SR_ENOMEM when the system allocator failed, SR_ERULES otherwise. */
int lh_pcall(lh_host *h, int nargs, int nresults, sr_error *err);

/* Runs fn in protected mode with ud as a light userdata at index 1; fn may leave nresults
 * values on the stack. Any lua_* call that can allocate or raise (creating tables, setting
 * fields, interning strings) belongs inside such a function: unprotected, a memory error would
 * end in Lua's panic. Errors come back in err as for lh_pcall. */
int lh_protect(lh_host *h, lua_CFunction fn, void *ud, int nresults, sr_error *err);

/* Replaces the table on top of the stack with a read-only view of it, recursively: writes
 * raise "attempt to modify read-only table", getmetatable gives "read-only", pairs, ipairs
 * and # work. The view is an empty table (next() and raw access from C see nothing; use
 * lua_getfield/lua_geti); the original is read raw and may keep changing underneath. A view
 * is returned as is. On error the table is left in place. */
int lh_make_readonly(lh_host *h, sr_error *err);


/* Bytes the state holds now. */
size_t lh_memory_used(const lh_host *h);
/* Bytes the state holds from the system, counting the small-block pool's chunks whole (the
 * memory cap applies to this). */
size_t lh_memory_held(const lh_host *h);

#endif
