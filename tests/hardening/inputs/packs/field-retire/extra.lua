retire { star_rule = 'none', reason = 'dropped', reconstructed = 'r' }
