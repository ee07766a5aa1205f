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

int lh_open(const lh_limits *lim, lh_host **out, sr_error *err);
void lh_close(lh_host *h);
lua_State *lh_state(lh_host *h);

/* Pushes a new environment table for one rule file. Reads that miss it fall back to the
 * table at api_idx (0 for none) and then to the sandbox base; a name found nowhere raises
 * "undefined global 'NAME'". Assignments go into the environment itself until sealed. */
int lh_push_env(lh_host *h, int api_idx, sr_error *err);
/* After loading: any assignment to a global of the environment at idx raises
 * "assignment to global 'NAME' outside loading", so no evaluation can leave state behind. */
void lh_seal_env(lh_host *h, int idx);

/* Loads src as a text chunk named `name` (shown in errors as "name:LINE:"), sets its _ENV to
 * the table at env_idx and runs it under the budget. Bytecode is refused with an error. */
int lh_run_chunk(lh_host *h, const char *name, const char *src, size_t len, int env_idx,
                 sr_error *err);
/* Reads path and runs it as lh_run_chunk with the given display name. */
int lh_run_file(lh_host *h, const char *path, const char *name, int env_idx, sr_error *err);

/* Starts a new evaluation: the instruction budget counts from zero again. */
void lh_budget_reset(lh_host *h);
/* Instructions counted since the last reset (in steps of the hook granularity). */
long lh_budget_used(const lh_host *h);

/* Like lua_pcall (function and nargs arguments on the stack) with the host's message handler.
 * On error the function and arguments are popped, nothing is pushed, and err holds the rule
 * file and line of the failure ("undefined global", budget, memory cap, runtime error). */
int lh_pcall(lh_host *h, int nargs, int nresults, sr_error *err);

/* Replaces the table on top of the stack with a read-only view of it, recursively: writes
 * raise "attempt to modify read-only table", getmetatable gives "read-only", pairs, ipairs
 * and # work. */
int lh_make_readonly(lh_host *h, sr_error *err);

/* Bytes the state holds now. */
size_t lh_memory_used(const lh_host *h);

#endif
