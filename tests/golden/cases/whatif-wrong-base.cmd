whatif scenarios/councils/durham-2003.yaml scenarios/whatif/harrow-carers-upper-band.yaml
