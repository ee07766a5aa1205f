indicator { code = 'X1', name = 'x', service = 'adults', standard = 1, unit = 'percent', polarity = 'higher',
  bands = { { band = 5, min = 80 } }, source = 's' }
retire { indicator = 'X1', reconstructed = 'dropped in this round' }
cap { id = 'x1-low', service = 'adults', judgement = 'serving', to = 'some', indicator = 'X1',
  below = 20, sentence = 's', source = 's' }
