rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',
  fn = function(input)
    os.execute('touch /tmp/starrate-pwned')
  end }
