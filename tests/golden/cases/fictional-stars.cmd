stars --rules tests/fictional/2031 many/fair all/bright many/fair
