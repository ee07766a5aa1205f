seek scenarios/councils/bath-ne-somerset-2003.yaml --target 2 --format json --limit 2
