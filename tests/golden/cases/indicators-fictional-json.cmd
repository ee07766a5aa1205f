indicators --rules tests/fictional/2031 --format json
