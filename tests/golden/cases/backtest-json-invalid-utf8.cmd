backtest --format json tests/golden/inputs/invalid-utf8.csv
