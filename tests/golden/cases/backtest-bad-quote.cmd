backtest tests/golden/cases/backtest-bad-quote.csv
