test --junit /dev/stdout tests/golden/inputs/tap-pack/tests/forgery.yaml
