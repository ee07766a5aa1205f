whatif --uncertainty --variants 200 scenarios/councils/harrow-2003.yaml scenarios/whatif/harrow-adults-quality.yaml scenarios/whatif/harrow-statements-of-need.yaml
