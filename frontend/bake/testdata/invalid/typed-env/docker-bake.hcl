variable "N" {
  default = 1
}
target "app" {}
