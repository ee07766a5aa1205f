stars --format json --year 2002 no/poor yes/excellent
