seek scenarios/councils/demo-2-star-capped.yaml --target 3 --format csv --limit 4
