-- One page view per request, from many addresses (behind one trusted proxy) and many readers,
-- the way a busy blog's traffic looks; the per-address rate limit is not what is measured here.
math.randomseed(os.time())
local ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
request = function()
  local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  local body = '{"type":"pageview","site":"bench","path":"/post-' .. math.random(1, 50) ..
    '","visitor":"reader' .. string.format("%07d", math.random(1, 1000000)) .. '","referrer":"https://news.example/"}'
  return wrk.format("POST", "/api/event",
    {["Content-Type"] = "text/plain", ["X-Forwarded-For"] = ip, ["User-Agent"] = ua}, body)
end
