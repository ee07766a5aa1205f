check tests/fictional/2030 tests/fictional/2031
