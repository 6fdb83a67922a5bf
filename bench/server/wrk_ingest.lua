-- wrk: POST /ingest with 10 new chunks per request (skip_llm), each ~60 words.
local words = {"coral", "reef", "photosynthesis", "light", "energy", "protein", "enzyme", "river", "delta",
               "sediment", "climate", "model", "ocean", "current", "carbon", "storage", "network", "index"}
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  local chunks = {}
  for c = 1, 10 do
    counter = counter + 1
    local text = {}
    for w = 1, 60 do text[w] = words[(counter * 7 + w * 13) % #words + 1] end
    chunks[c] = '{"text":"' .. table.concat(text, " ") .. ' ' .. counter .. '-' .. math.random(1e9) .. '"}'
  end
  local body = '{"dataset_source":"wrk","skip_llm":true,"chunks":[' .. table.concat(chunks, ",") .. ']}'
  return wrk.format(nil, "/ingest", nil, body)
end
