seek scenarios/councils/hertfordshire-2002.yaml --target 3
