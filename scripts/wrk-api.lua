-- wrk script: the API's reads, as a member's integration makes them
-- (members, the published list, commitments, the library's search),
-- authenticated with an API token (scope read).
local paths = {
  "/api/members", "/api/list", "/api/commitments", "/api/library/items?q=radicalisation",
  "/api/list/versions", "/api/programmes", "/api/library/items?q=prison",
}
local i = 0
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCORD_TOKEN")
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
