rate --format csv scenarios/councils/durham-2003.yaml scenarios/councils/hertfordshire-2002.yaml scenarios/councils/demo-2-star-capped.yaml
