rating { min = 0, max = 3, unit = 'stars', maximum = 3, source = 's' }
