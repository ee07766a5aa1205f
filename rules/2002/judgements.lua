-- How the evidence of one service becomes standard grades and the two judgements.
--
-- The inspectorate's scoring was never published; everything in this file is this project's
-- reconstruction, chosen so that the published judgements of the calibration councils come
-- out of their evidence (docs/methodology.md shows the working). Each rule returns its word
-- (or nil: "not assessed" / "insufficient evidence") and a table of details that the audit
-- trail prints: the score, the reason, and every comparison with both sides shown. The details
-- are built only when the input's `explain` is true (an audit trail is being kept); a rule that
-- cannot decide still says what it `needs` either way.

-- Every number here is a parameter (`param`, declared in params.lua with its range): the rules
-- read `params.ID` when they run, so a variant of the pack is a new set of values, not a reload.
-- Findings' kinds for the level of a standard: the sign, and the parameter holding the size (a
-- strength is the unit). An improvement counts for about half a strength, an area for
-- improvement (also "area for development") three quarters against, a concern in full.
local KIND_WEIGHT = {
  strength = { 1 }, improvement = { 1, "weight_improvement" },
  area_for_improvement = { -1, "weight_area_for_improvement" }, concern = { -1, "weight_concern" },
}
-- Standard 6: improvements and strengths count for, concerns and areas for development against.
local CAPACITY_WEIGHT = { strength = { 1 }, improvement = { 1, "capacity_weight_improvement" },
  concern = { -1 }, area_for_development = { -1, "capacity_weight_area_for_development" },
}

-- Balance of weighted findings in (-1, 1). The damping (1 by default) in the denominator damps
-- thin evidence: one finding alone can never reach the extremes.
local function balance(findings, weights)
  local pos, neg = 0, 0
  for _, f in ipairs(findings) do
    local k = weights[f.kind]
    local w = k[1] * (k[2] and params[k[2]] or 1) * f.weight
    if w > 0 then pos = pos + w else neg = neg - w end
  end
  return (pos - neg) / (pos + neg + params.balance_damping), pos, neg
end
-- First word whose cut-off the score reaches, best first; `cuts` lists {word, parameter holding
-- the minimum}. With `explain` (an audit trail is being kept), also the comparisons made.
local function classify(score, cuts, what, explain)
  local compared = explain and {} or nil
  for _, c in ipairs(cuts) do
    local limit = c[2] and params[c[2]]
    local met = limit == nil or score >= limit
    if compared then
      compared[#compared + 1] = { what = what, value = score, limit = limit, word = c[1], met = met }
    end
    if met then return c[1], compared end
  end
end
local GRADE_CUTS = {
  { "very_good", "grade_very_good" }, { "good", "grade_good" }, { "adequate", "grade_adequate" },
  { "inadequate", nil },
}
rule {
  id = "standard-grade",
  layer = "grade",
  sentence = "a standard is graded from the bands of its indicators and the balance of its findings",
  reconstructed = "bands 1-5 scaled to -1..1 and averaged; findings weighted strength 1, improvement 0.5, area for improvement -0.75, concern -1 and balanced as (for - against)/(for + against + 1); indicators weigh 0.6 when both exist; cut-offs very good 0.5, good 0.1, adequate -0.6",
  fn = function(input)
    local nb, sum = 0, 0
    for _, i in ipairs(input.indicators) do nb = nb + 1; sum = sum + i.band end
    local nf = #input.findings
    if nb == 0 and nf == 0 then
      return nil, { reason = "no indicators and no findings for this standard" }
    end
    local score
    local ind = nb > 0 and ((sum / nb) - 3) / 2 or nil
    local fnd, pos, neg
    if nf > 0 then fnd, pos, neg = balance(input.findings, KIND_WEIGHT) end
    if ind and fnd then
      score = params.indicator_share * ind + (1 - params.indicator_share) * fnd
    else
      score = ind or fnd
    end
    local grade, compared = classify(score, GRADE_CUTS, "score", input.explain)
    if not input.explain then return grade end
    local parts = {}
    if ind then
      parts[#parts + 1] = string.format("mean band %.2f of %d indicator%s", sum / nb, nb, nb == 1 and "" or "s")
    end
    if fnd then
      parts[#parts + 1] = string.format("findings %g for and %g against", pos, neg)
    end
    return grade, {
      score = score,
      reason = table.concat(parts, "; ") .. string.format(": score %.2f", score),
      compared = compared,
    }
  end,
}

local POINTS = { inadequate = 1, adequate = 2, good = 3, very_good = 4 }
local SERVING_CUTS = { { "yes", "serving_yes" }, { "most", "serving_most" }, { "some", "serving_some" }, { "no", nil } }
local MIN_STANDARDS = 3

rule {
  id = "serving-from-standards",
  layer = "serving",
  sentence = "serving people well follows the mean grade of standards 1-5; no inadequate standard may stand beside 'yes'",
  reconstructed = "grades scored 1-4 and averaged over the assessed standards (at least 3); cut-offs yes 3.4, most 2.75, some 1.9; calibrated on Durham 2003 and Hertfordshire 2002",
  fn = function(input)
    local n, sum, worst = 0, 0, 4
    for _, g in ipairs(input.grades) do
      if g.grade then
        n = n + 1
        sum = sum + POINTS[g.grade]
        if POINTS[g.grade] < worst then worst = POINTS[g.grade] end
      end
    end
    if n < MIN_STANDARDS then
      return nil, {
        reason = string.format("only %d of standards 1-5 could be assessed; at least %d are needed", n, MIN_STANDARDS),
        needs = "indicators or findings for more of standards 1-5",
      }
    end
    local mean = sum / n
    local word, compared = classify(mean, SERVING_CUTS, "mean grade", input.explain)
    if word == "yes" and worst == 1 then
      word = "most"
      if compared then
        compared[#compared + 1] = { what = "worst grade", value = worst, limit = 2, word = "yes", met = false }
      end
    end
    if not input.explain then return word end
    return word, {
      score = mean,
      reason = string.format("mean grade %.2f over %d standard%s", mean, n, n == 1 and "" or "s"),
      compared = compared,
    }
  end,
}

local CAPACITY_CUTS = { { "very_good", "capacity_very_good" }, { "good", "capacity_good" },
  { "adequate", "capacity_adequate" }, { "inadequate", nil } }

rule {
  id = "capacity-grade",
  layer = "capacity_grade",
  sentence = "standard 6 is graded from the capacity findings and the direction of travel of the indicators",
  reconstructed = "capacity findings balanced as (for - against)/(for + against + 1); direction of travel (improved - worsened)/compared weighs 0.3 when known; cut-offs very good 0.5, good 0, adequate -0.5",
  fn = function(input)
    local nf = #input.findings
    local t = input.travel
    if nf == 0 then
      return nil, { reason = "no capacity findings", needs = "capacity findings (standard 6)" }
    end
    local fnd, pos, neg = balance(input.findings, CAPACITY_WEIGHT)
    local score = fnd
    if t.compared > 0 then
      local travel = (t.improved - t.worsened) / t.compared
      score = (1 - params.travel_share) * fnd + params.travel_share * travel
    end
    local grade, compared = classify(score, CAPACITY_CUTS, "score", input.explain)
    if not input.explain then return grade end
    local reason = string.format("capacity findings %g for and %g against", pos, neg)
    if t.compared > 0 then
      reason = reason .. string.format("; %d of %d indicators improved, %d worsened", t.improved, t.compared, t.worsened)
    end
    return grade, { score = score, reason = reason .. string.format(": score %.2f", score), compared = compared }
  end,
}

local CAPACITY_FROM_GRADE = { inadequate = "poor", adequate = "uncertain", good = "promising", very_good = "excellent" }

rule {
  id = "capacity-from-standard-6",
  layer = "capacity",
  sentence = "capacity for improvement follows the grade of standard 6",
  reconstructed = "grade words map one to one: inadequate poor, adequate uncertain, good promising, very good excellent",
  fn = function(input)
    if not input.grade then
      return nil, { reason = "standard 6 was not assessed", needs = "capacity findings (standard 6) or a given capacity" }
    end
    if not input.explain then return CAPACITY_FROM_GRADE[input.grade] end
    return CAPACITY_FROM_GRADE[input.grade], { reason = "standard 6 graded " .. input.grade }
  end,
}
