rate scenarios/whatif/harrow-carers-upper-band.yaml rules/2003/tests/calibration.yaml scenarios/councils/durham-2003.yaml
