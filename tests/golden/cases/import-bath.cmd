import tests/unit/data/letters/bath-ne-somerset-2003.txt
