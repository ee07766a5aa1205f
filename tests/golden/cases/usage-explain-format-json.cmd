explain --format json scenarios/councils/durham-2003.yaml
