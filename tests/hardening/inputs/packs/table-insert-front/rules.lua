rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    local t = {} for i = 1, 5e5 do t[i] = i end for i = 1, 1e9 do table.insert(t, 1, i) end
  end }
