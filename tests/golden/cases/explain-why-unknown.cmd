explain --why adults.servin scenarios/councils/demo-2-star-capped.yaml
