seek scenarios/councils/harrow-2003.yaml --target 2 --include-gaps --limit 3
