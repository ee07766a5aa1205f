-- Services, scales, standards, indicators, requirements and caps of the fictional round.
local FICTION = "fictional: written for the tests"

service { id = "housing", name = "housing services", title = "Housing services", reconstructed = FICTION, id_prefix = "ho", headings = { "housing", "homes for residents ..." } }
service { id = "libraries", name = "library services", title = "Library services", reconstructed = FICTION, id_prefix = "lib", headings = { "libraries", "library services" } }
service { id = "transport", name = "transport services", title = "Transport services", reconstructed = FICTION, id_prefix = "tr", headings = { "getting about" } }
service { id = "parks", name = "parks services", title = "Parks services", reconstructed = FICTION, id_prefix = "pk", headings = { "parks and open spaces" } }

scale {
  id = "serving", name = "reaching residents",
  words = {
    { id = "none", text = "reaching no residents" }, { id = "few", text = "reaching few residents" },
    { id = "many", text = "reaching many residents" }, { id = "all", text = "reaching all residents" },
  },
  reconstructed = FICTION,
}

scale {
  id = "capacity", name = "outlook",
  words = {
    { id = "bleak", text = "a bleak outlook" }, { id = "cloudy", text = "a cloudy outlook" },
    { id = "fair", text = "a fair outlook" }, { id = "bright", text = "a bright outlook" },
  },
  reconstructed = FICTION,
}

scale {
  id = "grade", name = "grade",
  words = {
    { id = "failing", text = "failing" }, { id = "coping", text = "coping" },
    { id = "sound", text = "sound" }, { id = "fine", text = "fine" },
  },
  reconstructed = FICTION,
}

rating { min = 0, max = 3, unit = "stars", reconstructed = FICTION }

local NAMES = { "Access", "Cost", "Outcomes", "Quality", "Fairness", "Safety" }
for n, name in ipairs(NAMES) do
  standard { number = n, name = name, informs = "serving", domain = string.char(64 + n),
             criteria = { name .. " for residents" }, reconstructed = FICTION }
end
standard { number = 7, name = "Outlook", informs = "capacity",
           criteria = { "leadership", "money" }, reconstructed = FICTION }

local function higher(l5, l4, l3, l2)
  return { { band = 5, min = l5 }, { band = 4, min = l4 }, { band = 3, min = l3 }, { band = 2, min = l2 } }
end
local function lower(l5, l4, l3, l2)
  return { { band = 5, max = l5 }, { band = 4, max = l4 }, { band = 3, max = l3 }, { band = 2, max = l2 } }
end

indicator { code = "HX1", service = "housing", standard = 1, unit = "percent", polarity = "higher",
            name = "repairs done within a week", bands = higher(90, 80, 70, 60), reconstructed = FICTION, phrases = { "repairs done within a week", { words = "repairs", near = "promptly" } } }
indicator { code = "HX2", service = "housing", standard = 6, unit = "days", polarity = "lower",
            name = "days to rehouse a family", bands = lower(10, 20, 30, 40), reconstructed = FICTION }
indicator { code = "LB1", service = "libraries", standard = 2, unit = "pounds", polarity = "lower",
            name = "cost of a loan", bands = lower(1, 2, 3, 4), reconstructed = FICTION }
indicator { code = "LB2", service = "libraries", standard = 3, unit = "percent", polarity = "higher",
            name = "residents holding a card", bands = higher(60, 50, 40, 30), reconstructed = FICTION }
indicator { code = "TR1", service = "transport", standard = 4, unit = "percent", polarity = "higher",
            name = "buses on time", bands = higher(95, 90, 85, 80), reconstructed = FICTION, phrases = { "buses running on time" } }
indicator { code = "PK1", service = "parks", standard = 1, unit = "percent", polarity = "higher",
            name = "parks open every day", bands = higher(95, 90, 85, 80), reconstructed = FICTION }

requirement { id = "audit_passed", services = { "housing", "transport" }, text = "the annual audit was passed",
              reconstructed = FICTION }
requirement { id = "gates_open", services = { "parks" }, text = "every park gate opens at dawn",
              reconstructed = FICTION }

cap { id = "rehousing-slow", service = "housing", judgement = "serving", to = "few",
      indicator = "HX2", above = 45, sentence = "families waited more than 45 days to be rehoused",
      reconstructed = FICTION }
cap { id = "audit-failed", service = "transport", judgement = "serving", to = "many",
      requirement = "audit_passed", sentence = "the annual audit was not passed", reconstructed = FICTION }
cap { id = "loans-dear", service = "libraries", judgement = "serving", to = "many",
      indicator = "LB1", above = 5, sentence = "a loan cost more than 5 pounds", reconstructed = FICTION }
cap { id = "gates-shut", service = "parks", judgement = "serving", to = "few",
      requirement = "gates_open", sentence = "park gates stayed shut", reconstructed = FICTION }

-- How this round's review letters are laid out, for `starrate import`: nothing like the real
-- rounds' (another annex heading, other section headings, other words in sub-headings, at
-- the annex's end and in comparisons, shorter headings; the services' own headings and id
-- prefixes are in their declarations above, HX1 and TR1 carry phrases naming them), so that
-- a letter read with this pack shows that import takes them from the pack. "weakness",
-- "national" and "appendix", say, are the real rounds' words and mean nothing here.
letter {
  annex_heading = "CIVIC SERVICES REVIEW",
  improvement_headings = { "progress made ..." },
  area_headings = { "things to fix", "still to fix" },
  capacity_headings = { "outlook ..." },
  sub_headings = { "the reviewers found the following" },
  sub_heading_words = {
    capacity = { "outlook" },
    concern = { "concerns", "worries" },
    development = { "to grow" },
    improvement = { "strengths", "bright spots" },
  },
  improvement_heading_max = 40,
  capacity_heading_max = 30,
  annex_end = { "signed", "with best wishes" },
  annex_labels = { "schedule" },
  comparison_words = { "below", "above", "target", "shire", "average", "than" },
  reconstructed = FICTION,
}
