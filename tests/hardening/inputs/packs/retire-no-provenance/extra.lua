retire { star_rule = 'none' }
