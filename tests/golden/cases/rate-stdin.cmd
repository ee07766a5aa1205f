rate -
stdin: scenarios/councils/hertfordshire-2002.yaml
