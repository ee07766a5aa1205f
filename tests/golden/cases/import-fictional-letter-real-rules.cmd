import tests/fictional/letters/eastmere-2031.txt
