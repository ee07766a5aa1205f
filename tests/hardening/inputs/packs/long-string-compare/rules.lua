rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    local a, b = ('x'):rep(2^20), ('x'):rep(2^19) .. ('x'):rep(2^19) while a == b do end
  end }
