rate tests/golden/inputs/evidence-import-bad-count.yaml
