service { id = 'children', name = "children's services", title = "Children's services", source = 's' }
service { id = 'adults', name = "adults' services", title = "Adults' services", source = 's' }
scale { id = 'serving', name = 'serving people well', source = 's', words = {
  { id = 'no', text = 'no' }, { id = 'some', text = 'some' },
  { id = 'most', text = 'most' }, { id = 'yes', text = 'yes' } } }
scale { id = 'capacity', name = 'capacity for improvement', source = 's', words = {
  { id = 'poor', text = 'poor' }, { id = 'uncertain', text = 'uncertain' },
  { id = 'promising', text = 'promising' }, { id = 'excellent', text = 'excellent' } } }
scale { id = 'grade', name = 'grade', source = 's', words = {
  { id = 'inadequate', text = 'inadequate' }, { id = 'adequate', text = 'adequate' },
  { id = 'good', text = 'good' }, { id = 'very_good', text = 'very good' } } }
rating { min = 0, max = 3, unit = 'stars', source = 's' }
for n = 1, 6 do
  standard { number = n, name = 'Standard ' .. n, informs = n < 6 and 'serving' or 'capacity',
             criteria = { 'c' }, source = 's' }
end
