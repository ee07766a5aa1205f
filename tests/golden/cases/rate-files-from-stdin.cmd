rate --format csv scenarios/councils/demo-3-star.yaml --files-from -
stdin: tests/golden/inputs/list.txt
