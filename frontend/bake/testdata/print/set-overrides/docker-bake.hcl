target "app-web" {
  tags      = ["web"]
  platforms = ["linux/amd64"]
  args      = { KEEP = "1" }
}
target "app-api" {
  tags   = ["api"]
  output = ["type=docker"]
}
target "other" {
  tags = ["other"]
}
