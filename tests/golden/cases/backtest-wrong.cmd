backtest tests/golden/cases/backtest-wrong.csv
