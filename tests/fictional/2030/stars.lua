-- Star rows of the fictional round, written over whatever services the round has: a later
-- round that retires a service keeps them.
local FICTION = "fictional: written for the tests"

local function every(j, test)
  for _, s in pairs(j) do
    if not test(s) then return false end
  end
  return true
end

star_rule {
  id = "someone-failing", stars = 0, reconstructed = FICTION,
  sentence = "a service reaches no residents or has a bleak outlook",
  when = function(j) return not every(j, function(s) return s.serving ~= "none" and s.capacity ~= "bleak" end) end,
}
star_rule {
  id = "all-bright", stars = 3, reconstructed = FICTION,
  sentence = "every service reaches many or all residents with a bright outlook",
  when = function(j) return every(j, function(s) return at_least(s.serving, "many") and s.capacity == "bright" end) end,
}
star_rule {
  id = "all-many", stars = 2, reconstructed = FICTION,
  sentence = "every service reaches many or all residents with at least a fair outlook",
  when = function(j) return every(j, function(s) return at_least(s.serving, "many") and at_least(s.capacity, "fair") end) end,
}
star_rule {
  id = "otherwise", stars = 1, reconstructed = FICTION,
  sentence = "otherwise",
  when = function(j) return true end,
}
