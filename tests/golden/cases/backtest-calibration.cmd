backtest scenarios/published/outcomes.csv
