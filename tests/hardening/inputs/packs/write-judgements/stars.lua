star_rule { id = 'none', stars = 0, sentence = 'children not served', source = 's',
  when = function(j)
    j.children.serving = 'yes'
    return j.children.serving == 'no'
  end }
star_rule { id = 'otherwise', stars = 1, sentence = 'otherwise', reconstructed = 'r',
  when = function(j) return true end }
