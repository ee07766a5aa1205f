rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    local text = string.rep('a', 300)
    if text:find('.-.-.-.-b') then return 'good' end
    return 'adequate'
  end }
