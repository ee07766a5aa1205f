rate --format table tests/golden/inputs/bad-word.yaml scenarios/councils/durham-2003.yaml tests/golden/inputs/missing.yaml
