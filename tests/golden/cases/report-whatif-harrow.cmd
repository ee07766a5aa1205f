report --scenario scenarios/whatif/harrow-children-commissioning.yaml scenarios/councils/harrow-2003.yaml
