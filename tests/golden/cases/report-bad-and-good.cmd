report tests/golden/inputs/bad-word.yaml scenarios/councils/demo-0-star.yaml scenarios/councils/demo-3-star.yaml
