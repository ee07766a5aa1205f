indicator { code = 'X1', name = 'x', service = 'adults', standard = 1, unit = 'percent', polarity = 'higher',
  bands = { { band = 5, min = 80 } }, source = 's' }
cap { id = 'x1-low', service = 'adults', judgement = 'serving', to = 'some', indicator = 'X1',
  below = 20, abvoe = 20, sentence = 's', source = 's' }
