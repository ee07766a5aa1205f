rate --rules tests/fictional/2031 tests/fictional/councils/thin-2031.yaml
