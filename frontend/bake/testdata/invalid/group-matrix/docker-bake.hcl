group "all" {
  targets = ["a"]
  matrix  = { v = ["1"] }
}
target "a" {}
