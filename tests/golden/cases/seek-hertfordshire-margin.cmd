seek scenarios/councils/hertfordshire-2002.yaml --margin --max-changes 2 --limit 3
