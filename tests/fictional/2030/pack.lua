-- A fictional rating round, used only by the tests: nothing in it is about social services.
-- Its services, standards, words and codes differ from the real rounds' (four services, seven
-- standards of which the seventh informs capacity, other judgement words), so that a C
-- source that assumed the real rounds' domain would show in the goldens of tests/fictional.
-- The 2031 round extends it and retires a service, an indicator, a cap and a requirement.
pack {
  name = "civic-2030",
  version = "0.1.0",
  round = 2030,
  title = "Civic services performance ratings, a fictional round for the tests, 2030",
  files = { "declarations.lua", "rules.lua", "stars.lua" },
}
