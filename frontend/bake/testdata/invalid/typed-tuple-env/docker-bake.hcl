variable "VERSION" {
  type    = tuple([number, string])
  default = [1, "alpha"]
}
target "app" {
  args = { V = "${VERSION[0]}-${VERSION[1]}" }
}
