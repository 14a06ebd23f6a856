group "default" {
  targets = ["prod", "debg"]
}
target "prod" {}
target "debug" {}
