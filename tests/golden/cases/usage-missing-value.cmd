rate scenarios/councils/durham-2003.yaml --format
