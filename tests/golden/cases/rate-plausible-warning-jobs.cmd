rate --jobs 2 --format csv tests/golden/inputs/fraction-percent.yaml tests/golden/inputs/fraction-percent.yaml
