import tests/unit/data/letters/not-letter-durham-summary.txt
