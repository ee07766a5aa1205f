indicator { code = 'X1', name = 'x', service = 'adults', standard = 1, unit = 'percent', polarity = 'higher', polarty = 'higher',
  bands = { { band = 5, min = 80 } }, source = 's' }
