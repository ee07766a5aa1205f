rate tests/golden/inputs/control-chars.yaml
