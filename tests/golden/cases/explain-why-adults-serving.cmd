explain --why adults.serving scenarios/councils/demo-2-star-capped.yaml
