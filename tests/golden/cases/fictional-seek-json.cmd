seek --rules tests/fictional/2031 tests/fictional/councils/westholm-2031.yaml --target 2 --format json --limit 3
