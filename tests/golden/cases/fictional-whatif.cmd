whatif --rules tests/fictional/2031 tests/fictional/councils/eastmere-2031.yaml tests/fictional/whatif/eastmere-buses.yaml
