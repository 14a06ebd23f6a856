group "default" {
  targets = ["api", "worker"]
}

target "api" {
  target = "api"
  tags   = ["example/api:1"]
}

target "worker" {
  target = "worker"
  tags   = ["example/worker:1"]
  labels = { "org.example.role" = "worker" }
}
