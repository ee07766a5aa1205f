rate --format=csv -j1 --rules=2003 -- scenarios/councils/durham-2003.yaml
