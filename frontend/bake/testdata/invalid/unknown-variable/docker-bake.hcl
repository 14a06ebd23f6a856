variable "VERSION" { default = "1" }
target "app" {
  args = { V = VERSIOM }
}
