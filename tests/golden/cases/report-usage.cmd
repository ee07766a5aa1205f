report --format json scenarios/councils/harrow-2003.yaml
