rate --format json --trace --rules tests/fictional/2031 tests/fictional/councils/westholm-2031.yaml
