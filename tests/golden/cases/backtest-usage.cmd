backtest --rules 2003 --format yaml scenarios/published/outcomes.csv
