-- The PAF indicator catalogue (domain.md §6) with default band limits.
--
-- Bands run 5 (very good) to 1 (investigate urgently). A value is placed in the best band
-- whose limits it meets; a value that meets none is band 1. Official band limits are mostly
-- not available: unless an entry says `source`, its limits are this project's illustrative
-- defaults, and an evidence file should state the published band, which then wins.
--
-- `higher(l5, l4, l3, l2)`: better high; band N needs value >= lN.
-- `lower(l5, l4, l3, l2)`: better low; band N needs value <= lN.
-- `range({lo5, hi5}, {lo4, hi4}, ...)`: an acceptable middle; band N needs loN <= value <= hiN.

local function higher(l5, l4, l3, l2)
  return { { band = 5, min = l5 }, { band = 4, min = l4 }, { band = 3, min = l3 }, { band = 2, min = l2 } }
end

local function lower(l5, l4, l3, l2)
  return { { band = 5, max = l5 }, { band = 4, max = l4 }, { band = 3, max = l3 }, { band = 2, max = l2 } }
end

local function range(r5, r4, r3, r2)
  return {
    { band = 5, min = r5[1], max = r5[2] }, { band = 4, min = r4[1], max = r4[2] },
    { band = 3, min = r3[1], max = r3[2] }, { band = 2, min = r2[1], max = r2[2] },
  }
end

local DEFAULTS = "illustrative default limits; state the published band where it is known"

-- `plausible = { low, high }` (this project's reconstruction): a value outside it is taken
-- to be a slip, such as a fraction written for a percentage, and draws a warning at its line;
-- it still counts as given. Each range runs from a tenth of the lowest band limit to ten
-- times the highest (a percentage to at most 100).

-- Children's services ------------------------------------------------------------------

indicator {
  code = "A1", service = "children", standard = 1, unit = "percent", polarity = "lower",
  name = "stability of placements: looked-after children with three or more placements in the year",
  bands = lower(13, 16, 20, 25), plausible = { 1.3, 100 },
  reconstructed = "A1 at 12% was in the top band in 2005-06 (source); the other limits are defaults; 20% is the key threshold",
}

indicator {
  code = "A2", service = "children", standard = 1, unit = "percent", polarity = "higher",
  name = "educational qualifications of looked-after children (one GCSE or GNVQ)",
  bands = higher(75, 50, 38, 25), plausible = { 2.5, 100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "A3", service = "children", standard = 1, unit = "percent", polarity = "lower",
  name = "re-registrations on the child protection register",
  bands = lower(10, 15, 20, 24), plausible = { 1, 100 }, reconstructed = "defaults; above 24% is the key threshold",
}

indicator {
  code = "A4", service = "children", standard = 1, unit = "ratio", polarity = "higher",
  name = "employment, education and training for care leavers (ratio to all young people)",
  bands = higher(0.85, 0.7, 0.55, 0.4), plausible = { 0.04, 8.5 }, reconstructed = DEFAULTS,
}

indicator {
  code = "B7", service = "children", standard = 2, unit = "percent", polarity = "higher",
  name = "children looked after in foster placements or placed for adoption",
  bands = higher(85, 80, 75, 70), plausible = { 7, 100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "B8", service = "children", standard = 2, unit = "pounds per week", polarity = "range",
  name = "cost of services for looked-after children",
  bands = range({ 400, 550 }, { 350, 600 }, { 300, 675 }, { 250, 750 }), plausible = { 25, 7500 }, reconstructed = DEFAULTS,
}

indicator {
  code = "C18", service = "children", standard = 3, unit = "ratio", polarity = "lower",
  name = "final warnings, reprimands and convictions of looked-after children (ratio)",
  bands = lower(1.0, 1.5, 2.0, 3.0), plausible = { 0.1, 30 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "C19", service = "children", standard = 3, unit = "percent", polarity = "higher",
  name = "health checks of looked-after children",
  bands = higher(90, 80, 70, 55), plausible = { 5.5, 100 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "C20", service = "children", standard = 3, unit = "percent", polarity = "higher",
  name = "child protection cases reviewed on time",
  bands = higher(100, 95, 90, 80), plausible = { 8, 100 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "C21", service = "children", standard = 3, unit = "percent", polarity = "lower",
  name = "duration on the child protection register (de-registered after two years or more)",
  bands = lower(10, 15, 20, 25), plausible = { 1, 100 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "C22", service = "children", standard = 3, unit = "percent", polarity = "higher",
  name = "young children looked after in foster placements or placed for adoption",
  bands = higher(95, 90, 85, 80), plausible = { 8, 100 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "C23", service = "children", standard = 3, unit = "percent", polarity = "higher",
  name = "adoptions of looked-after children",
  bands = higher(8, 6.5, 5, 3.5), plausible = { 0.35, 80 }, reconstructed = DEFAULTS,
}

indicator {
  code = "C24", service = "children", standard = 3, unit = "percent", polarity = "lower",
  name = "looked-after children missing 25 or more school days",
  bands = lower(10, 13, 16, 20), plausible = { 1, 100 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "D35", service = "children", standard = 4, unit = "percent", polarity = "higher",
  name = "long-term stability of looked-after children",
  bands = higher(65, 57, 50, 40), plausible = { 4, 100 },
  reconstructed = "44.37% was band 2 and 50% would have lifted it a band in 2003-04 (source); the other limits are defaults",
}

indicator {
  code = "E44", service = "children", standard = 5, unit = "percent", polarity = "higher",
  name = "relative spend on family support",
  bands = higher(40, 33, 27, 20), plausible = { 2, 100 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "E45", service = "children", standard = 5, unit = "ratio", polarity = "range",
  name = "ethnicity of children in need",
  bands = range({ 0.9, 1.1 }, { 0.8, 1.2 }, { 0.7, 1.35 }, { 0.6, 1.5 }), plausible = { 0.06, 15 }, reconstructed = DEFAULTS .. "; name to be checked",
}

-- Adults' services ---------------------------------------------------------------------

indicator {
  code = "B11", service = "adults", standard = 2, unit = "percent", polarity = "higher",
  name = "intensive home care as a share of intensive home and residential care",
  bands = higher(34, 27, 20, 15), plausible = { 1.5, 100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "B12", service = "adults", standard = 2, unit = "pounds per week", polarity = "range",
  name = "cost of intensive social care for adults",
  bands = range({ 350, 450 }, { 320, 500 }, { 290, 560 }, { 260, 620 }), plausible = { 26, 6200 }, reconstructed = DEFAULTS,
}

indicator {
  code = "B17", service = "adults", standard = 2, unit = "pounds per hour", polarity = "range",
  name = "unit cost of home care",
  bands = range({ 10, 13 }, { 9, 14 }, { 8, 15.5 }, { 7, 17 }), plausible = { 0.7, 170 }, reconstructed = DEFAULTS,
}

indicator {
  code = "C26", service = "adults", standard = 3, unit = "per 10,000", polarity = "lower",
  name = "admissions of supported residents aged 18-64 to residential and nursing care",
  bands = lower(1.5, 2.0, 2.5, 3.5), plausible = { 0.15, 35 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "C27", service = "adults", standard = 3, unit = "per 10,000", polarity = "lower",
  name = "admissions of supported residents aged 65 or over to residential and nursing care",
  bands = lower(70, 90, 110, 130), plausible = { 7, 1300 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "C28", service = "adults", standard = 3, unit = "per 1,000 aged 65+", polarity = "higher",
  name = "intensive home care per 1,000 population aged 65 or over",
  bands = higher(10, 7.5, 5.5, 4), plausible = { 0.4, 100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "C29", service = "adults", standard = 3, unit = "per 1,000 aged 18-64", polarity = "higher",
  name = "adults with physical disabilities helped to live at home",
  bands = higher(5, 4, 3, 2), plausible = { 0.2, 50 }, reconstructed = DEFAULTS,
}

indicator {
  code = "C30", service = "adults", standard = 3, unit = "per 1,000 aged 18-64", polarity = "higher",
  name = "adults with learning disabilities helped to live at home",
  bands = higher(3, 2.4, 1.9, 1.4), plausible = { 0.14, 30 }, reconstructed = DEFAULTS,
}

indicator {
  code = "C31", service = "adults", standard = 3, unit = "per 1,000 aged 18-64", polarity = "higher",
  name = "adults with mental health problems helped to live at home",
  bands = higher(4, 3, 2.2, 1.5), plausible = { 0.15, 40 }, reconstructed = DEFAULTS,
}

indicator {
  code = "C32", service = "adults", standard = 3, unit = "per 1,000 aged 65+", polarity = "higher",
  name = "older people helped to live at home",
  bands = higher(100, 85, 70, 55), plausible = { 5.5, 1000 }, reconstructed = DEFAULTS,
}

indicator {
  code = "D36", service = "adults", standard = 4, unit = "percent", polarity = "higher",
  name = "users who said they got help quickly",
  bands = higher(75, 68, 60, 50), plausible = { 5, 100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "D37", service = "adults", standard = 4, unit = "percent", polarity = "higher",
  name = "single rooms for people in residential care",
  bands = higher(95, 88, 80, 70), plausible = { 7, 100 }, reconstructed = DEFAULTS .. "; name to be checked",
}

indicator {
  code = "D38", service = "adults", standard = 4, unit = "percent", polarity = "higher",
  name = "items of equipment costing less than £1,000 delivered within three weeks",
  bands = higher(90, 85, 80, 70), plausible = { 7, 100 },
  phrases = { { words = "within three weeks", near = "equipment" }, { words = "within 3 weeks", near = "equipment" } },
  reconstructed = "fewer than 80% is read as the key threshold (domain.md §5); the other limits are defaults",
}
indicator {
  code = "D39", service = "adults", standard = 4, unit = "percent", polarity = "higher",
  name = "people receiving a statement of their needs and how they will be met",
  bands = higher(95, 85, 75, 60), plausible = { 6, 100 },
  phrases = { "statements of their needs", "statement of their needs", "statements of needs", "statements of need", "statement of needs", "statement of need" },
  reconstructed = "defaults; Harrow's 68% was 'very low' against an outer London average of 81% (seed 001)",
}
indicator {
  code = "D40", service = "adults", standard = 4, unit = "percent", polarity = "higher",
  name = "clients receiving a review",
  bands = higher(75, 65, 55, 45), plausible = { 4.5, 100 }, reconstructed = DEFAULTS,
  phrases = { "clients receiving a review", "clients receiving reviews", "reviews of clients" },
}
indicator {
  code = "D41", service = "adults", standard = 3, unit = "per 100,000 aged 75+", polarity = "lower",
  name = "delayed discharges from hospital",
  bands = lower(40, 60, 80, 110), plausible = { 4, 1100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "D42", service = "adults", standard = 4, unit = "percent", polarity = "higher",
  name = "carers' assessments",
  bands = higher(40, 25, 15, 10), plausible = { 1, 100 },
  phrases = { "carers assessments", "carer assessments", "assessments of carers" },
  reconstructed = "'the current upper band range is 40 per cent to 70 per cent' (seed 001) gives band 5; lower limits are defaults",
}
indicator {
  code = "D43", service = "adults", standard = 4, unit = "percent", polarity = "higher",
  name = "waiting time for care packages (new packages in place within four weeks)",
  bands = higher(90, 80, 70, 55), plausible = { 5.5, 100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "E46", service = "adults", standard = 5, unit = "ratio", polarity = "range",
  name = "ethnicity of older people receiving an assessment",
  bands = range({ 0.9, 1.1 }, { 0.8, 1.2 }, { 0.7, 1.35 }, { 0.6, 1.5 }), plausible = { 0.06, 15 }, reconstructed = DEFAULTS,
}

indicator {
  code = "E47", service = "adults", standard = 5, unit = "ratio", polarity = "range",
  name = "ethnicity of older people receiving services following an assessment",
  bands = range({ 0.9, 1.1 }, { 0.8, 1.2 }, { 0.7, 1.35 }, { 0.6, 1.5 }), plausible = { 0.06, 15 }, reconstructed = DEFAULTS,
}

indicator {
  code = "E48", service = "adults", standard = 5, unit = "per 1,000 aged 65+", polarity = "higher",
  name = "assessments of older people per 1,000 population aged 65 or over",
  bands = higher(100, 80, 65, 50), plausible = { 5, 1000 }, reconstructed = DEFAULTS,
}

indicator {
  code = "E49", service = "adults", standard = 5, unit = "percent", polarity = "range",
  name = "assessments of adults and older people leading to provision of a service",
  bands = range({ 70, 85 }, { 65, 90 }, { 55, 95 }, { 45, 100 }), plausible = { 4.5, 100 }, reconstructed = DEFAULTS,
}

indicator {
  code = "E50", service = "adults", standard = 5, unit = "ratio", polarity = "range",
  name = "ethnicity of adults receiving services following an assessment",
  bands = range({ 0.9, 1.1 }, { 0.8, 1.2 }, { 0.7, 1.35 }, { 0.6, 1.5 }), plausible = { 0.06, 15 }, reconstructed = DEFAULTS,
}

-- `phrases` (D38, D39, D40, D42 above): how review letters name an indicator in running text,
-- so that `starrate import` proposes a percentage stated right after the name as the
-- indicator's value (case and apostrophes ignored; `near`: a word the sentence must also
-- hold). Deliberately few: a wrong value is worse than none. (Each declaration that has
-- them gave up the blank line after it, so that the lines the audit trail cites stay put.)
