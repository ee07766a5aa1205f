rule { id = 'serving', layer = 'serving', sentence = 's', reconstructed = 'r',
  fn = function(input) return { 'most' } end }
