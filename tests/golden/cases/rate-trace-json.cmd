rate --format json --trace scenarios/councils/demo-2-star-capped.yaml
