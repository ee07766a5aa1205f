indicators scenarios/councils/harrow-2003.yaml
