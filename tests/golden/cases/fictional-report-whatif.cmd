report --rules tests/fictional/2031 --scenario tests/fictional/whatif/eastmere-buses.yaml tests/fictional/councils/eastmere-2031.yaml
