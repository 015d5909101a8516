-- wrk script for `python -m bench load`: the read mix, and every answer's status counted.
--
--   wrk -s bench/load.lua http://127.0.0.1:PORT/ -- PATHS_FILE
--
-- PATHS_FILE holds one request path a line, drawn from the mix by bench/_load.py. Each wrk
-- thread has a Lua state of its own: it walks the list from its own place and counts the
-- requests it sends and the statuses it gets (wrk itself counts no request that is never
-- answered: a stalled server shows only as requests sent and not answered); done() (run once, after the threads) adds up every thread's counts,
-- through the thread objects that setup() kept, and prints one line of JSON after the
-- marker GKSTATS-LOAD, with the latency percentiles in microseconds.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function init(args)
   paths = {}
   for line in io.lines(args[1]) do
      if line ~= "" then
         paths[#paths + 1] = line
      end
   end
   -- Threads start apart in the list (shuffled already), so they do not walk it in step.
   position = ((id - 1) * 7919) % #paths
   statuses = {}
   retry_after = 0
   sent = 0
end

function request()
   sent = sent + 1
   position = position % #paths + 1
   return wrk.format("GET", paths[position])
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status == 503 and (headers["retry-after"] or headers["Retry-After"]) then
      retry_after = retry_after + 1
   end
end

function done(summary, latency, requests)
   local counts, with_retry_after, sent = {}, 0, 0
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + n
      end
      with_retry_after = with_retry_after + thread:get("retry_after")
      sent = sent + thread:get("sent")
   end
   local parts = {}
   for status, n in pairs(counts) do
      parts[#parts + 1] = string.format('"%d": %d', status, n)
   end
   local e = summary.errors
   io.write(string.format(
      'GKSTATS-LOAD {"sent": %d, "requests": %d, "duration_us": %d, "bytes": %d, "statuses": {%s}, '
         .. '"503_with_retry_after": %d, "errors": {"connect": %d, "read": %d, "write": %d, '
         .. '"timeout": %d, "status": %d}, "latency_us": {"p50": %d, "p99": %d, "p99.9": %d, '
         .. '"max": %d, "mean": %.1f}}\n',
      sent, summary.requests, summary.duration, summary.bytes, table.concat(parts, ", "),
      with_retry_after, e.connect, e.read, e.write, e.timeout, e.status,
      latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
      latency.max, latency.mean))
end
