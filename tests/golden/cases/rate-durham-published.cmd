rate --from-published scenarios/councils/durham-2003.yaml
