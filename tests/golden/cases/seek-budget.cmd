seek scenarios/councils/bath-ne-somerset-2003.yaml --target 3 --max-evaluations 30
