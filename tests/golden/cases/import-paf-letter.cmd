import --paf tests/golden/inputs/paf-harrow.csv tests/unit/data/letters/harrow-2003.txt
