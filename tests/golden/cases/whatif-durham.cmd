whatif scenarios/councils/durham-2003.yaml scenarios/whatif/durham-social-worker-workloads.yaml scenarios/whatif/durham-partnership-outcomes.yaml scenarios/whatif/durham-three-stars.yaml
