help whatif
