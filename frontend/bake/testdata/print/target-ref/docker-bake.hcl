target "base" {
  dockerfile = "base.Dockerfile"
  tags       = ["example/base:1"]
  args       = { GO = "1.26" }
}
target "app" {
  dockerfile = target.base.dockerfile
  args = {
    BASE_IMAGE = target.base.tags[0]
    GO         = target.base.args.GO
  }
}
