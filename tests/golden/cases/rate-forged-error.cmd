rate tests/golden/inputs/forged-error.yaml
