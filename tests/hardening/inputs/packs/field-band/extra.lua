indicator { code = 'X1', name = 'x', service = 'adults', standard = 1, unit = 'percent', polarity = 'higher',
  bands = { { band = 5, min = 80, mxa = 90 } }, source = 's' }
