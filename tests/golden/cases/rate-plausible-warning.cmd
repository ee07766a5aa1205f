rate tests/golden/inputs/fraction-percent.yaml scenarios/councils/durham-2003.yaml
