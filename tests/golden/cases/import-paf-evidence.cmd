import --paf tests/golden/inputs/paf-harrow.csv tests/golden/inputs/evidence-for-paf.yaml
