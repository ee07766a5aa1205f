-- Services, judgement scales and the rating scale (domain.md §2 and §4).

service {
  id = "children",
  name = "children's services",
  title = "Children's services",
  source = "DH guidance, April 2002: children's and adults' services judged separately",
}

service {
  id = "adults",
  name = "adults' services",
  title = "Adults' services",
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
