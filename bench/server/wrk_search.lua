-- wrk: POST /search with varying two-word queries; mode from the MODE variable (default lexical).
local words = {"coral", "reef", "photosynthesis", "light", "energy", "protein", "enzyme", "river", "delta",
               "sediment", "climate", "model", "ocean", "current", "carbon", "storage", "network", "index"}
local mode = os.getenv("MODE") or "lexical"
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local query = words[counter % #words + 1] .. " " .. words[(counter * 5) % #words + 1]
  return wrk.format(nil, "/search", nil, '{"query":"' .. query .. '","k":10,"mode":"' .. mode .. '"}')
end
