seek --rules tests/fictional/2031 tests/fictional/councils/eastmere-2031.yaml --margin --limit 4
