whatif scenarios/councils/demo-2-star-capped.yaml scenarios/whatif/demo-every-change.yaml
