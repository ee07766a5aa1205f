seek scenarios/councils/durham-2003.yaml --margin --limit 4
