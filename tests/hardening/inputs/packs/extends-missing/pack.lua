pack { name = 'hardening', version = '1', round = 2003, title = 'bad-pack cases',
       extends = 'nonexistent-round', files = { 'decl.lua', 'stars.lua', 'rules.lua' } }
