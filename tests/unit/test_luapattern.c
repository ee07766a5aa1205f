/*
 * test_luapattern.c — the sandbox's pattern functions (luapattern.c) give exactly the results
 * of Lua's own, and stop catastrophic backtracking with a clean, positioned budget error.
 *
 * Compatibility is proved by running the same driver chunk in three states: a plain
 * lua_State with luaL_openlibs (the stock functions), a sandbox host (lh_open: the metered
 * copy behind the guards) and a plain state whose string functions were replaced by the
 * unmetered copy. Every case's results, errors included, are rendered as text by the driver
 * and compared byte for byte: a corpus written by hand, then generated cases.
 */
#include "luahost.h"
#include "luapattern.h"

#include <criterion/criterion.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T_FILE "rules/t.lua"

/* ---- the driver ---------------------------------------------------------------------------
 *
 * run(op, s, p, a, b) calls one function under pcall and renders everything it returned
 * (type, integer or float, value); gmatch cases render every iteration. The corpus calls C()
 * once per case; the results land in the global `results`, the cases' descriptions in
 * `described`. */
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
    "  for i = 1, 200 do\n"
    "    local r = table.pack(it())\n"
    "    if r[1] == nil then break end\n"
    "    out[#out + 1] = show(table.unpack(r, 1, r.n))\n"
    "  end\n"
    "  return #out, table.concat(out, ' ; ')\n"
    "end\n"
    "R = {\n"
    "  upper = function(c) return tostring(c):upper() end,\n"
    "  none = function() return nil end,\n"
    "  no = function() return false end,\n"
    "  join = function(...) return table.concat({...}, ',') end,\n"
    "  num = function() return 42 end,\n"
    "  float = function() return 0.5 end,\n"
    "  tbl = function() return {} end,\n"
    "  len = function(c) return #tostring(c) end,\n"
    "  boom = function(c) error('boom ' .. tostring(c), 0) end,\n"
    "  map = { hello = 'HI', world = false, a = 'A', b = 7, [1] = 'one', [3] = 'three',\n"
    "          x = {} },\n"
    "  empty = {},\n"
    "}\n"
    "local ops = {\n"
    "  find = find, match = match, gsub = gsub,\n"
    "  mfind = function(s, ...) return s:find(...) end,\n"
    "  mmatch = function(s, ...) return s:match(...) end,\n"
    "  mgsub = function(s, ...) return s:gsub(...) end,\n"
    "  gmatch = function(s, p, a) return all(s, p, a) end,\n"
    "}\n"
    "function run(op, s, p, a, b)\n"
    "  if type(a) == 'string' and R[a] then a = R[a] end\n"
    "  return show(pcall(ops[op], s, p, a, b))\n"
    "end\n"
    "local cases = {}\n"
    "function C(...) cases[#cases + 1] = table.pack(...) end\n";

/* Describes and runs every case after the corpus. */
static const char driver_end[] =
    "results, described = {}, {}\n"
    "for i, c in ipairs(cases) do\n"
    "  local d = {}\n"
    "  for j = 1, c.n do\n"
    "    local v = c[j]\n"
    "    d[j] = type(v) == 'table' and '{}' or string.format('%q', v)\n"
    "  end\n"
    "  described[i] = table.concat(d, ', ')\n"
    "  results[i] = run(table.unpack(c, 1, c.n))\n"
    "end\n"
    "count = #cases\n";

/* The hand-written corpus: C(op, subject, pattern [, init or replacement [, plain or n]]).
 * A replacement named like a field of R (upper, map, ...) is that function or table. */
static const char *const corpus[] = {
    /* find: plain text, init, plain flag */
    "C('find', 'hello world', 'o w')\n",
    "C('find', 'hello world', 'o', 6)\n",
    "C('find', 'hello world', 'o', -3)\n",
    "C('find', 'hello world', 'o', -100)\n",
    "C('find', 'hello world', 'o', 0)\n",
    "C('find', 'hello world', 'o', 11)\n",
    "C('find', 'hello world', '', 12)\n",
    "C('find', 'hello world', '', 13)\n",
    "C('find', 'hello world', '', 100)\n",
    "C('find', 'hello world', 'l+', 1)\n",
    "C('find', 'a.b.c', '.', 1, true)\n",
    "C('find', 'a.b.c', '.', 2, true)\n",
    "C('find', 'a.b.c', '%.', 1)\n",
    "C('find', 'a+b', '+', 1, true)\n",
    "C('find', 'a+b', 'a+', 1, false)\n",
    "C('find', 'a+b', 'a+', 1, 1)\n",
    "C('find', 'a+b', 'a+', 1, nil)\n",
    "C('find', '', '')\n",
    "C('find', '', 'a')\n",
    "C('find', '', '.*')\n",
    "C('find', 'abc', '')\n",
    "C('find', 'abc', '', 4)\n",
    "C('find', 'abc', '$')\n",
    "C('find', 'abc', '^')\n",
    "C('find', 'abc', 'c$')\n",
    "C('find', 'abc', 'b$')\n",
    "C('find', 'ab$c', 'b$c')\n",
    "C('find', 'a^b', 'a^b')\n",
    "C('find', 'abc', '^b')\n",
    "C('find', 'abc', '^a')\n",
    "C('find', 'abc', '^b', 2)\n",
    "C('find', 'a\\0b\\0c', '\\0')\n",
    "C('find', 'a\\0b\\0c', 'b\\0', 1, true)\n",
    "C('find', 'a\\0b\\0c', '%z')\n",
    "C('find', 'a\\0b\\0c', '[\\0]c')\n",
    "C('find', 'x\\0y', 'x\\0y')\n",
    "C('find', 'x\\0y.', '\\0y.')\n",
    "C('find', 12345, 34)\n",
    "C('find', 12345, '3.')\n",
    "C('find', 1.5, '%.')\n",
    "C('find', 'abcabc', 'abc', 2)\n",
    "C('find', 'aaa', 'aa', 2, true)\n",
    "C('find', 'aaab', 'aab', 1, true)\n",
    "C('find', 'abababc', 'ababc', 1, true)\n",
    "C('find', 'hello', 'xyz', 1, true)\n",
    "C('find', 'hello', 'hello world', 1, true)\n",
    "C('find', 'key = value', '(%w+)%s*=%s*(%w+)')\n",
    "C('find', 'key = value', '()=()')\n",
    "C('find', 'abc', 'b', 'x')\n",
    "C('find', 'abc', 'b', 1.5)\n",
    "C('find', 'abc', 'b', '2')\n",
    "C('find', 'abc', nil)\n",
    "C('find', nil, 'a')\n",
    "C('find', {}, 'a')\n",
    "C('find', 'abc', {})\n",
    "C('find', 'abc', 'b', math.maxinteger)\n",
    "C('find', 'abc', 'b', math.mininteger)\n",
    "C('mfind', 'hello', 'l')\n",
    "C('mfind', 'hello', 'l', 4)\n",
    "C('mfind', 'hello', '(l)(l)')\n",
    "C('mfind', 'hello', {})\n",
    "C('mfind', 'hello', 'l', 'x')\n",
    "C('mmatch', 'hello', nil)\n",
    "C('mmatch', 'hello', '(l', 2)\n",
    "C('mgsub', 'hello', 'l', true)\n",
    "C('mgsub', 'hello', 'l', 'L', 'x')\n",
    "C('mgsub', 'hello', 'l', 'map')\n",
    /* match: classes */
    "C('match', 'Hello World 42!', '%a+')\n",
    "C('match', 'Hello World 42!', '%A+')\n",
    "C('match', 'Hello World 42!', '%d+')\n",
    "C('match', 'Hello World 42!', '%D+')\n",
    "C('match', 'Hello World 42!', '%l+')\n",
    "C('match', 'Hello World 42!', '%L+')\n",
    "C('match', 'Hello World 42!', '%u')\n",
    "C('match', 'Hello World 42!', '%U+')\n",
    "C('match', 'Hello World 42!', '%s')\n",
    "C('match', 'Hello World 42!', '%S+')\n",
    "C('match', 'Hello World 42!', '%p')\n",
    "C('match', 'Hello World 42!', '%P+')\n",
    "C('match', 'Hello World 42!', '%w+')\n",
    "C('match', 'Hello World 42!', '%W+')\n",
    "C('match', 'ff 0x1F zz', '%x+')\n",
    "C('match', 'ff 0x1F zz', '%X+')\n",
    "C('match', 'tab\\there\\1end', '%c')\n",
    "C('match', 'tab\\there\\1end', '%C+')\n",
    "C('match', '  visible text', '%g+')\n",
    "C('match', '  visible text', '%G+')\n",
    "C('match', 'a\\0b', '%Z+')\n",
    "C('match', '\\200\\201abc', '%a+')\n",
    "C('match', '\\200\\201abc', '[\\128-\\255]+')\n",
    "C('match', 'a.b', '%.')\n",
    "C('match', 'a%b', '%%')\n",
    "C('match', 'a]b', '%]')\n",
    "C('match', 'x-y', '%-')\n",
    "C('match', 'q', '%q')\n",
    /* sets */
    "C('match', 'hello123', '[a-z]+')\n",
    "C('match', 'hello123', '[^a-z]+')\n",
    "C('match', 'HeLLo', '[A-Z]+')\n",
    "C('match', 'a-b', '[a-]+')\n",
    "C('match', 'a-b', '[-a]+')\n",
    "C('match', 'a]b', '[]]')\n",
    /* a range ending in '%' ("a-%") leaves the set's second '%' to escape its closing ']',
     * which is then a member: Lua 5.4.4 matches ']' with "[a-%%]" */
    "C('match', 'a]b', '[a-%%]')\n",
    "C('match', 'x]b', '[^a-%%]')\n",
    "C('match', ']', '[^a-%%]')\n",
    "C('match', '!#%]x', '[!-%%]+')\n",
    "C('find', '[a-]  (.*', '(.*(.-[a-%%]')\n",
    "C('gsub', '[a-]  x]', '.-[a-%%]', '%0')\n",
    "C('match', 'a]b', '[^]]+')\n",
    "C('match', 'ab^c', '[%^]')\n",
    "C('match', 'ab^c', '[b^]+')\n",
    "C('match', 'x_y1', '[%w_]+')\n",
    "C('match', 'a b\\tc', '[%s]+')\n",
    "C('match', 'zyx', '[z-a]')\n",
    "C('match', 'abc', '[a-c-e]+')\n",
    "C('match', '-', '[a-c-e]')\n",
    "C('match', 'e', '[a-c-e]')\n",
    "C('match', 'A1b2', '[%a%d]+')\n",
    "C('match', 'A1b2', '[^%a]')\n",
    "C('match', '%', '[%%]')\n",
    "C('match', '[', '[[]')\n",
    "C('match', 'abc', '[a')\n",
    "C('match', 'abc', '[a%')\n",
    "C('match', 'abc', '[]')\n",
    "C('match', 'abc', '[^]')\n",
    "C('match', ']', '[^]')\n",
    /* quantifiers */
    "C('match', 'aaab', 'a*')\n",
    "C('match', 'aaab', 'a+')\n",
    "C('match', 'aaab', 'a-')\n",
    "C('match', 'aaab', 'a-b')\n",
    "C('match', 'aaab', 'a?')\n",
    "C('match', 'aaab', 'a?a?a?a?b')\n",
    "C('match', 'b', 'a+b')\n",
    "C('match', 'b', 'a*b')\n",
    "C('match', '<a><b>', '<.*>')\n",
    "C('match', '<a><b>', '<.->')\n",
    "C('match', '<a><b>', '<(.-)>')\n",
    "C('match', 'abc', '.?.?.?.?')\n",
    "C('match', 'abc', 'x*')\n",
    "C('match', 'abc', 'x+')\n",
    "C('match', 'a+', 'a+?')\n",
    "C('match', 'aa', 'a**')\n",
    "C('match', '*a', '*a')\n",
    "C('match', '-a', '-a')\n",
    "C('match', '?', '?')\n",
    "C('match', '2024-01-31', '(%d+)-(%d+)-(%d+)')\n",
    "C('match', '  trim me  ', '^%s*(.-)%s*$')\n",
    "C('match', 'key=val', '^(%w+)=(%w*)$')\n",
    "C('match', 'key=', '^(%w+)=(%w*)$')\n",
    /* anchors and init */
    "C('match', 'abc', '^abc$')\n",
    "C('match', 'abcd', '^abc$')\n",
    "C('match', 'abc', 'c', -1)\n",
    "C('match', 'abc', '^c', -1)\n",
    "C('match', 'abc', '.', 4)\n",
    "C('match', 'abc', '.*', 4)\n",
    "C('match', 'abc', '.*', 5)\n",
    "C('match', 'abc', '$', 2)\n",
    "C('match', 'a$', 'a$$')\n",
    "C('match', '$', '^$')\n",
    "C('match', '', '^$')\n",
    /* captures */
    "C('match', 'hello world', '(h)(e)(l)(l)(o)')\n",
    "C('match', 'hello world', '((h)(e))')\n",
    "C('match', 'hello world', '()ll()')\n",
    "C('match', 'hello world', '()')\n",
    "C('match', 'hello world', '()', 5)\n",
    "C('match', 'hello world', '(o)()(.)', 6)\n",
    "C('match', 'hello', '(l)%1')\n",
    "C('match', 'hello', '(h)(.)%2')\n",
    "C('match', 'abab', '(ab)%1')\n",
    "C('match', 'abab', '((a)b)%2')\n",
    "C('match', 'xx', '(x)%2')\n",
    "C('match', 'xx', '(x%1)')\n",
    "C('match', 'xx', '%1')\n",
    "C('match', 'xx', '%0')\n",
    "C('match', 'xx', '(()x)')\n",
    "C('match', 'abc', '(')\n",
    "C('match', 'abc', ')')\n",
    "C('match', 'abc', '(()')\n",
    "C('match', 'abc', '(a)(')\n",
    "C('match', 'abc', 'a)')\n",
    "C('match', 'abc', '%')\n",
    "C('match', 'abc', 'a%')\n",
    "C('match', string.rep('a', 40), string.rep('(a)', 32))\n",
    "C('match', string.rep('a', 40), string.rep('(a)', 33))\n",
    "C('match', string.rep('a', 40), string.rep('()', 32))\n",
    "C('match', string.rep('a', 300), string.rep('a?', 300))\n",
    "C('match', string.rep('a', 150), string.rep('a?', 150))\n",
    "C('match', string.rep('a', 300), string.rep('a', 300))\n",
    "C('match', string.rep('a', 250), string.rep('(a)', 10) .. '.-$')\n",
    /* %b */
    "C('match', 'f(a(b)c) d', '%b()')\n",
    "C('match', 'f(a(b)c d', '%b()')\n",
    "C('match', 'x[[y]]z', '%b[]')\n",
    "C('match', 'if x then y end end', '%bie')\n",
    "C('match', 'aaa', '%baa')\n",
    "C('match', '((()', '%b()')\n",
    "C('match', 'abc', '%b')\n",
    "C('match', 'abc', '%b(')\n",
    "C('match', '(x)(y)', '(%b())(%b())')\n",
    "C('match', '(x)', '%b()$')\n",
    /* %f */
    "C('match', 'THE (quick) fox', '%f[%a]%a+')\n",
    "C('match', 'THE (quick) fox', '%f[%a]%a+', 5)\n",
    "C('match', 'hello world', '%f[%w]%w+%f[%W]')\n",
    "C('match', 'aaa', '%f[a]')\n",
    "C('match', 'aaa', '()%f[%z]')\n",
    "C('match', 'aaa', '%f[^a]()')\n",
    "C('match', 'abc', '%fa')\n",
    "C('match', 'abc', '%f')\n",
    "C('match', 'abc', '%f[a')\n",
    "C('match', 'x1y', '%f[%d].')\n",
    /* gmatch */
    "C('gmatch', 'one two  three', '%a+')\n",
    "C('gmatch', 'k1=v1, k2=v2', '(%w+)=(%w+)')\n",
    "C('gmatch', 'abc', '')\n",
    "C('gmatch', 'abc', '()')\n",
    "C('gmatch', 'abc', '.-')\n",
    "C('gmatch', 'abc', 'x*')\n",
    "C('gmatch', 'aXbXc', '[^X]*')\n",
    "C('gmatch', '^a^b', '^.')\n",
    "C('gmatch', 'abcabc', 'b', 3)\n",
    "C('gmatch', 'abcabc', 'b', -2)\n",
    "C('gmatch', 'abcabc', 'b', 100)\n",
    "C('gmatch', 'abcabc', '', 7)\n",
    "C('gmatch', 'abcabc', '', 8)\n",
    "C('gmatch', 'abcabc', 'b', 0)\n",
    "C('gmatch', 'abc', '(')\n",
    "C('gmatch', 'f(a) g(b(c))', '%b()')\n",
    "C('gmatch', 'the cat sat', '%f[%w]%w+')\n",
    "C('gmatch', '1,2,,3', '([^,]*)')\n",
    "C('gmatch', 'a1b22c333', '%d+()')\n",
    "C('gmatch', 'aaa', 'a-')\n",
    "C('gmatch', 'hello', '(l)(l)')\n",
    "C('gmatch', 'x\\0y\\0', '%Z+')\n",
    "C('gmatch', 123123, 2)\n",
    /* gsub: string replacements */
    "C('gsub', 'hello world', 'o', '0')\n",
    "C('gsub', 'hello world', 'o', '0', 1)\n",
    "C('gsub', 'hello world', 'o', '0', 0)\n",
    "C('gsub', 'hello world', 'o', '0', -1)\n",
    "C('gsub', 'hello world', 'o', '0', 1.0)\n",
    "C('gsub', 'hello world', 'o', '0', 1.5)\n",
    "C('gsub', 'hello world', 'o', '0', math.maxinteger)\n",
    "C('gsub', 'hello world', '(o)', '[%1]')\n",
    "C('gsub', 'hello world', 'o', '[%0]')\n",
    "C('gsub', 'hello world', 'o', '%%')\n",
    "C('gsub', 'hello world', 'o', '%1')\n",
    "C('gsub', 'hello world', 'o', '%2')\n",
    "C('gsub', 'hello world', 'o', '%x')\n",
    "C('gsub', 'hello world', 'o', '%')\n",
    "C('gsub', 'hello world', '(o)', '%2')\n",
    "C('gsub', 'hello world', '()o', '%1')\n",
    "C('gsub', 'hello world', '(w)(o)', '%2%1')\n",
    "C('gsub', 'hello world', '(%w+)', '<%1>')\n",
    "C('gsub', 'hello world', '%w+', '%0 %0')\n",
    "C('gsub', 'hello world', '', '-')\n",
    "C('gsub', 'hello world', '', '-', 3)\n",
    "C('gsub', '', '', 'x')\n",
    "C('gsub', '', 'a', 'x')\n",
    "C('gsub', 'abc', '.-', '-')\n",
    "C('gsub', 'abc', 'x*', '-')\n",
    "C('gsub', 'abc', '^', '>')\n",
    "C('gsub', 'abc', '$', '<')\n",
    "C('gsub', 'abc', '^a', 'A')\n",
    "C('gsub', 'aaa', '^a', 'A')\n",
    "C('gsub', 'abc', '^x', 'A')\n",
    "C('gsub', 'abc', '^', '')\n",
    "C('gsub', 'a.b.c', '%.', '/')\n",
    "C('gsub', 'a.b.c', '.', '/')\n",
    "C('gsub', '  trim  ', '^%s+', '')\n",
    "C('gsub', 'a,b,,c', ',', ';', 2)\n",
    "C('gsub', 'abc', 'b', 5)\n",
    "C('gsub', 'abc', 'b', 2.5)\n",
    "C('gsub', 'abc', 'b', true)\n",
    "C('gsub', 'abc', 'b', nil)\n",
    "C('gsub', 'abc', 'b')\n",
    "C('gsub', 'abc', '(', 'x')\n",
    "C('gsub', 'abc', '[', 'x')\n",
    "C('gsub', 'a\\0b', '%z', '0')\n",
    "C('gsub', 'a\\0b', '\\0', '%%0')\n",
    "C('gsub', 123, 2, 9)\n",
    "C('gsub', 'abc', 'b', 'x', 'many')\n",
    /* gsub: function replacements */
    "C('gsub', 'hello world', '%w+', 'upper')\n",
    "C('gsub', 'hello world', '%w+', 'upper', 1)\n",
    "C('gsub', 'hello world', '(%w)(%w*)', 'join')\n",
    "C('gsub', 'hello world', '()(%w+)()', 'join')\n",
    "C('gsub', 'hello world', '%w+', 'none')\n",
    "C('gsub', 'hello world', '%w+', 'no')\n",
    "C('gsub', 'hello world', '%w+', 'num')\n",
    "C('gsub', 'hello world', '%w+', 'float')\n",
    "C('gsub', 'hello world', '%w+', 'tbl')\n",
    "C('gsub', 'hello world', '%w+', 'len')\n",
    "C('gsub', 'hello world', 'o()', 'len')\n",
    "C('gsub', 'hello world', 'o', 'boom')\n",
    "C('gsub', 'hello world', '', 'len')\n",
    "C('gsub', 'abc', '.', 'upper', 2)\n",
    /* gsub: table replacements */
    "C('gsub', 'hello world', '%w+', 'map')\n",
    "C('gsub', 'a b c', '%w', 'map')\n",
    "C('gsub', 'a b c', '(%w)', 'map')\n",
    "C('gsub', 'a b c', '()%w', 'map')\n",
    "C('gsub', 'x y', '%w', 'map')\n",
    "C('gsub', 'hello world', '%w+', 'empty')\n",
    "C('gsub', 'hello world', '(h)(e)', 'map')\n",
    "C('gsub', 'hello hello', 'hello', 'map', 1)\n",
    NULL,
};

/* ---- states ------------------------------------------------------------------------------- */

typedef struct side {
    const char *name;
    lua_State *L;   /* the state to read results from */
    lh_host *h;     /* the sandbox, or NULL for a plain state */
    int env;        /* the sandbox chunk's environment (stack index) */
} side;

/* A plain state with the stock libraries; with `copy`, the string library's pattern
 * functions are replaced by luapattern.c's, unmetered. */
static lua_State *plain_state(int copy)
{
    lua_State *L = luaL_newstate();
    cr_assert_not_null(L);
    luaL_openlibs(L);
    if (copy) {
        static const struct { const char *name; lua_CFunction fn; } fns[] = {
            {"find", lp_find}, {"match", lp_match}, {"gmatch", lp_gmatch}, {"gsub", lp_gsub}};
        lua_getglobal(L, "string");
        for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
            lp_push(L, fns[i].fn, NULL);
            lua_setfield(L, -2, fns[i].name);
        }
        lua_pop(L, 1);
    }
    return L;
}

/* Runs the driver, the cases (Lua statements C(...)) and driver_end in a side. */
static void load_side(side *sd, const char *body)
{
    size_t n = strlen(driver) + strlen(body) + strlen(driver_end) + 1;
    char *src = malloc(n);
    cr_assert_not_null(src);
    snprintf(src, n, "%s%s%s", driver, body, driver_end);
    if (!sd->h) {
        int rc = luaL_loadbufferx(sd->L, src, strlen(src), "@corpus.lua", "t");
        cr_assert_eq(rc, LUA_OK, "%s: %s", sd->name, lua_tostring(sd->L, -1));
        rc = lua_pcall(sd->L, 0, 0, 0);
        cr_assert_eq(rc, LUA_OK, "%s: %s", sd->name, lua_tostring(sd->L, -1));
        lua_pushglobaltable(sd->L);
        sd->env = lua_gettop(sd->L);
    } else {
        sr_error err;
        sr_error_clear(&err);
        cr_assert_eq(lh_push_env(sd->h, 0, &err), SR_OK, "%s", err.msg);
        sd->env = lua_gettop(sd->L);
        lh_budget_reset(sd->h);
        int rc = lh_run_chunk(sd->h, "corpus.lua", src, strlen(src), sd->env, &err);
        cr_assert_eq(rc, SR_OK, "%s: %s:%d: %s", sd->name, err.file, err.line, err.msg);
        lh_seal_env(sd->h, sd->env);
    }
    free(src);
}

static void open_sides(side *stock, side *sandbox, side *copy, const char *body)
{
    *stock = (side){"stock", plain_state(0), NULL, 0};
    *copy = (side){"unmetered copy", plain_state(1), NULL, 0};
    sr_error err;
    sr_error_clear(&err);
    lh_host *h = NULL;
    cr_assert_eq(lh_open(NULL, &h, &err), SR_OK, "%s", err.msg);
    *sandbox = (side){"sandbox", lh_state(h), h, 0};
    load_side(stock, body);
    load_side(sandbox, body);
    load_side(copy, body);
}

static void close_sides(side *stock, side *sandbox, side *copy)
{
    lua_close(stock->L);
    lua_close(copy->L);
    lh_close(sandbox->h);
}

/* Pushes field `name` of the side's globals; the sandbox's are read through its env. */
static void get_global(side *sd, const char *name)
{
    lua_getfield(sd->L, sd->env, name);
}

static const char *result_of(side *sd, const char *table, lua_Integer i)
{
    get_global(sd, table);
    lua_geti(sd->L, -1, i);
    const char *s = lua_tostring(sd->L, -1);
    cr_assert_not_null(s, "%s: %s[%lld] is not a string", sd->name, table, (long long)i);
    return s; /* stays on the stack until the caller pops 2 */
}

/* ---- compatibility ------------------------------------------------------------------------ */

/* The corpus as one text (the lines are kept apart in the source only because C compilers
 * need not accept string literals longer than 4095 characters). */
static char *corpus_text(void)
{
    size_t n = 1;
    for (size_t i = 0; corpus[i]; i++)
        n += strlen(corpus[i]);
    char *text = malloc(n);
    cr_assert_not_null(text);
    text[0] = '\0';
    for (size_t i = 0; corpus[i]; i++)
        strcat(text, corpus[i]);
    return text;
}

Test(luapattern, corpus_gives_stock_results)
{
    side stock, sandbox, copy;
    char *text = corpus_text();
    open_sides(&stock, &sandbox, &copy, text);
    free(text);
    get_global(&stock, "count");
    lua_Integer n = lua_tointeger(stock.L, -1);
    lua_pop(stock.L, 1);
    cr_assert_geq(n, 200, "only %lld cases", (long long)n);
    int errors = 0, gsubs = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        const char *want = result_of(&stock, "results", i);
        const char *what = result_of(&stock, "described", i);
        if (strncmp(want, "boolean:\"false\"", 15) == 0)
            errors++;
        if (strstr(what, "gsub\""))
            gsubs++;
        side *others[] = {&sandbox, &copy};
        for (size_t k = 0; k < 2; k++) {
            const char *got = result_of(others[k], "results", i);
            cr_assert_str_eq(got, want, "case %lld (%s)\n  stock: %s\n  %s: %s", (long long)i,
                             what, want, others[k]->name, got);
            lua_pop(others[k]->L, 2);
        }
        lua_pop(stock.L, 4);
    }
    /* the corpus exercises the error paths and gsub, not only successful matches */
    cr_assert_geq(errors, 30, "%d error cases", errors);
    cr_assert_geq(gsubs, 60, "%d gsub cases", gsubs);
    close_sides(&stock, &sandbox, &copy);
}

/* A small deterministic generator (no libc rand: same cases on every platform). */
static unsigned long long gen_state = 0x2545F4914F6CDD1DULL;
static unsigned gen(unsigned n)
{
    gen_state ^= gen_state << 13;
    gen_state ^= gen_state >> 7;
    gen_state ^= gen_state << 17;
    return (unsigned)(gen_state % n);
}

static const char *const pat_tokens[] = {
    "a", "b", "x", ".", "%a", "%d", "%s", "%w", "[ab]", "[^a]", "[a-c]", "*", "+", "-", "?",
    "(", ")", "()", "%1", "%2", "%b()", "%f[%w]", "%f[^a]", "^", "$", "%", "[", "]", "%%",
    "(a)", "(.-)", "%0", "\\0",
};
static const char subj_chars[] = "aab()1 x-b";
static const char *const repl_values[] = {
    "'-'", "'%0'", "'<%1>'", "'%%'", "'%2'", "'upper'", "'join'", "'no'", "'map'", "'len'", "7",
};

/* Appends one random call of run() as a Lua statement "C(...)" to buf. */
static void gen_case(char *buf, size_t size)
{
    static const char *const ops[] = {"find", "match", "gmatch", "gsub", "mfind", "mgsub"};
    char pat[128] = "", subj[32] = "";
    unsigned ntok = gen(6);
    for (unsigned i = 0; i < ntok; i++)
        strcat(pat, pat_tokens[gen(sizeof pat_tokens / sizeof pat_tokens[0])]);
    unsigned nsub = gen(11);
    for (unsigned i = 0; i < nsub; i++)
        subj[i] = subj_chars[gen(sizeof subj_chars - 1)];
    subj[nsub] = '\0';
    const char *op = ops[gen(6)];
    char extra[64] = "";
    if (strstr(op, "gsub")) {
        const char *repl = repl_values[gen(sizeof repl_values / sizeof repl_values[0])];
        if (gen(3) == 0)
            snprintf(extra, sizeof extra, ", %s, %d", repl, (int)gen(5) - 1);
        else
            snprintf(extra, sizeof extra, ", %s", repl);
    } else if (gen(2) == 0) {
        snprintf(extra, sizeof extra, ", %d%s", (int)gen(16) - 4, gen(4) == 0 ? ", true" : "");
    }
    snprintf(buf, size, "C('%s', '%s', '%s'%s)\n", op, subj, pat, extra);
}

Test(luapattern, generated_cases_give_stock_results)
{
    enum { NCASES = 6000 };
    size_t size = (size_t)NCASES * 200;
    char *body = malloc(size);
    cr_assert_not_null(body);
    body[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < NCASES; i++) {
        gen_case(body + len, size - len);
        len += strlen(body + len);
    }
    side stock, sandbox, copy;
    open_sides(&stock, &sandbox, &copy, body);
    free(body);
    int errors = 0, matched = 0;
    for (lua_Integer i = 1; i <= NCASES; i++) {
        const char *want = result_of(&stock, "results", i);
        const char *what = result_of(&stock, "described", i);
        errors += strncmp(want, "boolean:\"false\"", 15) == 0;
        matched += strncmp(want, "boolean:\"true\" nil", 18) != 0 &&
                   strncmp(want, "boolean:\"false\"", 15) != 0;
        side *others[] = {&sandbox, &copy};
        for (size_t k = 0; k < 2; k++) {
            const char *got = result_of(others[k], "results", i);
            cr_assert_str_eq(got, want, "case %lld (%s)\n  stock: %s\n  %s: %s", (long long)i,
                             what, want, others[k]->name, got);
            lua_pop(others[k]->L, 2);
        }
        lua_pop(stock.L, 4);
    }
    /* the generator reaches every kind of outcome */
    cr_assert_gt(errors, NCASES / 20, "%d errors", errors);
    cr_assert_gt(matched, NCASES / 5, "%d matched", matched);
    close_sides(&stock, &sandbox, &copy);
}

/* ---- the budget --------------------------------------------------------------------------- */

/* CPU time of this thread: the machine may be shared, and the bounds are about work. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static lh_host *open_host(long budget)
{
    lh_limits lim = {lh_default_limits.mem_limit, budget ? budget : lh_default_limits.instr_budget};
    lh_host *h = NULL;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(lh_open(&lim, &h, &err), SR_OK, "%s", err.msg);
    return h;
}

/* Runs src as rules/t.lua with a fresh budget; returns the result code and the time taken. */
static int run_timed(lh_host *h, const char *src, sr_error *err, double *secs)
{
    lua_State *L = lh_state(h);
    int top = lua_gettop(L);
    sr_error_clear(err);
    cr_assert_eq(lh_push_env(h, 0, err), SR_OK);
    int env = lua_gettop(L);
    lh_budget_reset(h);
    double t0 = now();
    int rc = lh_run_chunk(h, T_FILE, src, strlen(src), env, err);
    *secs = now() - t0;
    lua_settop(L, top);
    return rc;
}

/* The host still runs an ordinary chunk that uses every pattern function. */
static void expect_usable(lh_host *h)
{
    sr_error err;
    double secs;
    const char *src = "local s = ('key = value; other = 2')\n"
                      "assert(s:find('=') == 5 and s:match('(%w+) = (%w+)') == 'key')\n"
                      "local n = 0\nfor k, v in s:gmatch('(%w+) = (%w+)') do n = n + 1 end\n"
                      "assert(n == 2 and select(2, s:gsub('%w+', '<%0>')) == 4)\n";
    int rc = run_timed(h, src, &err, &secs);
    cr_assert_eq(rc, SR_OK, "host unusable: %s:%d: %s", err.file, err.line, err.msg);
}

/* src must fail within a second with SR_ELIMIT at rules/t.lua:line with msg; then the host
 * must work again. */
/* How soon a stopped pattern must give up: the budget's 20 million steps take about 0.2 s in
 * a release build; the sanitizers' instrumentation makes each step several times dearer. */
#ifdef __SANITIZE_ADDRESS__
#define STOP_SECONDS 2.0
#else
#define STOP_SECONDS 1.0
#endif

static void expect_stopped(lh_host *h, const char *src, int line, const char *msg)
{
    sr_error err;
    double secs;
    int rc = run_timed(h, src, &err, &secs);
    cr_assert_eq(rc, SR_ELIMIT, "rc %d for [%s]: %s:%d: %s", rc, src, err.file, err.line,
                 err.msg);
    cr_assert_str_eq(err.file, T_FILE);
    cr_assert_eq(err.line, line, "line %d for [%s]", err.line, src);
    cr_assert_str_eq(err.msg, msg, "for [%s]", src);
    cr_assert_lt(secs, STOP_SECONDS, "took %.2f s: [%s]", secs, src);
    expect_usable(h);
}

#define BUDGET_MSG "pattern matching budget of 20000000 steps exceeded"

Test(luapattern, catastrophic_lazy_patterns_are_stopped)
{
    lh_host *h = open_host(0);
    /* 2.6 s with the stock matcher */
    expect_stopped(h, "local s = ('a'):rep(2^15)\n\nlocal i = s:find('.-b')\n", 3, BUDGET_MSG);
    /* 127 s with the stock matcher */
    expect_stopped(h, "local s = ('a'):rep(300)\nlocal i = s:find('.-.-.-.-b')\n", 2, BUDGET_MSG);
    expect_stopped(h, "local s = ('a'):rep(300)\nlocal i = s:match('(.*)(.*)(.*)(.*)b')\n", 2,
                   BUDGET_MSG);
    expect_stopped(h, "local s = ('a'):rep(300)\nlocal r = string.gsub(s, '.-.-.-.-b', 'x')\n",
                   2, BUDGET_MSG);
    expect_stopped(h, "local s = ('a'):rep(300)\nfor w in s:gmatch('.-.-.-.-b') do end\n", 2,
                   BUDGET_MSG);
    lh_close(h);
}

Test(luapattern, quadratic_scans_are_stopped)
{
    lh_host *h = open_host(0);
    /* %b from every start position scans to the end of the subject */
    expect_stopped(h, "local s = ('('):rep(2^20)\nlocal i = s:find('%b()')\n", 2, BUDGET_MSG);
    /* a long set is scanned at every position */
    expect_stopped(h, "local set = '[' .. ('b'):rep(2^19) .. ']'\n"
                      "local i = ('a'):rep(2^20):find(set)\n", 2, BUDGET_MSG);
    /* a plain search whose needle almost matches everywhere */
    expect_stopped(h, "local needle = ('a'):rep(2^19) .. 'b'\n"
                      "local i = ('a'):rep(2^20):find(needle, 1, true)\n", 2, BUDGET_MSG);
    /* a back reference compared at every split */
    expect_stopped(h, "local s = ('a'):rep(2^16)\nlocal i = s:find('(a*)%1b')\n", 2,
                   BUDGET_MSG);
    /* a replacement of escapes that add nothing, scanned at every (empty) match */
    expect_stopped(h, "local r = ('%0'):rep(2^18)\nlocal s = string.gsub(('a'):rep(2^16), '', r)\n",
                   2, BUDGET_MSG);
    /* a long pattern is read whole at every call, even when the subject is short */
    {
        sr_error err;
        double secs;
        int rc = run_timed(h, "local p = ('x'):rep(2^20)\nlocal q = p .. ''\n"
                              "for i = 1, 1e6 do local r = ('abc'):find(p) end\n",
                           &err, &secs);
        cr_assert_eq(rc, SR_ELIMIT, "%s:%d: %s", err.file, err.line, err.msg);
        cr_assert_eq(err.line, 3);
        cr_assert_lt(secs, 1.0, "took %.2f s", secs);
    }
    /* a long literal pattern that almost matches at every position */
    expect_stopped(h, "local p = ('a'):rep(2^15) .. 'b'\nlocal i = ('a'):rep(2^16):match(p)\n",
                   2, BUDGET_MSG);
    lh_close(h);
}

Test(luapattern, budget_error_cannot_be_caught)
{
    lh_host *h = open_host(0);
    /* pcall returns, but the evaluation is over: the next instruction raises */
    sr_error err;
    double secs;
    int rc = run_timed(h, "local s = ('a'):rep(2^15)\nlocal ok, e = pcall(s.find, s, '.-b')\n"
                          "local x = 1\n",
                       &err, &secs);
    cr_assert_eq(rc, SR_ELIMIT, "%s:%d: %s", err.file, err.line, err.msg);
    cr_assert_str_eq(err.file, T_FILE);
    cr_assert_lt(secs, 1.0);
    expect_usable(h);
    lh_close(h);
}

Test(luapattern, budget_error_names_the_calling_rule)
{
    lh_host *h = open_host(0);
    /* the line of the rule function that called the matcher, not of its caller */
    expect_stopped(h, "local function rule(s)\n  return s:find('.-.-.-b')\nend\n"
                      "local r = rule(('a'):rep(1000))\n",
                   2, BUDGET_MSG);
    /* inside a gsub callback */
    expect_stopped(h, "local s = string.gsub('xy', '%w', function(c)\n"
                      "  return tostring(('a'):rep(2^15):find('.-b'))\nend)\n",
                   2, BUDGET_MSG);
    lh_close(h);
}

Test(luapattern, many_calls_add_up_to_the_instruction_budget)
{
    lh_host *h = open_host(0);
    /* each call takes about half a million steps, well under the limit of one call, but 1000
     * of them are 25 times the budget: they are charged as instructions, and the call during
     * which the budget runs out stops */
    expect_stopped(h, "local s = ('a'):rep(1000)\nfor i = 1, 1000 do\n"
                      "  local r = s:find('.-b')\nend\n",
                   3, BUDGET_MSG);
    /* the same through instructions: the budget left after a loop is what patterns get */
    expect_stopped(h, "for i = 1, 3e6 do end\nlocal s = ('a'):rep(1000)\n"
                      "for i = 1, 1000 do local r = s:find('.-b') end\n",
                   3, BUDGET_MSG);
    lh_close(h);
}

Test(luapattern, pattern_functions_called_from_c_share_the_budget)
{
    lh_host *h = open_host(0);
    /* gsub calls string.find as its replacement, from C, where the hook cannot stop it: 1000
     * calls of ~5 million steps each, every one under the limit of a call, 28 s in all */
    expect_stopped(h, "local s = (('a'):rep(100) .. '.-.-.-X'):rep(1000)\n"
                      "local r = s:gsub('(a+)(%.%-%.%-%.%-X)', string.find)\n",
                   2, BUDGET_MSG);
    lh_close(h);
}

Test(luapattern, steps_are_charged_to_the_budget)
{
    lh_host *h = open_host(0);
    sr_error err;
    double secs;
    /* ~500,000 calls of match(): a handful of VM instructions otherwise */
    cr_assert_eq(run_timed(h, "local r = ('a'):rep(1000):find('.-b')\n", &err, &secs), SR_OK,
                 "%s", err.msg);
    cr_assert_gt(lh_budget_used(h), 400000, "used %ld", lh_budget_used(h));
    cr_assert_lt(lh_budget_used(h), 2000000, "used %ld", lh_budget_used(h));
    lh_close(h);
}

Test(luapattern, limit_follows_the_instruction_budget)
{
    lh_host *h = open_host(100000);
    expect_stopped(h, "local s = ('a'):rep(1000)\nlocal r = s:find('.-b')\n", 2,
                   "pattern matching budget of 100000 steps exceeded");
    /* ordinary rule work stays well within even this small budget */
    sr_error err;
    double secs;
    cr_assert_eq(run_timed(h, "local s = ('word '):rep(200)\nlocal n = select(2, s:gsub('%a+', '%0'))\n"
                              "assert(n == 200)\n",
                           &err, &secs),
                 SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    lh_close(h);
}

/* ---- the meter on its own ------------------------------------------------------------------ */

typedef struct tally {
    long charged;
    int exceeded;
} tally;

static int tally_charge(lua_State *L, void *ud, long steps)
{
    (void)L;
    ((tally *)ud)->charged += steps;
    return 0;
}

static void tally_exceeded(lua_State *L, void *ud)
{
    (void)L;
    ((tally *)ud)->exceeded++;
}

Test(luapattern, meter_is_told_every_step_and_the_overrun)
{
    tally t = {0, 0};
    lp_meter m = {50000, tally_charge, tally_exceeded, &t};
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lp_push(L, lp_find, &m);
    lua_setglobal(L, "mfind");
    /* a small search: charged in full at the end of the call */
    cr_assert_eq(luaL_dostring(L, "assert(mfind(('a'):rep(10) .. 'b', '.-b') == 1)"), LUA_OK,
                 "%s", lua_tostring(L, -1));
    cr_assert_gt(t.charged, 10);
    cr_assert_lt(t.charged, 200);
    cr_assert_eq(t.exceeded, 0);
    /* past the limit: an error with the limit in it, after the meter heard of it */
    t.charged = 0;
    cr_assert_neq(luaL_dostring(L, "return mfind(('a'):rep(1000), '.-b')"), LUA_OK);
    cr_assert_str_eq(lua_tostring(L, -1), "[string \"return mfind(('a'):rep(1000), "
                                          "'.-b')\"]:1: pattern matching budget of 50000 "
                                          "steps exceeded");
    lua_pop(L, 1);
    cr_assert_eq(t.exceeded, 1);
    cr_assert_gt(t.charged, 50000);
    cr_assert_lt(t.charged, 50000 + 2 * 4096);
    lua_close(L);
}

Test(luapattern, gmatch_iterations_each_have_the_limit)
{
    tally t = {0, 0};
    lp_meter m = {1000, tally_charge, tally_exceeded, &t};
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lp_push(L, lp_gmatch, &m);
    lua_setglobal(L, "mgmatch");
    /* 300 iterations of a few steps each: over 1000 in all, but no iteration is */
    cr_assert_eq(luaL_dostring(L, "local n = 0\n"
                                  "for w in mgmatch(('abcdefghij '):rep(300), '%a+') do\n"
                                  "  n = n + 1\nend\n"
                                  "assert(n == 300)"),
                 LUA_OK, "%s", lua_tostring(L, -1));
    cr_assert_gt(t.charged, 1000);
    cr_assert_eq(t.exceeded, 0);
    lua_close(L);
}
