rate --uncertainty --variants 200 --format json scenarios/councils/durham-2003.yaml
