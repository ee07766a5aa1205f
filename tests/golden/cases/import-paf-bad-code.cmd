import --paf tests/golden/inputs/paf-bad-code.csv tests/unit/data/letters/harrow-2003.txt
