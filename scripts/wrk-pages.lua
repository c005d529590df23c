-- wrk script: public pages as an anonymous reader opens them (members,
-- the common list, the Joint Plan's commitments, the library, a petition
-- form), in English and Russian.
local paths = {
  "/members", "/list", "/commitments", "/library", "/library?q=prison",
  "/petition", "/members?lang=ru", "/list?lang=ru", "/library?lang=ru",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
