pack { name = 'hardening', version = '1', round = 2002, title = 'bad-pack cases',
       files = { 'decl.lua', 'stars.lua', 'rules.lua', 'extra.lua' } }
