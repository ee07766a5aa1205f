rate -o tests/golden scenarios/councils/durham-2003.yaml
