variable "N" {
  default = setproduct(range(1000), range(1000), range(1000))
}
target "app" {}
