stars most/promising
