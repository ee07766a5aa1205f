stars most/promising some/promising
