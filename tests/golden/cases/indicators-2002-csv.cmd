indicators --round 2002 --format csv
