retire { star_rule = 'none', reconstructed = 'r' }
retire { star_rule = 'none', reconstructed = 'r' }
