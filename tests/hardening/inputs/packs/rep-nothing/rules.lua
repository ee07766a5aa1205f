rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    for i = 1, math.huge do local s = string.rep('', math.maxinteger) end
  end }
