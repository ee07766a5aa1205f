rate --colour scenarios/councils/durham-2003.yaml
