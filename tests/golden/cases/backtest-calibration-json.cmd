backtest --format json scenarios/published/outcomes.csv
