/*
 * test_luahost.c — the Lua sandbox: allow-list, environments, budget, memory cap, read-only
 * tables, error positions, and that the host survives every failure.
 */
#include "luahost.h"

#include <criterion/criterion.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T_FILE "rules/t.lua"

/* ---- helpers ----------------------------------------------------------------------------- */

static lh_host *open_with(const lh_limits *lim)
{
    lh_host *h = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = lh_open(lim, &h, &err);
    cr_assert_eq(rc, SR_OK, "lh_open: %s", err.msg);
    cr_assert_not_null(h);
    return h;
}

static lh_host *open_default(void) { return open_with(&lh_default_limits); }

/* Runs src as rules/t.lua in a fresh environment (api table at api_idx, 0 for none), with a
 * fresh budget, and pops the environment. The stack must come back as it was. */
static int run_api(lh_host *h, int api_idx, const char *src, sr_error *err)
{
    lua_State *L = lh_state(h);
    if (api_idx)
        api_idx = lua_absindex(L, api_idx);
    int top = lua_gettop(L);
    sr_error_clear(err);
    cr_assert_eq(lh_push_env(h, api_idx, err), SR_OK, "push_env: %s", err->msg);
    int env = lua_gettop(L);
    lh_budget_reset(h);
    int rc = lh_run_chunk(h, T_FILE, src, strlen(src), env, err);
    cr_assert_eq(lua_gettop(L), env, "stack unbalanced after lh_run_chunk (rc %d)", rc);
    lua_pop(L, 1);
    cr_assert_eq(lua_gettop(L), top);
    return rc;
}

static int run(lh_host *h, const char *src, sr_error *err) { return run_api(h, 0, src, err); }

/* Asserts that src fails with code at rules/t.lua:line and that the message contains want. */
static void expect_error(lh_host *h, const char *src, int code, int line, const char *want)
{
    sr_error err;
    int rc = run(h, src, &err);
    cr_assert_eq(rc, code, "rc %d (want %d) for [%s]: %s:%d: %s", rc, code, src, err.file,
                 err.line, err.msg);
    cr_assert_eq(err.code, code);
    cr_assert_str_eq(err.file, T_FILE, "file for [%s]", src);
    cr_assert_eq(err.line, line, "line %d (want %d) for [%s]: %s", err.line, line, src, err.msg);
    cr_assert(strstr(err.msg, want) != NULL, "message [%s] lacks [%s]", err.msg, want);
}

/* The host is still fully usable: a fresh chunk computes the right answer. */
static void expect_usable(lh_host *h)
{
    lua_State *L = lh_state(h);
    int top = lua_gettop(L);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK, "%s", err.msg);
    int env = lua_gettop(L);
    lh_budget_reset(h);
    const char *src = "local t = {}\nfor i = 1, 100 do t[i] = i * 2 end\n"
                      "result = #t + t[100] + #string.rep('ab', 3)\n";
    cr_assert_eq(lh_run_chunk(h, "rules/ok.lua", src, strlen(src), env, &err), SR_OK,
                 "host unusable: %s:%d: %s", err.file, err.line, err.msg);
    lua_getfield(L, env, "result");
    cr_assert_eq(lua_tointeger(L, -1), 306);
    lua_settop(L, top);
}

/* ---- the allow-list ----------------------------------------------------------------------- */

Test(luahost, default_limits)
{
    cr_assert_eq(lh_default_limits.mem_limit, (size_t)64 * 1024 * 1024);
    cr_assert_eq(lh_default_limits.instr_budget, 20000000L);
}

Test(luahost, forbidden_globals_are_undefined)
{
    static const char *const names[] = {
        "io",      "os",   "package", "debug",          "require", "dofile",   "loadfile",
        "load",    "print", "collectgarbage", "rawset", "rawget", "rawlen", "coroutine",
        "_G",      "loadstring", "setfenv", "module", "unpack", NULL,
    };
    lh_host *h = open_default();
    for (size_t i = 0; names[i]; i++) {
        char src[128], want[96];
        snprintf(src, sizeof src, "-- probe\n\nlocal x = %s\n", names[i]);
        snprintf(want, sizeof want, "undefined global '%s'", names[i]);
        expect_error(h, src, SR_ERULES, 3, want);
    }
    expect_usable(h);
    lh_close(h);
}

Test(luahost, forbidden_library_members_are_absent)
{
    lh_host *h = open_default();
    sr_error err;
    cr_assert_eq(run(h,
                     "assert(math.random == nil and math.randomseed == nil)\n"
                     "assert(string.dump == nil and ('x').dump == nil)\n"
                     "for _, lib in ipairs({string, table, math, utf8}) do\n"
                     "  for k in pairs(lib) do assert(k ~= 'dump' and k ~= 'random') end\n"
                     "end\n",
                     &err),
                 SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    expect_error(h, "local f = function() end\nlocal b = string.dump(f)\n", SR_ERULES, 2,
                 "attempt to call a nil value");
    expect_error(h, "\nlocal r = math.random(1, 6)\n", SR_ERULES, 2,
                 "attempt to call a nil value");
    expect_usable(h);
    lh_close(h);
}

Test(luahost, allowed_names_work)
{
    lh_host *h = open_default();
    sr_error err;
    const char *src =
        "for _, n in ipairs({'assert','error','ipairs','next','pairs','pcall','select',\n"
        "    'tonumber','tostring','type','xpcall','setmetatable','getmetatable','rawequal'}) do\n"
        "  assert(type(_ENV[n]) == 'function', n)\n"
        "end\n"
        "assert(_VERSION == 'Lua 5.4')\n"
        "assert(('abc'):upper() == 'ABC' and string.format('%d-%s', 3, 'x') == '3-x')\n"
        "assert(select(2, ('hello'):find('l')) == 3 and ('k=v'):match('(%w)=(%w)') == 'k')\n"
        "assert(('a,b'):gsub(',', ';') == 'a;b' and ('xy'):rep(2, '-') == 'xy-xy')\n"
        "local n = 0 for w in ('a b c'):gmatch('%a') do n = n + 1 end assert(n == 3)\n"
        "local t = {3, 1, 2} table.sort(t) assert(table.concat(t, ',') == '1,2,3')\n"
        "table.insert(t, 4) assert(table.remove(t, 1) == 1 and #t == 3)\n"
        "assert(table.move({1, 2}, 1, 2, 2)[3] == 2 and table.unpack({5, 6}) == 5)\n"
        "assert(math.max(1, 7) == 7 and math.floor(2.5) == 2 and math.pi > 3)\n"
        "assert(utf8.char(72, 228) == 'H\\xC3\\xA4' and utf8.len('\\xC3\\xA4') == 1)\n"
        "assert(tonumber('12') == 12 and tostring(3) == '3' and rawequal(t, t))\n"
        "assert(pcall(error, 'x') == false and select('#', 1, 2) == 2)\n"
        "assert(getmetatable(setmetatable({}, {__index = {z = 1}})).__index.z == 1)\n";
    cr_assert_eq(run(h, src, &err), SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    lh_close(h);
}

Test(luahost, libraries_are_read_only)
{
    lh_host *h = open_default();
    expect_error(h, "\nstring.rep = nil\n", SR_ERULES, 2, "attempt to modify read-only table");
    expect_error(h, "math.pi = 3\n", SR_ERULES, 1, "attempt to modify read-only table");
    expect_error(h, "\n\ntable.newthing = 1\n", SR_ERULES, 3,
                 "attempt to modify read-only table");
    expect_error(h, "utf8.len = print\n", SR_ERULES, 1, "undefined global 'print'");
    expect_error(h, "setmetatable(string, {})\n", SR_ERULES, 1,
                 "cannot change a protected metatable");
    sr_error err;
    cr_assert_eq(run(h, "assert(getmetatable(math) == 'read-only')\n"
                        "assert(('x'):rep(3) == 'xxx' and string.rep('y', 2) == 'yy')\n",
                     &err),
                 SR_OK, "%s", err.msg);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, string_metatable_is_protected)
{
    lh_host *h = open_default();
    sr_error err;
    cr_assert_eq(run(h, "assert(type(getmetatable('')) == 'string')\n", &err), SR_OK, "%s",
                 err.msg);
    expect_error(h, "local m = getmetatable('')\n\nm.__index = {}\n", SR_ERULES, 3,
                 "attempt to index a string value");
    expect_error(h, "setmetatable('', {})\n", SR_ERULES, 1, "bad argument #1");
    /* methods on strings are still the guarded sandbox functions */
    expect_error(h, "local s = ('x'):rep(100)\ns = s:rep(20000)\n", SR_ERULES, 2,
                 "string.rep result longer than 1048576 bytes");
    cr_assert_eq(run(h, "assert(('abc'):len() == 3)\n", &err), SR_OK, "%s", err.msg);
    lh_close(h);
}

Test(luahost, gc_metamethods_refused)
{
    lh_host *h = open_default();
    expect_error(h, "local t = {}\nsetmetatable(t, {__gc = function() while true do end end})\n",
                 SR_ERULES, 2, "__gc metamethods are not allowed");
    expect_usable(h);
    lh_close(h);
}

/* ---- environments -------------------------------------------------------------------------- */

Test(luahost, undefined_global_names_file_and_line)
{
    lh_host *h = open_default();
    expect_error(h, "local a = 1\nlocal b = 2\nlocal c = a + b + nosuchthing\n", SR_ERULES, 3,
                 "undefined global 'nosuchthing'");
    /* inside a function called later, the line is that of the read */
    expect_error(h, "local function f()\n  return missing_helper(1)\nend\nf()\n", SR_ERULES, 2,
                 "undefined global 'missing_helper'");
    expect_usable(h);
    lh_close(h);
}

Test(luahost, api_table_is_visible)
{
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    lua_newtable(L);
    lua_pushinteger(L, 41);
    lua_setfield(L, -2, "answer_base");
    lua_pushliteral(L, "shadow");
    lua_setfield(L, -2, "type"); /* the API wins over the base */
    sr_error err;
    cr_assert_eq(run_api(h, -1, "assert(answer_base + 1 == 42)\nassert(type == 'shadow')\n",
                         &err),
                 SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    lua_pop(L, 1);
    cr_assert_eq(lua_gettop(L), 0);
    lh_close(h);
}

Test(luahost, globals_from_loading_are_visible_and_sealed)
{
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int env = lua_gettop(L);
    const char *src = "limit = 3\n"
                      "count = 0\n"
                      "function over(x) return x > limit end\n"
                      "function bump()\n"
                      "  count = count + 1\n"
                      "  return count\n"
                      "end\n"
                      "function leak()\n"
                      "  leaked = true\n"
                      "end\n";
    lh_budget_reset(h);
    cr_assert_eq(lh_run_chunk(h, T_FILE, src, strlen(src), env, &err), SR_OK, "%s", err.msg);
    lh_seal_env(h, env);
    cr_assert_eq(lua_gettop(L), env);

    /* a function defined while loading sees the global defined while loading */
    lua_getfield(L, env, "over");
    lua_pushinteger(L, 5);
    cr_assert_eq(lh_pcall(h, 1, 1, &err), SR_OK, "%s", err.msg);
    cr_assert(lua_toboolean(L, -1));
    lua_pop(L, 1);

    /* overwriting a global defined while loading is refused too */
    for (int i = 0; i < 2; i++) {
        lh_budget_reset(h);
        lua_getfield(L, env, "bump");
        cr_assert_eq(lh_pcall(h, 0, 1, &err), SR_ERULES);
        cr_assert_str_eq(err.file, T_FILE);
        cr_assert_eq(err.line, 5);
        cr_assert_str_eq(err.msg, "assignment to global 'count' outside loading");
        cr_assert_eq(lua_gettop(L), env);
    }
    lh_budget_reset(h);
    lua_getfield(L, env, "leak");
    cr_assert_eq(lh_pcall(h, 0, 0, &err), SR_ERULES);
    cr_assert_eq(err.line, 9);
    cr_assert_str_eq(err.msg, "assignment to global 'leaked' outside loading");
    /* nothing was left behind */
    lua_getfield(L, env, "count");
    cr_assert_eq(lua_tointeger(L, -1), 0);
    lua_pop(L, 1);
    cr_assert_eq(lua_getmetatable(L, env), 1);
    lua_pop(L, 1);
    lua_settop(L, env - 1);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, environments_are_isolated)
{
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int e1 = lua_gettop(L);
    const char *a = "shared = 1\n";
    cr_assert_eq(lh_run_chunk(h, "rules/a.lua", a, strlen(a), e1, &err), SR_OK);
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int e2 = lua_gettop(L);
    const char *b = "\nlocal x = shared\n";
    cr_assert_eq(lh_run_chunk(h, "rules/b.lua", b, strlen(b), e2, &err), SR_ERULES);
    cr_assert_str_eq(err.file, "rules/b.lua");
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.msg, "undefined global 'shared'");
    /* rule code cannot reach the environment's metatable */
    const char *c = "assert(getmetatable(_ENV) == 'environment')\n";
    cr_assert_eq(lh_run_chunk(h, "rules/c.lua", c, strlen(c), e2, &err), SR_OK, "%s", err.msg);
    lua_settop(L, 0);
    lh_close(h);
}

/* ---- instruction budget ------------------------------------------------------------------- */

Test(luahost, budget_stops_endless_loop)
{
    lh_limits lim = {lh_default_limits.mem_limit, 200000};
    lh_host *h = open_with(&lim);
    expect_error(h, "local n = 0\nwhile true do n = n + 1 end\n", SR_ELIMIT, 2,
                 "instruction budget of 200000 exceeded");
    cr_assert_gt(lh_budget_used(h), 200000);
    lh_budget_reset(h);
    cr_assert_eq(lh_budget_used(h), 0);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, default_budget_stops_endless_loop)
{
    lh_host *h = open_default();
    expect_error(h, "\n\nwhile true do end\n", SR_ELIMIT, 3,
                 "instruction budget of 20000000 exceeded");
    expect_usable(h);
    lh_close(h);
}

Test(luahost, budget_stops_loop_in_gsub_callback)
{
    lh_limits lim = {lh_default_limits.mem_limit, 500000};
    lh_host *h = open_with(&lim);
    expect_error(h, "local s = string.gsub('abc', '%w', function(c)\n  while true do end\nend)\n",
                 SR_ELIMIT, 2, "instruction budget of 500000 exceeded");
    expect_usable(h);
    lh_close(h);
}

Test(luahost, budget_cannot_be_caught_with_pcall)
{
    lh_limits lim = {lh_default_limits.mem_limit, 300000};
    lh_host *h = open_with(&lim);
    sr_error err;
    int rc = run(h, "while true do\n  pcall(function() while true do end end)\nend\n", &err);
    cr_assert_eq(rc, SR_ELIMIT, "%s", err.msg);
    cr_assert_str_eq(err.file, T_FILE);
    cr_assert(err.line == 1 || err.line == 2, "line %d", err.line);
    cr_assert_str_eq(err.msg, "instruction budget of 300000 exceeded");
    rc = run(h, "while true do\n  xpcall(function() while true do end end, function(m)\n"
                "    while true do end\n  end)\nend\n",
             &err);
    cr_assert_eq(rc, SR_ELIMIT, "%s", err.msg);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, xpcall_keeps_its_meaning)
{
    lh_host *h = open_default();
    sr_error err;
    const char *src =
        "local ok, e = xpcall(function(a, b) error('x' .. a .. b) end,\n"
        "                     function(m) return 'H:' .. m end, 1, 2)\n"
        "assert(not ok and e == 'H:rules/t.lua:1: x12', e)\n"
        "local ok2, r1, r2 = xpcall(function(a) return a, a + 1 end, tostring, 5)\n"
        "assert(ok2 and r1 == 5 and r2 == 6)\n"
        "local ok3, e3 = xpcall(error, function(m) error('again', 0) end, 'first')\n"
        "assert(not ok3 and e3 == 'again', e3)\n"
        "assert(select('#', xpcall(function() end, tostring)) == 1)\n";
    cr_assert_eq(run(h, src, &err), SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    expect_error(h, "\nxpcall(function() end)\n", SR_ERULES, 2, "bad argument #2 to 'xpcall'");
    lh_close(h);
}

Test(luahost, budget_charges_work_done_in_c)
{
    /* each iteration is a handful of instructions but copies a MiB in C */
    lh_host *h = open_default();
    expect_error(h, "local s = string.rep('x', 2^20)\nwhile true do local y = s .. 'a' end\n",
                 SR_ELIMIT, 2, "instruction budget of 20000000 exceeded");
    expect_usable(h);
    lh_close(h);
}

Test(luahost, budget_is_per_evaluation)
{
    lh_limits lim = {lh_default_limits.mem_limit, 100000};
    lh_host *h = open_with(&lim);
    sr_error err;
    /* 50000 instructions each: fits once, and again after a reset */
    const char *src = "local n = 0\nfor i = 1, 12000 do n = n + i end\n";
    for (int i = 0; i < 5; i++)
        cr_assert_eq(run(h, src, &err), SR_OK, "run %d: %s", i, err.msg);
    cr_assert_gt(lh_budget_used(h), 0);
    lh_close(h);
}

/* ---- memory cap --------------------------------------------------------------------------- */

Test(luahost, memory_cap_stops_growing_table)
{
    lh_host *h = open_default();
    sr_error err;
    int rc = run(h, "local t = {}\nfor i = 1, 1e9 do t[i] = i end\n", &err);
    cr_assert_eq(rc, SR_ELIMIT, "%s:%d: %s", err.file, err.line, err.msg);
    cr_assert_str_eq(err.file, T_FILE);
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.msg, "memory cap of 67108864 bytes exceeded");
    cr_assert_leq(lh_memory_used(h), lh_default_limits.mem_limit);
    expect_usable(h);
    cr_assert_lt(lh_memory_used(h), 4u * 1024 * 1024, "garbage not collected: %zu",
                 lh_memory_used(h));
    lh_close(h);
}

Test(luahost, memory_cap_stops_string_growth)
{
    lh_host *h = open_default();
    sr_error err;
    /* string.rep refuses the huge result itself ... */
    expect_error(h, "local s = 'x'\nlocal big = string.rep('x', 2^30)\n", SR_ERULES, 2,
                 "string.rep result longer than 1048576 bytes");
    /* ... doubling by concatenation runs into the longest string a rule may make ... */
    int rc = run(h, "local s = string.rep('x', 2^20)\nfor i = 1, 20 do s = s .. s end\n", &err);
    cr_assert_eq(rc, SR_ELIMIT, "%s", err.msg);
    cr_assert_str_eq(err.file, T_FILE);
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.msg, "string longer than 1048576 bytes");
    expect_usable(h);
    /* ... and many strings each under it run into the cap */
    rc = run(h, "local s, t = string.rep('x', 2^20), {}\nfor i = 1, 100 do t[i] = s .. i end\n",
             &err);
    cr_assert_eq(rc, SR_ELIMIT, "%s", err.msg);
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.msg, "memory cap of 67108864 bytes exceeded");
    expect_usable(h);
    lh_close(h);
}

/* Small blocks freed by Lua stay in the pool for their size class: filling the cap with
 * strings of one size, dropping them, then with strings of the next size, once held several
 * times the cap. The pool's chunks now count against it. */
Test(luahost, memory_cap_counts_the_small_block_pool)
{
    lh_limits lim = {8u * 1024 * 1024, 200000000};
    lh_host *h = open_with(&lim);
    sr_error err;
    /* larger sizes first: a freed larger block serves a smaller one at the cap */
    const char *down = "for size = 200, 8, -16 do\n"
                       "  local pad = string.rep('x', size)\n"
                       "  pcall(function() local t = {} for i = 1, 1e9 do t[i] = pad .. i end end)\n"
                       "end\n";
    int rc = run(h, down, &err);
    cr_assert_eq(rc, SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    cr_assert_leq(lh_memory_held(h), lim.mem_limit, "held %zu bytes", lh_memory_held(h));
    /* smaller sizes first: the pool cannot grow past the cap for the larger ones */
    const char *up = "for size = 8, 200, 16 do\n"
                     "  local pad = string.rep('x', size)\n"
                     "  pcall(function() local t = {} for i = 1, 1e9 do t[i] = pad .. i end end)\n"
                     "end\n";
    rc = run(h, up, &err);
    cr_assert(rc == SR_OK || rc == SR_ELIMIT, "%s:%d: %s", err.file, err.line, err.msg);
    cr_assert_leq(lh_memory_held(h), lim.mem_limit, "held %zu bytes", lh_memory_held(h));
    lh_close(h);
}

Test(luahost, memory_cap_names_the_line_inside_a_called_function)
{
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int env = lua_gettop(L);
    const char *src = "-- grows\n"
                      "function grow()\n"
                      "  local t = {}\n"
                      "  for i = 1, 1e9 do t[i] = {i} end\n"
                      "end\n";
    cr_assert_eq(lh_run_chunk(h, T_FILE, src, strlen(src), env, &err), SR_OK, "%s", err.msg);
    lh_seal_env(h, env);
    lh_budget_reset(h);
    lua_getfield(L, env, "grow");
    cr_assert_eq(lh_pcall(h, 0, 0, &err), SR_ELIMIT, "%s", err.msg);
    cr_assert_str_eq(err.file, T_FILE);
    cr_assert_eq(err.line, 4);
    cr_assert_str_eq(err.msg, "memory cap of 67108864 bytes exceeded");
    cr_assert_eq(lua_gettop(L), env);
    lua_settop(L, 0);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, memory_cap_too_small_to_open)
{
    lh_limits lim = {1024, 1000};
    lh_host *h = (lh_host *)1;
    sr_error err;
    cr_assert_eq(lh_open(&lim, &h, &err), SR_ELIMIT);
    cr_assert_null(h);
    cr_assert_str_eq(err.msg, "memory cap of 1024 bytes exceeded");
    lh_limits bad = {0, 1000};
    cr_assert_eq(lh_open(&bad, &h, &err), SR_EUSAGE);
    cr_assert_null(h);
}

/* ---- loading --------------------------------------------------------------------------------- */

typedef struct dump_buf {
    char data[4096];
    size_t len;
} dump_buf;

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
    dump_buf *b = ud;
    (void)L;
    if (sz > sizeof b->data - b->len)
        return 1;
    memcpy(b->data + b->len, p, sz);
    b->len += sz;
    return 0;
}

Test(luahost, bytecode_is_refused)
{
    /* build real bytecode with a plain, unsandboxed state */
    lua_State *P = luaL_newstate();
    cr_assert_not_null(P);
    cr_assert_eq(luaL_loadstring(P, "return 42"), LUA_OK);
    static dump_buf b;
    cr_assert_eq(lua_dump(P, dump_writer, &b, 0), 0);
    size_t len = b.len;
    const char *bc = b.data;
    cr_assert_gt(len, 4);
    cr_assert_eq(memcmp(bc, LUA_SIGNATURE, 4), 0);

    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int env = lua_gettop(L);
    cr_assert_eq(lh_run_chunk(h, "rules/evil.lua", bc, len, env, &err), SR_ERULES);
    cr_assert_str_eq(err.file, "rules/evil.lua");
    cr_assert_str_eq(err.msg, "bytecode is not allowed");
    cr_assert_eq(lua_gettop(L), env);
    lua_pop(L, 1);
    lua_close(P);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, syntax_error_positioned)
{
    lh_host *h = open_default();
    expect_error(h, "local a = 1\nlocal b = = 2\n", SR_ERULES, 2, "unexpected symbol");
    expect_usable(h);
    lh_close(h);
}

Test(luahost, long_file_names_are_kept_whole)
{
    char name[200];
    memset(name, 'a', sizeof name);
    memcpy(name, "rules/", 6);
    strcpy(name + 180, "/long_name.lua");
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int env = lua_gettop(L);
    const char *rt = "\nlocal x = nope\n";
    cr_assert_eq(lh_run_chunk(h, name, rt, strlen(rt), env, &err), SR_ERULES);
    cr_assert_str_eq(err.file, name);
    cr_assert_eq(err.line, 2);
    const char *se = "\n\nx = = 1\n";
    cr_assert_eq(lh_run_chunk(h, name, se, strlen(se), env, &err), SR_ERULES);
    cr_assert_str_eq(err.file, name);
    cr_assert_eq(err.line, 3);
    const char *ar = "\nlocal x = 1 + {}\n";
    cr_assert_eq(lh_run_chunk(h, name, ar, strlen(ar), env, &err), SR_ERULES);
    cr_assert_str_eq(err.file, name);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.msg, "arithmetic") != NULL, "%s", err.msg);
    lua_settop(L, 0);
    lh_close(h);
}

Test(luahost, run_file)
{
    char path[] = "/tmp/test_luahost_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char *src = "value = 7\n\nlocal y = undefined_here\n";
    cr_assert_eq(write(fd, src, strlen(src)), (ssize_t)strlen(src));
    close(fd);
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int env = lua_gettop(L);
    int rc = lh_run_file(h, path, "rules/shown.lua", env, &err);
    unlink(path);
    cr_assert_eq(rc, SR_ERULES);
    cr_assert_str_eq(err.file, "rules/shown.lua");
    cr_assert_eq(err.line, 3);
    lua_getfield(L, env, "value");
    cr_assert_eq(lua_tointeger(L, -1), 7);
    lua_pop(L, 1);
    cr_assert_eq(lh_run_file(h, "/nonexistent/dir/x.lua", "x.lua", env, &err), SR_EIO);
    cr_assert_eq(lua_gettop(L), env);
    lua_settop(L, 0);
    lh_close(h);
}

/* ---- runtime errors ----------------------------------------------------------------------- */

Test(luahost, deep_recursion_is_a_clean_error)
{
    lh_host *h = open_default();
    sr_error err;
    int rc = run(h, "local function f() return 1 + f() end\nf()\n", &err);
    cr_assert(rc == SR_ERULES || rc == SR_ELIMIT, "rc %d: %s", rc, err.msg);
    cr_assert_str_eq(err.file, T_FILE);
    cr_assert_eq(err.line, 1, "%d: %s", err.line, err.msg);
    cr_assert(strstr(err.msg, "stack overflow") || strstr(err.msg, "memory cap"), "%s", err.msg);
    expect_usable(h);
    /* C-stack recursion through pcall */
    rc = run(h, "local function g() return pcall(g) end\nassert(g())\n", &err);
    cr_assert(rc == SR_OK || rc == SR_ERULES, "rc %d: %s", rc, err.msg);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, error_values_are_described_safely)
{
    lh_host *h = open_default();
    expect_error(h, "\nerror({})\n", SR_ERULES, 2, "(error object is a table value)");
    expect_error(h, "\n\nerror('plain', 0)\n", SR_ERULES, 3, "plain");
    /* a __tostring that would never return is not called */
    expect_error(h,
                 "local e = setmetatable({}, {__tostring = function() while true do end end})\n"
                 "error(e)\n",
                 SR_ERULES, 2, "(error object is a table value)");
    expect_error(h, "error(42)\n", SR_ERULES, 1, "42");
    expect_error(h, "local t = nil\nlocal x = t.field\n", SR_ERULES, 2, "attempt to index");
    /* a method call counts arguments after self, as Lua does */
    expect_error(h, "\nlocal s = ('x'):rep('many')\n", SR_ERULES, 2, "bad argument #1 to 'rep'");
    expect_error(h, "\nlocal s = string.rep('x', 'many')\n", SR_ERULES, 2,
                 "bad argument #2 to 'rep'");
    sr_error err;
    run(h, "error('exact message')\n", &err);
    cr_assert_str_eq(err.msg, "exact message");
    cr_assert_eq(err.col, 0);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, pattern_subjects_are_capped)
{
    lh_host *h = open_default();
    expect_error(h, "local s = string.rep('a', 2^20) .. 'a'\n\nlocal i = s:find('b')\n",
                 SR_ERULES, 3, "string subject longer than 1048576 bytes");
    expect_error(h, "local s = string.rep('a', 2^20) .. 'a'\nlocal r = string.gsub(s, 'a', 'b')\n",
                 SR_ERULES, 2, "string subject longer than 1048576 bytes");
    expect_error(h, "local s = string.rep('a', 2^20) .. 'a'\nfor w in s:gmatch('a') do end\n",
                 SR_ERULES, 2, "string subject longer than 1048576 bytes");
    sr_error err;
    cr_assert_eq(run(h, "local s = string.rep('a', 2^20)\nassert(s:find('a$') == 2^20)\n", &err),
                 SR_OK, "%s", err.msg);
    lh_close(h);
}

Test(luahost, table_walks_are_capped)
{
    lh_host *h = open_default();
    expect_error(h,
                 "local t = setmetatable({}, {__len = function() return 2^40 end,\n"
                 "  __index = tostring, __newindex = rawequal})\n"
                 "table.insert(t, 1, 'x')\n",
                 SR_ERULES, 3, "table operation over more than 1048576 elements");
    expect_error(h, "local t = setmetatable({}, {__len = function() return 2^40 end})\n"
                    "table.sort(t)\n",
                 SR_ERULES, 2, "table operation over more than 1048576 elements");
    expect_error(h, "table.move({}, 1, 2^40, 2)\n", SR_ERULES, 1,
                 "table operation over more than 1048576 elements");
    expect_error(h, "local s = table.concat({}, '', 1, 2^40)\n", SR_ERULES, 1,
                 "table operation over more than 1048576 elements");
    expect_usable(h);
    lh_close(h);
}

Test(luahost, pcall_balances_the_stack)
{
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    cr_assert_eq(lh_push_env(h, 0, &err), SR_OK);
    int env = lua_gettop(L);
    const char *src = "function two(a, b) return a + b, a * b end\n"
                      "function boom(a) error('boom ' .. a) end\n";
    cr_assert_eq(lh_run_chunk(h, T_FILE, src, strlen(src), env, &err), SR_OK);
    lh_seal_env(h, env);
    lua_getfield(L, env, "two");
    lua_pushinteger(L, 3);
    lua_pushinteger(L, 4);
    cr_assert_eq(lh_pcall(h, 2, 2, &err), SR_OK);
    cr_assert_eq(lua_gettop(L), env + 2);
    cr_assert_eq(lua_tointeger(L, -2), 7);
    cr_assert_eq(lua_tointeger(L, -1), 12);
    lua_settop(L, env);
    lua_getfield(L, env, "boom");
    lua_pushliteral(L, "now");
    cr_assert_eq(lh_pcall(h, 1, LUA_MULTRET, &err), SR_ERULES);
    cr_assert_eq(lua_gettop(L), env);
    cr_assert_str_eq(err.msg, "boom now");
    cr_assert_eq(err.line, 2);
    /* calling something that is not a function is an error, not a crash */
    lua_pushinteger(L, 1);
    cr_assert_eq(lh_pcall(h, 0, 0, &err), SR_ERULES);
    cr_assert_eq(lua_gettop(L), env);
    lua_settop(L, 0);
    lh_close(h);
}

/* ---- read-only tables ------------------------------------------------------------------------ */

/* Pushes {evidence = <read-only view of an evidence-like table>}, leaving the original at
 * the registry field "test.original" so tests can check it was not changed. */
static void push_evidence_api(lh_host *h)
{
    lua_State *L = lh_state(h);
    lua_newtable(L); /* api */
    lua_newtable(L); /* evidence */
    lua_pushliteral(L, "Acme Care");
    lua_setfield(L, -2, "name");
    lua_createtable(L, 3, 0);
    for (int i = 1; i <= 3; i++) {
        lua_pushinteger(L, i * 10);
        lua_rawseti(L, -2, i);
    }
    lua_setfield(L, -2, "items");
    lua_newtable(L);
    lua_newtable(L);
    lua_pushinteger(L, 1);
    lua_setfield(L, -2, "v");
    lua_setfield(L, -2, "deep");
    lua_setfield(L, -2, "nested");
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "self"); /* a cycle */
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "test.original");
    sr_error err;
    cr_assert_eq(lh_make_readonly(h, &err), SR_OK, "%s", err.msg);
    lua_setfield(L, -2, "evidence");
}

Test(luahost, readonly_tables_read_fully)
{
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    push_evidence_api(h);
    sr_error err;
    const char *src =
        "local e = evidence\n"
        "assert(e.name == 'Acme Care')\n"
        "assert(#e.items == 3)\n"
        "local s = 0 for i, v in ipairs(e.items) do s = s + i * v end assert(s == 140)\n"
        "local n, keys = 0, {} for k, v in pairs(e) do n = n + 1 keys[k] = true end\n"
        "assert(n == 4 and keys.name and keys.items and keys.nested and keys.self)\n"
        "assert(e.nested.deep.v == 1)\n"
        "assert(e.self == e and e.self.items == e.items and e.items == e.items)\n"
        "assert(getmetatable(e) == 'read-only' and getmetatable(e.items) == 'read-only')\n"
        "assert(table.concat(e.items, ',') == '10,20,30')\n"
        "assert(table.unpack(e.items) == 10 and select('#', table.unpack(e.items)) == 3)\n"
        "for k, v in pairs(e) do\n"
        "  if type(v) == 'table' then assert(getmetatable(v) == 'read-only') end\n"
        "end\n"
        "assert(next(e) == nil)  -- the proxy itself is empty; pairs goes through __pairs\n";
    cr_assert_eq(run_api(h, -1, src, &err), SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    lua_pop(L, 1);
    lua_settop(L, 0);
    lh_close(h);
}

Test(luahost, readonly_tables_refuse_writes)
{
    static const char *const writes[] = {
        "local e = evidence\ne.name = 'Evil'\n",
        "local e = evidence\ne.items[1] = 5\n",
        "local e = evidence\ne.nested.deep.v = 2\n",
        "local e = evidence\ne.added = {}\n",
        "local e = evidence\ntable.insert(e.items, 4)\n",
        "local e = evidence\ntable.sort(e.items, function(a, b) return a > b end)\n",
        "local e = evidence\ne.self.self.name = 'x'\n",
        NULL,
    };
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    push_evidence_api(h);
    int api = lua_gettop(L);
    for (size_t i = 0; writes[i]; i++) {
        sr_error err;
        int rc = run_api(h, api, writes[i], &err);
        cr_assert_eq(rc, SR_ERULES, "write %zu succeeded", i);
        cr_assert_str_eq(err.file, T_FILE);
        cr_assert_eq(err.line, 2, "write %zu: line %d: %s", i, err.line, err.msg);
        cr_assert_str_eq(err.msg, "attempt to modify read-only table", "write %zu", i);
    }
    sr_error err;
    cr_assert_eq(run_api(h, api, "\nsetmetatable(evidence, {})\n", &err), SR_ERULES);
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.msg, "cannot change a protected metatable");
    /* the original is untouched */
    lua_getfield(L, LUA_REGISTRYINDEX, "test.original");
    lua_getfield(L, -1, "name");
    cr_assert_str_eq(lua_tostring(L, -1), "Acme Care");
    lua_getfield(L, -2, "items");
    cr_assert_eq(lua_rawlen(L, -1), 3);
    lua_rawgeti(L, -1, 1);
    cr_assert_eq(lua_tointeger(L, -1), 10);
    lua_getfield(L, -4, "added");
    cr_assert(lua_isnil(L, -1));
    lua_settop(L, 0);
    expect_usable(h);
    lh_close(h);
}

Test(luahost, readonly_of_readonly_is_itself)
{
    lh_host *h = open_default();
    lua_State *L = lh_state(h);
    sr_error err;
    lua_newtable(L);
    lua_pushinteger(L, 5);
    lua_setfield(L, -2, "x");
    cr_assert_eq(lh_make_readonly(h, &err), SR_OK);
    const void *first = lua_topointer(L, -1);
    cr_assert_eq(lh_make_readonly(h, &err), SR_OK);
    cr_assert_eq(lua_topointer(L, -1), first);
    cr_assert_eq(lua_gettop(L), 1);
    lua_pushinteger(L, 3);
    cr_assert_eq(lh_make_readonly(h, &err), SR_EUSAGE);
    cr_assert_eq(lua_gettop(L), 2);
    lua_settop(L, 0);
    lh_close(h);
}

/* ---- allocation failures -------------------------------------------------------------------- */

/* One complete use of a host: open, read-only table, environment, a chunk, a call. Every
 * failure must be a clean error; returns 1 when everything succeeded. */
static int exercise_host(long fail_at)
{
    lh_host *h = NULL;
    sr_error err;
    sr_error_clear(&err);
    sr_alloc_fail_at(fail_at);
    int rc = lh_open(&lh_default_limits, &h, &err);
    if (rc != SR_OK) {
        sr_alloc_fail_at(0);
        cr_assert(rc == SR_ENOMEM || rc == SR_ELIMIT, "fail_at %ld: open rc %d", fail_at, rc);
        cr_assert_null(h);
        cr_assert_neq(err.msg[0], '\0');
        return 0;
    }
    lua_State *L = lh_state(h);
    int ok = 0;
    if (!lua_checkstack(L, 4)) {
        lh_close(h);
        sr_alloc_fail_at(0);
        return 0;
    }
    /* Only the host's own (protected) functions may allocate here: an allocation failure
     * in a bare lua_* call would be an unprotected error, i.e. abort(). */
    rc = lh_push_env(h, 0, &err);
    if (rc == SR_OK) {
        lua_pushvalue(L, -1);
        rc = lh_make_readonly(h, &err);
        lua_pop(L, 1);
    }
    if (rc == SR_OK) {
        int env = lua_gettop(L);
        const char *src = "local t = {}\nfor i = 1, 50 do t[i] = ('x'):rep(i) end\n"
                          "function f(n) return #t[n] end\n";
        lh_budget_reset(h);
        rc = lh_run_chunk(h, T_FILE, src, strlen(src), env, &err);
        if (rc == SR_OK) {
            lh_seal_env(h, env);
            lua_getfield(L, env, "f");
            lua_pushinteger(L, 7);
            rc = lh_pcall(h, 1, 1, &err);
            if (rc == SR_OK) {
                ok = lua_tointeger(L, -1) == 7;
                lua_pop(L, 1);
            }
        }
        cr_assert_eq(lua_gettop(L), env, "fail_at %ld: stack", fail_at);
    }
    if (rc != SR_OK) {
        cr_assert(rc == SR_ENOMEM || rc == SR_ELIMIT, "fail_at %ld: rc %d: %s", fail_at, rc,
                  err.msg);
        cr_assert_neq(err.msg[0], '\0');
    }
    lh_close(h);
    sr_alloc_fail_at(0);
    return ok;
}

Test(luahost, allocation_failures_are_clean)
{
    long n;
    for (n = 1; n < 100000; n++)
        if (exercise_host(n))
            break;
    cr_assert_lt(n, 100000, "never succeeded");
    cr_assert_gt(n, 10, "too few allocations exercised (%ld)", n);
    /* and without injection it works */
    cr_assert(exercise_host(0));
}
