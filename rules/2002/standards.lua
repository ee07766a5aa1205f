-- The six standards (domain.md §3). Standards 1-5 are the PAF domains A-E and feed "serving
-- people well"; standard 6 feeds "capacity for improvement". The February 2002 criteria text
-- is not available: the criteria below are written from the letters' own language.

standard {
  number = 1,
  name = "National priorities and strategic objectives",
  informs = "serving",
  domain = "A",
  criteria = {
    "national priorities are met: care leavers' education, employment and training",
    "strategies are in place and delivered (Valuing People, older people's strategy, LIFT)",
    "looked-after children's stability and educational qualifications improve",
  },
  source = "PAF domain A; standard tags in seeds 001 and 004",
}

standard {
  number = 2,
  name = "Cost and efficiency",
  informs = "serving",
  domain = "B",
  criteria = {
    "unit costs of residential, nursing and home care are in line with comparators",
    "commissioning strategies direct resources to need",
    "the cost of services for looked-after children is controlled",
  },
  source = "PAF domain B; standard tags in seeds 001 and 004",
}

standard {
  number = 3,
  name = "Effectiveness of service delivery and outcomes",
  informs = "serving",
  domain = "C",
  criteria = {
    "children are protected: child-protection reviews on time, few re-registrations",
    "looked-after children are adopted or placed in stable families",
    "people are helped to live at home",
  },
  source = "PAF domain C; standard tags in seeds 001 and 004",
}

standard {
  number = 4,
  name = "Quality of services for users and carers",
  informs = "serving",
  domain = "D",
  criteria = {
    "carers are assessed and users receive statements of their needs and reviews",
    "equipment is delivered quickly and care packages start without delay",
    "users and carers are consulted and their views acted on",
  },
  source = "PAF domain D; standard tags in seeds 001 and 004",
}

standard {
  number = 5,
  name = "Fair access",
  informs = "serving",
  domain = "E",
  criteria = {
    "services reach black and minority ethnic communities",
    "direct payments are available and taken up",
    "eligibility is clear and assessments lead to services fairly",
  },
  source = "PAF domain E; standard tags in seeds 001 and 004",
}

standard {
  number = 6,
  name = "Capacity for improvement",
  informs = "capacity",
  criteria = {
    "leadership and members' understanding of social services",
    "management structures and financial systems",
    "IT and management information",
    "workforce recruitment, retention and planning",
    "partnerships with health, education and the voluntary sector",
  },
  source = "'Capacity for Improvement (Standard 6)' heading, seeds 001 and 004",
}
