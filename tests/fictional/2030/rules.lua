-- Judgement rules of the fictional round: plain means, so that expected results can be worked
-- out by hand.
local FICTION = "fictional: written for the tests"
local KIND = { strength = 1, improvement = 1, area_for_improvement = -1, concern = -1, area_for_development = -1 }
local GRADES = { "failing", "coping", "sound", "fine" }
local POINTS = { failing = 1, coping = 2, sound = 3, fine = 4 }

-- Score 1-4: bands (1-5) mapped onto 1-4, each finding one point up or down from the middle.
local function grade_of(score)
  local g = math.floor(score + 0.5)
  if g < 1 then g = 1 elseif g > 4 then g = 4 end
  return GRADES[g]
end

rule {
  id = "grade-mean", layer = "grade", reconstructed = FICTION,
  sentence = "a standard's grade is the mean of its bands and findings",
  fn = function(input)
    local n, sum = 0, 0
    for _, i in ipairs(input.indicators) do n = n + 1; sum = sum + 1 + (i.band - 1) * 0.75 end
    for _, f in ipairs(input.findings) do n = n + 1; sum = sum + 2.5 + 1.5 * KIND[f.kind] * f.weight end
    if n == 0 then return nil, { reason = "nothing bears on this standard" } end
    local score = sum / n
    return grade_of(score), { score = score, reason = string.format("mean %.2f of %d inputs", score, n) }
  end,
}

local SERVING = { "none", "few", "many", "all" }
rule {
  id = "serving-mean", layer = "serving", reconstructed = FICTION,
  sentence = "reaching residents follows the mean grade of the standards that inform it",
  fn = function(input)
    local n, sum = 0, 0
    for _, g in ipairs(input.grades) do
      if g.grade then n = n + 1; sum = sum + POINTS[g.grade] end
    end
    if n < 2 then
      return nil, { reason = string.format("%d of %d standards graded", n, #input.grades),
                    needs = "two graded standards" }
    end
    local mean = sum / n
    local w = math.floor(mean + 0.5)
    return SERVING[w], { score = mean, reason = string.format("mean grade %.2f over %d of %d standards", mean, n, #input.grades),
                         compared = { { what = "mean grade", value = mean, limit = w - 0.5, word = SERVING[w], met = true } } }
  end,
}

rule {
  id = "outlook-grade", layer = "capacity_grade", reconstructed = FICTION,
  sentence = "the outlook standard is graded from the capacity findings and the direction of travel",
  fn = function(input)
    local sum = 2.5
    for _, f in ipairs(input.findings) do sum = sum + 0.5 * KIND[f.kind] * f.weight end
    local t = input.travel
    sum = sum + 0.5 * (t.improved - t.worsened)
    if #input.findings == 0 and t.compared == 0 then
      return nil, { reason = "no capacity findings and no previous values", needs = "capacity findings" }
    end
    return grade_of(sum), { score = sum, reason = string.format("outlook score %.2f", sum) }
  end,
}

local OUTLOOK = { failing = "bleak", coping = "cloudy", sound = "fair", fine = "bright" }
rule {
  id = "outlook-from-standard-7", layer = "capacity", reconstructed = FICTION,
  sentence = "the outlook follows the grade of standard 7",
  fn = function(input)
    if not input.grade then return nil, { reason = "standard 7 not graded", needs = "capacity findings" } end
    return OUTLOOK[input.grade], { reason = "standard 7 graded " .. input.grade }
  end,
}
