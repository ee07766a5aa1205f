rate tests/golden/inputs/hint-colon.yaml
