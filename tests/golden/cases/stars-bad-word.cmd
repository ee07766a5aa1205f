stars mostly/promising some/promising
