star_rule { id = 'all', stars = 1, sentence = 's', source = 's', wehn = function(j) return true end }
