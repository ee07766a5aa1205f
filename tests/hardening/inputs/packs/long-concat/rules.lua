rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    local s = ('x'):rep(2^20) return s .. s
  end }
