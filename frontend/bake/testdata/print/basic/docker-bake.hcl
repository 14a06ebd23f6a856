target "app" {
  context    = "src"
  dockerfile = "build/Dockerfile"
  args = {
    VERSION = "1.2"
    EMPTY   = ""
  }
  labels     = { "org.opencontainers.image.title" = "app" }
  tags       = ["example/app:latest", "example/app:1.2"]
  target     = "runtime"
  no-cache   = false
  output     = ["type=docker"]
  network    = "none"
  platforms  = ["linux/amd64"]
}
