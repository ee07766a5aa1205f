import tests/golden/inputs/letter-mangled.txt
