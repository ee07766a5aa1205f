rate --uncertainty --variants 200 scenarios/councils/harrow-2003.yaml
