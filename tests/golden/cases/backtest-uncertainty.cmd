backtest --uncertainty --variants 100
