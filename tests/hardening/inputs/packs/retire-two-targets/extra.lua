retire { star_rule = 'none', service = 'adults', reconstructed = 'r' }
