-- Services, judgement scales and the rating scale (domain.md §2 and §4).

service {
  id = "children",
  name = "children's services",
  title = "Children's services",
  -- How the review letters head the section (case, apostrophes, spacing and a trailing
  -- standard tag do not matter), and the prefix of the ids import gives its findings.
  headings = {
    "services for children and families", "services to children and families",
    "services for children", "services to children", "services for children and young people",
    "services for children & families", "services to children & families", "children & families",
    "services to children and young people", "children and families services",
    "children and family services", "children and families", "children's services",
    "childrens services", "children's social care",
  },
  id_prefix = "ch",
  source = "DH guidance, April 2002: children's and adults' services judged separately",
}

service {
  id = "adults",
  name = "adults' services",
  title = "Adults' services",
  headings = {
    "services to adults", "services for adults", "adult services", "adults services",
    "adults' services", "adult social care", "services for adults and older people",
    "services to adults and older people", "services for older people and adults",
  },
  id_prefix = "ad",
  source = "DH guidance, April 2002: children's and adults' services judged separately",
}

-- Words run from worst to best. `text` is how the inspectorate wrote the judgement.
scale {
  id = "serving",
  name = "serving people well",
  words = {
    { id = "no",   text = "not serving people well" },
    { id = "some", text = "serving some people well" },
    { id = "most", text = "serving most people well" },
    { id = "yes",  text = "serving people well" },
  },
  source = "SSI performance ratings, May 2002 (Community Care, 30 May 2002); seeds 002, 003",
}

scale {
  id = "capacity",
  name = "prospects for improvement",
  words = {
    { id = "poor",      text = "poor prospects for improvement" },
    { id = "uncertain", text = "uncertain prospects for improvement" },
    { id = "promising", text = "promising prospects for improvement" },
    { id = "excellent", text = "excellent prospects for improvement" },
  },
  source = "2002 wording 'prospects for improvement' (seed 002: 'promising prospects for improvement')",
}

-- The grade of one standard for one service. The inspectorate's working grades were not
-- published; these four words are this project's.
scale {
  id = "grade",
  name = "standard grade",
  words = {
    { id = "inadequate", text = "inadequate" },
    { id = "adequate",   text = "adequate" },
    { id = "good",       text = "good" },
    { id = "very_good",  text = "very good" },
  },
  reconstructed = "standard grades were not published; a four-point scale mirrors the judgement scales",
}

rating {
  min = 0,
  max = 3,
  unit = "stars",
  source = "DH guidance, April 2002: performance ratings from zero to three stars",
}

-- How the inspectorate's annual review letters are laid out, for `starrate import`
-- (domain.md §1; seeds 000, 001, 004). A later round inherits this; one that changes the
-- letter declares `letter` again, whole.
--
-- Headings are compared without regard to case, curly or straight apostrophes, runs of
-- spaces, trailing punctuation or a trailing tag of the standard that informs capacity
-- ("(Standard 6)"). An entry matches the whole heading, or its start when it ends in "...".
-- The sub-headings are
-- the starts of a line whose remaining words say which section opens ("... the following
-- improvements to capacity", "... areas for development"): the sub_heading_words, found
-- anywhere in those remaining words without regard to case ("concerns" holds "concern").
-- The other words are compared without regard to case too.
letter {
  annex_heading = "PERFORMANCE REVIEW REPORT",
  improvement_headings = {
    "improvements", "improvements observed ...", "improvements since ...",
    "improvements made since ...",
  },
  area_headings = {
    "areas for improvement", "areas of improvement", "area for improvement",
    "area of improvement", "areas for development", "area for development",
    "areas of development", "areas for further improvement", "areas requiring improvement",
    "areas for improvement and development",
  },
  capacity_headings = {
    "capacity for improvement ...", "prospects for improvement ...", "capacity to improve ...",
  },
  sub_headings = {
    "assessment has highlighted the following", "the assessment has highlighted the following",
    "assessment highlighted the following", "the assessment highlighted the following",
    "assessment has identified the following", "the assessment has identified the following",
  },
  -- What the rest of a sub-heading says: one that speaks of capacity opens the capacity
  -- section's improvements or concerns ("... the following concerns about capacity"); an
  -- area for development in the capacity section is a concern, marked as development.
  -- "improvements to capacity", "concerns about capacity" and "areas for development" are
  -- the letters' own (domain.md §7, seeds 001 and 004); "weakness" and "strength" are
  -- reconstructed: this project's, for a letter that words its sub-headings so.
  sub_heading_words = {
    capacity = { "capacity" },
    concern = { "concern", "weakness" },
    development = { "for development", "of development" },
    improvement = { "improvement", "strength" },
  },
  -- Reconstructed, not read in the letters: the longest heading (in bytes, compared as
  -- above) read as an improvements or a capacity heading. A longer line that starts the same
  -- way ("Improvements since the last review have been made in ...") is running text.
  improvement_heading_max = 90,
  capacity_heading_max = 60,
  -- Where the annex ends when a committee paper carries on after the letter: a line
  -- starting with one of annex_end, or one of annex_labels alone with a short label
  -- ("Appendix 2", "ANNEX B:"). Committee papers close with "Background Papers" (seeds 000
  -- and 003) and label what they attach ("Annexe 2:", seed 002); the other words are
  -- reconstructed (this project's assumption).
  annex_end = {
    "background papers", "background paper", "yours sincerely", "yours faithfully",
    "contact officer",
  },
  annex_labels = { "appendix", "annexe", "annex" },
  -- Words that, standing between an indicator's code or phrase and a figure up to four words
  -- after it, make the figure something other than the council's own value: a comparison,
  -- a target, a band, a change ("above the national average of 68%"). Reconstructed: this project's list. A
  -- figure is only proposed, so these err towards proposing none.
  comparison_words = {
    "average", "averages", "target", "targets", "plan", "planned", "band", "bands", "range",
    "national", "england", "compared", "comparator", "comparators", "increase", "increased",
    "increasing", "rise", "risen", "rose", "fall", "fell", "fallen", "decrease", "decreased",
    "reduction", "reduced", "by", "from", "than", "up", "down", "previous", "previously",
    "last", "below", "above", "over", "under", "nearly", "about", "around", "approximately",
    "almost", "least", "more", "less", "change", "outer", "london", "regional", "similar",
    "councils", "authorities", "year", "years",
  },
  source = "annex 'Performance Review Report' with its section headings, seeds 000, 001 and 004",
}
