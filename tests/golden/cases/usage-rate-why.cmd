rate --why x --junit f scenarios/councils/durham-2003.yaml
