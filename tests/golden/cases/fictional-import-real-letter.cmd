import --rules tests/fictional/2031 tests/unit/data/letters/harrow-2003.txt
