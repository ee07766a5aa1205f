retire { indicator = 'Z9', reconstructed = 'r' }
