rate --format csv tests/golden/inputs/control-chars.yaml tests/golden/inputs/csv-injection.yaml
