service { 'carers', name = "carers' services", title = "Carers' services", source = 's' }
