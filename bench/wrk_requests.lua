-- wrk script for bench/writes.py: cycles through the requests in the file BENCH_REQUESTS (one per
-- line, tab-separated: method, path, cookie header, CSRF token, form body). A POST's body gets the
-- request's running number appended, so every autosave stores a new text. Reports like
-- wrk_report.lua (loaded from BENCH_REPORT_LUA).
dofile(os.getenv("BENCH_REPORT_LUA"))

local list = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, cookie, token, body = line:match("^(%u+)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  table.insert(list, {method = method, path = path, cookie = cookie, token = token, body = body})
end

local n = 0
function request()
  n = n + 1
  local r = list[(n - 1) % #list + 1]
  local headers = {Cookie = r.cookie}
  if r.method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["x-csrftoken"] = r.token
    headers["hx-request"] = "true"
    return wrk.format("POST", r.path, headers, r.body .. n)
  end
  return wrk.format("GET", r.path, headers)
end
