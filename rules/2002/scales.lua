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
-- improvements to capacity", "... areas for development").
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
  source = "annex 'Performance Review Report' with its section headings, seeds 000, 001 and 004",
}
