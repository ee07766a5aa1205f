rate --format json -
stdin: tests/golden/cases/import-mangled.out
