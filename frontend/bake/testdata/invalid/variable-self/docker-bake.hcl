variable "A" { default = "${A}-x" }
target "app" {}
