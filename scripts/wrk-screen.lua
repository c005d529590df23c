-- wrk script: POST /api/screen with one name per request, cycling through
-- names in several scripts and spellings (some listed, most not).
local names = {
  "Мухаммад Тахир", "Aiman al-Zawahiri", "Mohammed Omar", "Abdul Rahman Yasin",
  "Jalaluddin Haqqani", "John Smith", "Aigerim Sadykova", "محمد طاهر",
  "Hafiz Muhammad Saeed", "Timur Akhmetov", "Yousef al-Qaradawi", "Bakyt Osmonov",
  "Сирадж Хаккани", "Ayesha Siddiqui", "Abu Bakr al-Baghdadi", "Maria Ivanova",
}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCORD_TOKEN")
request = function()
  i = i + 1
  local body = '{"name": "' .. names[(i % #names) + 1] .. '"}'
  return wrk.format(nil, nil, nil, body)
end
