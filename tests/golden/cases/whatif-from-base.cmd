whatif scenarios/whatif/harrow-carers-upper-band.yaml scenarios/whatif/harrow-statements-of-need.yaml
