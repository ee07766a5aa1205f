rate --format json --files-from tests/golden/inputs/list.txt
