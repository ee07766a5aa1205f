explain --format csv scenarios/councils/durham-2003.yaml
