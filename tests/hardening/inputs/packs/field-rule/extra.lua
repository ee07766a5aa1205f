rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r', rows = 3,
  fn = function(input) return 'good' end }
