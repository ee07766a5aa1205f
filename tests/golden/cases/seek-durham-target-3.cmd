seek scenarios/councils/durham-2003.yaml --target 3 --limit 4
