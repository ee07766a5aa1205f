explain -
stdin: tests/golden/cases/import-mangled.out
