group "default" { targets = ["prod"] }
target "prod" {}
group "default" {
  description = "a second block adds members to the same group"
  targets     = ["prod", "prd"]
}
