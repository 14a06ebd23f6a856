target "svc-a" {}
target "svc-b" {}
target "tool" {}
