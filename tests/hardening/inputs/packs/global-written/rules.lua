local seen = 0
rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    last_service = input.service
    return 'good'
  end }
