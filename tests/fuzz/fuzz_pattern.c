/*
 * fuzz_pattern.c — differential libFuzzer target for luapattern.c: every input is one call of
 * string.find, match, gmatch or gsub, made once with Lua's stock functions and once with
 * luapattern.c's copies (metered, with a limit no input here can reach), in two plain Lua
 * states; the rendered results, errors included, must be identical, or the target aborts.
 *
 * Input: byte 0 picks the function, the plain flag and the replacement; byte 1 the init
 * argument (none, or -8..+23); byte 2 the pattern's length; then the pattern, then the
 * subject. Patterns with more than three repetition items are skipped so that the stock
 * matcher, which cannot be stopped, stays fast: with subjects of at most 64 bytes a call
 * takes at most 64^4 steps.
 *
 *   tests/fuzz/run.sh SECONDS     (builds every target; run from the repository root)
 */
#include "luapattern.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* run(op, s, p, a, b): the call under pcall, rendered as text (see test_luapattern.c). */
static const char driver[] =
    "local find, match, gmatch, gsub = string.find, string.match, string.gmatch, string.gsub\n"
    "local function show(...)\n"
    "  local out = {}\n"
    "  for i = 1, select('#', ...) do\n"
    "    local v = select(i, ...)\n"
    "    local t = type(v)\n"
    "    if t == 'number' then t = math.type(v) end\n"
    "    if t == 'function' or t == 'table' then v = '' end\n"
    "    out[#out + 1] = t .. ':' .. string.format('%q', tostring(v))\n"
    "  end\n"
    "  return table.concat(out, ' ')\n"
    "end\n"
    "local function all(s, p, init)\n"
    "  local out, it = {}, gmatch(s, p, init)\n"
    "  for i = 1, 100 do\n"
    "    local r = table.pack(it())\n"
    "    if r[1] == nil then break end\n"
    "    out[#out + 1] = show(table.unpack(r, 1, r.n))\n"
    "  end\n"
    "  return table.concat(out, ' ; ')\n"
    "end\n"
    "local R = {\n"
    "  ['upper'] = function(c) return tostring(c):upper() end,\n"
    "  ['join'] = function(...) return table.concat({...}, ',') end,\n"
    "  ['no'] = function() return false end,\n"
    "  ['map'] = { a = 'A', b = false, [1] = 'one', x = {} },\n"
    "}\n"
    "local ops = { find = find, match = match, gsub = gsub,\n"
    "  gmatch = function(s, p, a) return all(s, p, a) end }\n"
    "function run(op, s, p, a, b)\n"
    "  if type(a) == 'string' and R[a] then a = R[a] end\n"
    "  return show(pcall(ops[op], s, p, a, b))\n"
    "end\n";

static const lp_meter generous = {1L << 40, NULL, NULL, NULL};
static lua_State *stock, *copy;

static lua_State *open_state(int with_copy)
{
    lua_State *L = luaL_newstate();
    if (!L)
        abort();
    luaL_openlibs(L);
    if (with_copy) {
        static const struct { const char *name; lua_CFunction fn; } fns[] = {
            {"find", lp_find}, {"match", lp_match}, {"gmatch", lp_gmatch}, {"gsub", lp_gsub}};
        lua_getglobal(L, "string");
        for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
            lp_push(L, fns[i].fn, &generous);
            lua_setfield(L, -2, fns[i].name);
        }
        lua_pop(L, 1);
    }
    if (luaL_dostring(L, driver) != LUA_OK) {
        fprintf(stderr, "fuzz_pattern: driver: %s\n", lua_tostring(L, -1));
        abort();
    }
    return L;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    stock = open_state(0);
    copy = open_state(1);
    return 0;
}

/* Calls run() in L with the decoded arguments; returns the rendering (kept on L's stack). */
static const char *call(lua_State *L, const char *op, const char *p, size_t lp, const char *s,
                        size_t ls, int init, const char *repl, int plain)
{
    lua_settop(L, 0);
    lua_getglobal(L, "run");
    lua_pushstring(L, op);
    lua_pushlstring(L, s, ls);
    lua_pushlstring(L, p, lp);
    if (repl)
        lua_pushstring(L, repl);
    else if (init != 0)
        lua_pushinteger(L, init);
    else
        lua_pushnil(L);
    if (repl && init != 0)
        lua_pushinteger(L, init); /* gsub's max n */
    else if (plain)
        lua_pushboolean(L, 1);
    else
        lua_pushnil(L);
    if (lua_pcall(L, 5, 1, 0) != LUA_OK) {
        fprintf(stderr, "fuzz_pattern: run: %s\n", lua_tostring(L, -1));
        abort();
    }
    return lua_tostring(L, -1);
}

static int repetitions(const uint8_t *p, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?';
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ops[] = {"find", "match", "gmatch", "gsub"};
    static const char *const repls[] = {"%0", "<%1>", "%%", "%2", "x", "upper", "join", "no",
                                        "map", "%"};
    if (size < 3)
        return 0;
    size_t lp = data[2];
    if (lp > size - 3 || size - 3 - lp > 64 || repetitions(data + 3, lp) > 3)
        return 0;
    const char *op = ops[data[0] & 3];
    int plain = (data[0] >> 2) & 1;
    const char *repl = strcmp(op, "gsub") == 0 ? repls[(data[0] >> 3) % 10] : NULL;
    int init = data[1] < 32 ? (int)data[1] - 8 : 0;
    const char *p = (const char *)data + 3, *s = p + lp;
    size_t ls = size - 3 - lp;
    const char *a = call(stock, op, p, lp, s, ls, init, repl, plain);
    const char *b = call(copy, op, p, lp, s, ls, init, repl, plain);
    if (strcmp(a, b) != 0) {
        fprintf(stderr, "fuzz_pattern: %s differs\n  stock: %s\n  copy:  %s\n", op, a, b);
        abort();
    }
    return 0;
}
