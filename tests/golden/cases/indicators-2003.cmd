indicators --round 2003
