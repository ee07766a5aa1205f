seek --rules tests/fictional/2031 tests/fictional/councils/eastmere-2031.yaml --target 2
