whatif tests/golden/inputs/control-chars-scenario.yaml
