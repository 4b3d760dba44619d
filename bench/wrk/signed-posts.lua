-- wrk -s signed-posts.lua <url> -- <body file> <headers file> <expected status> <expected substring> <id prefix>
-- POSTs the same body with fixed headers, plus (when the id prefix is not "-") a new
-- X-Shopify-Event-Id and X-Shopify-Webhook-Id per request, so each is a new delivery. Every answer
-- is checked (status and a substring of the body); done() prints one JSON line for bench/.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local expected_status, expected_text, prefix
local sent = 0
wrong = 0
wrong_2xx = 0
first_wrong = ""

function init(args)
  wrk.method = "POST"
  wrk.body = read_file(args[1])
  for line in read_file(args[2]):gmatch("[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  expected_status = tonumber(args[3])
  expected_text = args[4]
  prefix = args[5] .. "-" .. thread_index
end

function request()
  if prefix:sub(1, 1) == "-" then return wrk.format() end
  sent = sent + 1
  local id = prefix .. "-" .. sent
  wrk.headers["x-shopify-event-id"] = "ev-" .. id
  wrk.headers["x-shopify-webhook-id"] = "wh-" .. id
  return wrk.format()
end

function response(status, headers, body)
  if status ~= expected_status or not body:find(expected_text, 1, true) then
    wrong = wrong + 1
    if status >= 200 and status < 300 then wrong_2xx = wrong_2xx + 1 end
    if first_wrong == "" then first_wrong = "HTTP " .. status .. " " .. body:sub(1, 200) end
  end
end

function done(summary, latency, requests)
  local w, w2, sample = 0, 0, ""
  for _, t in ipairs(threads) do
    w = w + t:get("wrong")
    w2 = w2 + t:get("wrong_2xx")
    if sample == "" then sample = t:get("first_wrong") end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"non2xx":%d,"timeouts":%d,' ..
    '"p50Us":%d,"p99Us":%d,"meanUs":%.1f,"maxUs":%d,"wrong":%d,"wrong2xx":%d,"sample":"%s"}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max, w, w2,
    sample:gsub('[%c"\\]', " ")))
end
