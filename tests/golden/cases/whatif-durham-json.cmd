whatif --format json scenarios/councils/durham-2003.yaml scenarios/whatif/durham-social-worker-workloads.yaml scenarios/whatif/durham-three-stars.yaml
