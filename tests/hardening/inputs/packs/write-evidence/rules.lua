rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    input.findings[1].kind = 'strength'
    return 'good'
  end }
