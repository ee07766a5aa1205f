-- What the 2031 round dropped and added. A retired declaration is gone: evidence or a later
-- declaration that names it is an error.
local FICTION = "fictional: written for the tests"

retire { service = "parks", reconstructed = FICTION }
retire { indicator = "PK1", reconstructed = FICTION }
retire { cap = "gates-shut", reconstructed = FICTION }
retire { requirement = "gates_open", reconstructed = FICTION }

-- The cost of a loan is no longer measured; its cap goes with it.
retire { indicator = "LB1", reconstructed = FICTION }
retire { cap = "loans-dear", reconstructed = FICTION }

indicator { code = "LB3", service = "libraries", standard = 2, unit = "visits", polarity = "higher",
            name = "visits per resident", bands = { { band = 5, min = 8 }, { band = 4, min = 6 },
            { band = 3, min = 4 }, { band = 2, min = 2 } }, reconstructed = FICTION }
