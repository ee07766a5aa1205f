test tests/golden/inputs/tap-pack/tests/forgery.yaml
