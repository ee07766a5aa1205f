rate --uncertainty --variants 0 scenarios/councils/harrow-2003.yaml
