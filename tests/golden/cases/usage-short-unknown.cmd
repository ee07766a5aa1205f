rate -x scenarios/councils/durham-2003.yaml
