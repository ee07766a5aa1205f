rate --summary=yes scenarios/councils/durham-2003.yaml
