target "app" {
  tags = ["a",
}
