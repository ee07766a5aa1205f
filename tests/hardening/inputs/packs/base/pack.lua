-- The base of every bad-pack case: a minimal valid pack. Each case under
-- tests/hardening/inputs/packs/NAME/ replaces some of these files.
pack { name = 'hardening', version = '1', round = 2002, title = 'bad-pack cases',
       files = { 'decl.lua', 'stars.lua', 'rules.lua' } }
