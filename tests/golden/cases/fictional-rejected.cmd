rate --rules tests/fictional/2031 tests/fictional/councils/retired-service.yaml tests/fictional/councils/retired-indicator.yaml tests/fictional/councils/capacity-tag.yaml
