rate tests/golden/inputs/hint-indent.yaml
