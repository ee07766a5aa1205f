backtest --format=json tests/golden/cases/backtest-wrong.csv
