requirement { id = 'homes_inspected', text = 't', services = { 'children' }, sevrice = 'adults', source = 's' }
