-- The body of every benchmark script. benchmarks/run.py prepends a generated header that defines
--   requests = { {method=..., path=..., headers={...}, body=...}, ... }
-- (a weighted workload repeats an entry), and this part sends a random one per request, counts
-- answers outside 2xx per thread, and prints one machine-readable summary line at the end.

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() * 1000 + id)
   prepared = {}
   for i, r in ipairs(requests) do
      prepared[i] = wrk.format(r.method, r.path, r.headers, r.body)
   end
   count = #prepared
   bad = 0
   bad_status = 0
   bad_body = ""
end

function request()
   return prepared[math.random(count)]
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      bad = bad + 1
      if bad_status == 0 then
         bad_status = status
         bad_body = string.sub(body or "", 1, 300)
      end
   end
end

local function quote(s)
   return '"' .. string.gsub(string.gsub(s, '\\', '\\\\'), '[%c"]', function(c)
      return string.format('\\u%04x', string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
   local total_bad, status, body = 0, 0, ""
   for _, t in ipairs(threads) do
      total_bad = total_bad + (t:get("bad") or 0)
      if status == 0 and (t:get("bad_status") or 0) ~= 0 then
         status, body = t:get("bad_status"), t:get("bad_body") or ""
      end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
      '"non_2xx":%d,"first_bad_status":%d,"first_bad_body":%s}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, total_bad, status, quote(body)))
end
