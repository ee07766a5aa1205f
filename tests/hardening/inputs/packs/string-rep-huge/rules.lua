rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    local s = string.rep('x', 2^32)
  end }
