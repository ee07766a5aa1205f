rate --uncertainty --variants 200 --seed 5 --format csv scenarios/councils/harrow-2003.yaml scenarios/councils/demo-1-star-capped.yaml
