group "default" {
  targets = ["backend", "frontends"]
}
group "frontends" {
  description = "Every web frontend"
  targets     = ["web", "admin", "web"]
}
target "backend" {}
target "web" { dockerfile = "web.Dockerfile" }
target "admin" { dockerfile = "admin.Dockerfile" }
target "unused" {}
