import --rules tests/fictional/2031 tests/fictional/letters/eastmere-2031.txt
