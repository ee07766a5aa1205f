rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    while true do end
  end }
