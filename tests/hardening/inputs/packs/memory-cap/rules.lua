rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    local t = {}
    for i = 1, 1e9 do t[i] = i end
  end }
