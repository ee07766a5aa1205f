-- A minimal pack whose test file has case names made to forge TAP lines and break JUnit XML
pack { name = 'hardening', version = '1', round = 2002, title = 'bad-pack cases',
       files = { 'decl.lua', 'stars.lua', 'rules.lua' } }
