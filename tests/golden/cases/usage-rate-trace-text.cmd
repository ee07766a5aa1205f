rate --trace scenarios/councils/durham-2003.yaml
