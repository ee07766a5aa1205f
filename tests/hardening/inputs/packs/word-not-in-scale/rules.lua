rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input) return 'excellent' end }
