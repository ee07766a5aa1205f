rate --summary scenarios/councils/durham-2003.yaml scenarios/councils/demo-0-star.yaml
