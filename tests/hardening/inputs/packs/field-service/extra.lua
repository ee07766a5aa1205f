service { id = 'carers', nmae = "carers' services", title = "Carers' services", source = 's' }
