whatif scenarios/councils/harrow-2003.yaml tests/golden/cases/whatif-bad-scenario.yaml scenarios/whatif/harrow-statements-halfway.yaml
