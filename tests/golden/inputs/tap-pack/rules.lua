rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input) return 'good', { reason = 'fixed' } end }
rule { id = 'serving', layer = 'serving', sentence = 's', reconstructed = 'r',
  fn = function(input) return 'most' end }
rule { id = 'capacity-grade', layer = 'capacity_grade', sentence = 'c', reconstructed = 'r',
  fn = function(input) return 'good' end }
rule { id = 'capacity', layer = 'capacity', sentence = 'c', reconstructed = 'r',
  fn = function(input) return 'promising' end }
