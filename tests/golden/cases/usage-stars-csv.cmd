stars --format csv most/promising some/promising
