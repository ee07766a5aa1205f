rate -o tests/golden/no-such-folder/out.txt scenarios/councils/durham-2003.yaml
