seek scenarios/councils/harrow-2003.yaml --target 2 --only findings --fix ch-afi-2 --fix children.finding.ch-afi-1 --limit 3
