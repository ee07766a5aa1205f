test tests/fictional/2031
