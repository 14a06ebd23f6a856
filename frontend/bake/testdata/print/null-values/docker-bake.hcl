variable "MAYBE" {
  type    = string
  default = null
}
target "base" {
  args = { A = "base", B = "base" }
  target = "base"
}
target "app" {
  inherits = ["base"]
  args     = { A = null, C = MAYBE }
  target   = MAYBE
  tags     = []
}
