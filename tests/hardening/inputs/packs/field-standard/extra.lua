standard { number = 1, name = 'Standard 1', infroms = 'serving', criteria = { 'c' }, source = 's' }
