-- a loop of declarations: the pack would take a minute to load
for i = 1, 100000 do
  star_rule { id = 'x' .. i, stars = 1, sentence = 's', reconstructed = 'r', when = function() return true end }
end
