-- From four judgements to stars (domain.md §4). Rows are tried in order; the first whose
-- `when` holds gives the rating. `j.children` and `j.adults` each hold `serving` and
-- `capacity` as words of the scales. `starrate check` proves that every one of the 256
-- combinations matches a row and that every row is the first match for at least one.
--
-- The official look-up table has not been found. The published principles are: current
-- performance counts for more than prospects; adults' and children's services weigh the
-- same; a failure in either service gives zero stars. The rows are this project's table
-- built from those principles and the published outcomes.

local function failing(s)
  return s.serving == "no" or s.capacity == "poor"
end

local function serves_most(s)
  return at_least(s.serving, "most")
end

star_rule {
  id = "failure",
  stars = 0,
  sentence = "a service serves no people well or has poor capacity for improvement",
  when = function(j) return failing(j.children) or failing(j.adults) end,
  reconstructed = "from the published principle that a failure in either service gives zero stars",
}

star_rule {
  id = "excellent-both",
  stars = 3,
  sentence = "both services serve most or all people well and both capacities are excellent",
  when = function(j)
    return serves_most(j.children) and serves_most(j.adults)
       and j.children.capacity == "excellent" and j.adults.capacity == "excellent"
  end,
  reconstructed = "fits Sunderland, May 2002 (most/excellent, most/excellent: 3 stars)",
}

star_rule {
  id = "all-served",
  stars = 3,
  sentence = "both services serve all people well and both capacities are at least promising",
  when = function(j)
    return j.children.serving == "yes" and j.adults.serving == "yes"
       and at_least(j.children.capacity, "promising") and at_least(j.adults.capacity, "promising")
  end,
  reconstructed = "fits Kensington and Chelsea, May 2002 (yes, yes: 3 stars)",
}

star_rule {
  id = "most-served",
  stars = 2,
  sentence = "at least one service serves most or all people well and both capacities are at least promising",
  when = function(j)
    return (serves_most(j.children) or serves_most(j.adults))
       and at_least(j.children.capacity, "promising") and at_least(j.adults.capacity, "promising")
  end,
  reconstructed = "fits Wiltshire, May 2002 and Durham, Nov 2003 (2 stars); current performance counts for more than prospects",
}

star_rule {
  id = "otherwise",
  stars = 1,
  sentence = "no failure, but neither service reaches the conditions for two stars",
  when = function(j) return true end,
  reconstructed = "fits Durham, May 2002 (some/promising, some/promising: 1 star)",
}
