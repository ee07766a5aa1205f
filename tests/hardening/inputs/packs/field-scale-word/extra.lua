scale { id = 'grade', name = 'grade', source = 's', words = {
  { id = 'inadequate', text = 'inadequate' }, { id = 'adequate', txet = 'adequate' },
  { id = 'good', text = 'good' }, { id = 'very_good', text = 'very good' } } }
