explain tests/golden/inputs/control-chars.yaml
