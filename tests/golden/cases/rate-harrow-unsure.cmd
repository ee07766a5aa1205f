rate scenarios/councils/harrow-2003.yaml scenarios/councils/demo-3-star.yaml
