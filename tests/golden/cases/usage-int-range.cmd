seek scenarios/councils/harrow-2003.yaml --target=2 --max-changes 9
