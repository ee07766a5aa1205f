backtest -
stdin: scenarios/published/outcomes.csv
