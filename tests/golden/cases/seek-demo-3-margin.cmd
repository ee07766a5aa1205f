seek scenarios/councils/demo-3-star.yaml --margin --max-changes 2 --limit 6
