seek scenarios/councils/harrow-2003.yaml --target 1
