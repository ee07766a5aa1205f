/*
 * luapattern.h — Lua 5.4's pattern matcher with a step budget (module prefix lp_).
 *
 * Lua's string.find, match, gmatch and gsub run their matcher in C, where the instruction
 * hook never fires, and the matcher backtracks: ("a"):rep(2^15):find(".-b") takes seconds and
 * a few more ".-" take hours. luapattern.c is a copy of the matcher of Lua 5.4.4 (lstrlib.c)
 * that counts its steps and stops with a Lua error once a call has taken too many. Results
 * are otherwise exactly those of the stock functions (tests/unit/test_luapattern.c compares
 * them case by case).
 *
 * A step is one call of the recursive matcher, or one byte of subject or pattern that the
 * matcher scans or compares in a loop of its own (a repetition, a set, %b, a back reference,
 * a plain search, a replacement string).
 */
#ifndef SR_LUAPATTERN_H
#define SR_LUAPATTERN_H

#include <lua.h>

/* How a caller meters the matcher. It must outlive every function made with it. */
typedef struct lp_meter {
    /* Steps one call may take (each call of a gmatch iterator is a call); > 0. It is also the
     * N of the error message. */
    long limit;
    /* Told the steps taken so far, in batches while the call runs and once at its end, so
     * that the caller can charge them to a budget of its own. Returns nonzero when that
     * budget is exhausted, which stops the call as if it had gone past `limit`: a budget
     * shared with other work stops the call during which it runs out. May be NULL. Must not
     * raise. */
    int (*charge)(lua_State *L, void *ud, long steps);
    /* Called just before the call raises "pattern matching budget of N steps exceeded".
     * May be NULL. Must not raise. */
    void (*exceeded)(lua_State *L, void *ud);
    void *ud;
} lp_meter;

/*
 * The four functions, as lua_CFunctions with the stock signatures and results. Each takes
 * its meter from upvalue 1 (a light userdata pointing at an lp_meter); pushed without one
 * (lua_pushcfunction) it is unmetered, like the stock function.
 */
int lp_find(lua_State *L);
int lp_match(lua_State *L);
int lp_gmatch(lua_State *L);
int lp_gsub(lua_State *L);

/* Pushes fn as a closure metered by m (m NULL: unmetered). */
void lp_push(lua_State *L, lua_CFunction fn, const lp_meter *m);

#endif
