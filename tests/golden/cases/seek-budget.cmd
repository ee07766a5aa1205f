seek scenarios/councils/bath-ne-somerset-2003.yaml --target 3 --include-gaps --max-evaluations 30
