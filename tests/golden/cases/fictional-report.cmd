report --rules tests/fictional/2031 tests/fictional/councils/eastmere-2031.yaml tests/fictional/councils/westholm-2031.yaml
